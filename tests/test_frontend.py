"""The panels' frontend: its unit tests (node --test) and the committed bundle.

The bundle under ``panel/frontend/`` is what Home Assistant serves; it must be
what ``frontend/src`` builds to (``scripts/lint`` checks the same).
"""

from __future__ import annotations

from pathlib import Path
import shutil
import subprocess

ROOT = Path(__file__).parent.parent
FRONTEND = ROOT / "frontend"
BUNDLE = (
    ROOT
    / "custom_components"
    / "community_access"
    / "panel"
    / "frontend"
    / "community-access-panel.js"
)


def node() -> str:
    """The node binary, with the frontend's packages installed."""
    found = shutil.which("node")
    assert found, "node is needed for the frontend checks"
    assert (FRONTEND / "node_modules" / "esbuild").is_dir(), (
        "frontend/node_modules is missing: run scripts/setup (npm ci in frontend/)"
    )
    return found


def test_frontend_unit_tests_pass() -> None:
    """Translations, time zones, money and live-list merging."""
    done = subprocess.run(
        [node(), "--test", "test/"],
        cwd=FRONTEND,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_committed_bundle_matches_the_source() -> None:
    """Rebuilding the panel gives the committed bundle byte for byte."""
    assert BUNDLE.is_file()
    done = subprocess.run(
        [node(), "scripts/check-bundle.mjs"],
        cwd=FRONTEND,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    text = BUNDLE.read_text(encoding="utf-8")
    assert 'customElements.define("community-access-panel"' in text
    assert "sourceMappingURL" not in text
