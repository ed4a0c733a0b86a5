"""Translation strings as Home Assistant's frontend reads them.

The frontend formats every string with FormatJS (ICU MessageFormat): a brace
starts an argument, so a literal brace (e.g. JSON in a description) makes it
show "Translation error: MALFORMED_ARGUMENT". The check runs FormatJS's own
parser (``frontend/scripts/check-messages.mjs``, installed by scripts/setup).
"""

from __future__ import annotations

import json
from pathlib import Path
import re
import shutil
import subprocess
from typing import Any

import pytest

ROOT = Path(__file__).parent.parent
FRONTEND = ROOT / "frontend"
CHECKER = FRONTEND / "scripts" / "check-messages.mjs"
PACKAGE = ROOT / "custom_components" / "community_access"
TRANSLATIONS = [
    PACKAGE / "translations" / "en.json",
    PACKAGE / "translations" / "zh-Hans.json",
]


def check_messages(*files: Path) -> tuple[int, list[dict[str, Any]]]:
    """Run the FormatJS checker; return (exit status, failures)."""
    node = shutil.which("node")
    assert node, "node is needed to check the translation strings"
    assert (FRONTEND / "node_modules" / "@formatjs").is_dir(), (
        "frontend/node_modules is missing: run scripts/setup (npm ci in frontend/)"
    )
    done = subprocess.run(
        [node, str(CHECKER), *map(str, files)],
        cwd=FRONTEND,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)


def strings(node: Any, path: str = "") -> list[tuple[str, str]]:
    """Every (dotted key, text) of a translation file."""
    if isinstance(node, str):
        return [(path, node)]
    if isinstance(node, dict):
        return [
            item
            for key, value in node.items()
            for item in strings(value, f"{path}.{key}" if path else key)
        ]
    return []


def test_checker_reports_a_bad_string(tmp_path: Path) -> None:
    """The check proves itself: braces of JSON are reported, placeholders are not."""
    sample = tmp_path / "sample.json"
    sample.write_text(
        json.dumps(
            {
                "bad": 'a {"x": 1} b',
                "group": {"unclosed": "a {unit b"},
                "good": "Visitor for {unit}, don't wait",
                "quoted": "a '{'literal'}' brace",
            }
        )
    )
    status, failures = check_messages(sample)
    assert status == 1
    assert {(f["key"], f["error"]) for f in failures} == {
        ("bad", "MALFORMED_ARGUMENT"),
        ("group.unclosed", "MALFORMED_ARGUMENT"),
    }


def test_every_translation_string_parses() -> None:
    status, failures = check_messages(*TRANSLATIONS)
    assert failures == []
    assert status == 0


def test_translation_files_have_the_same_keys() -> None:
    keys = [
        {key for key, _ in strings(json.loads(path.read_text()))}
        for path in TRANSLATIONS
    ]
    assert keys[0] == keys[1]


@pytest.mark.parametrize(
    "path", [*TRANSLATIONS, PACKAGE / "services.yaml", ROOT / "README.md"]
)
def test_no_internal_references_in_ui_text(path: Path) -> None:
    """UI text cites regulations by name and article, never our internal labels.

    Internal labels were "seed 134" and, in Chinese, "第 134 条" (an article
    number no regulation has); real articles are written 第十九条.
    """
    text = path.read_text()
    assert re.findall(r"(?i)\bseeds?\b", text) == []
    assert re.findall(r"第\s*\d+\s*条", text) == []
