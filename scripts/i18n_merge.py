"""Merge a translation fragment into translations/en.json and zh-Hans.json.

Usage: python scripts/i18n_merge.py FRAGMENT.json

FRAGMENT holds ``{"en": {...}, "zh-Hans": {...}}``; each part is merged
key by key (nested objects merged, strings replaced) into its file. The
files are locked while they are rewritten, so several people may merge at
the same time. Both languages must carry the same keys.
"""

from __future__ import annotations

import fcntl
import json
from pathlib import Path
import sys
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "custom_components" / "community_access" / "translations"


def merge(into: dict[str, Any], part: dict[str, Any]) -> None:
    """Merge ``part`` into ``into`` in place."""
    for key, value in part.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            merge(into[key], value)
        else:
            into[key] = value


def keys(tree: dict[str, Any], prefix: str = "") -> set[str]:
    """Return the dotted paths of the leaves of ``tree``."""
    found: set[str] = set()
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            found |= keys(value, path + ".")
        else:
            found.add(path)
    return found


def main(fragment_path: str) -> int:
    """Merge the fragment; 1 when its languages disagree."""
    fragment = json.loads(Path(fragment_path).read_text(encoding="utf-8"))
    if keys(fragment["en"]) != keys(fragment["zh-Hans"]):
        diff = keys(fragment["en"]) ^ keys(fragment["zh-Hans"])
        print(f"languages disagree: {sorted(diff)}", file=sys.stderr)
        return 1
    with (ROOT / ".i18n.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for language in ("en", "zh-Hans"):
            path = TRANSLATIONS / f"{language}.json"
            data = json.loads(path.read_text(encoding="utf-8"))
            merge(data, fragment[language])
            text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
            tmp = path.with_suffix(".tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
