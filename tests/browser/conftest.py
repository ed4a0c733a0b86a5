"""Fixtures of the browser tests: one real Home Assistant, one Chromium.

Everything here is package-scoped (this folder) except the pages: the first
browser test pays for starting Home Assistant (and onboarding it) and the
browser; the others reuse them, and both stop after the last test of this
folder, before the rest of the suite runs (Playwright's sync API keeps its
event loop marked as running in the main thread while the browser is open,
which the in-process ``hass`` tests must not see). None of these tests uses the ``hass`` fixture: Home
Assistant runs as its own process (``python -m homeassistant``), and the
tests talk to it over HTTP, the websocket API and a real browser.

Sockets: pytest-homeassistant-custom-component disables sockets in every
test (pytest-socket). The tests in this folder turn them on again
(:func:`sockets_on`), and the package fixtures, which set up inside the first
test before the function fixtures, enable them for themselves; Home
Assistant listens on 127.0.0.1 only.

Screenshots go to ``tests/browser/output/<test name>/`` (git-ignored), or
under ``$BROWSER_TEST_OUTPUT`` when set; timings to ``timings.json`` there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
import json
import os
from pathlib import Path
import re
import time
from typing import TYPE_CHECKING, Any

import pytest
import pytest_socket

from .browser import launch_browser, login, new_context, require_browser, screenshot
from .harness import HaApi, HassProcess, User, add_community, create_user, onboard

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

HERE = Path(__file__).resolve().parent
OUTPUT = Path(os.environ.get("BROWSER_TEST_OUTPUT") or HERE / "output")

#: Passwords of the test users (a throwaway instance on 127.0.0.1).
PASSWORD = "browser-test-password"  # noqa: S105
COMMUNITY_NAME = "Sunny Gardens"

#: What the session measured, in seconds; written to OUTPUT/timings.json.
TIMINGS: dict[str, Any] = {}
#: Home Assistant's log of each run (printed in the summary).
HASS_LOGS: list[Path] = []


@pytest.fixture(autouse=True)
def sockets_on(socket_enabled: None) -> None:
    """Let the tests of this folder open sockets (Home Assistant on 127.0.0.1).

    pytest-homeassistant-custom-component disables sockets in the setup of
    every test, after pytest-socket has read the ``enable_socket`` marker,
    so the marker alone does not help; pytest-socket's ``socket_enabled``
    fixture turns them back on for the test.
    """


def pytest_sessionstart(session: pytest.Session) -> None:
    """Start the clock of the browser tests."""
    TIMINGS["session_started"] = time.monotonic()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print (and save) what the browser tests measured."""
    if "hass_start_s" not in TIMINGS:
        return
    figures = {
        k: v
        for k, v in TIMINGS.items()
        if k not in ("session_started", "browser_tests_started")
    }
    if "browser_tests_started" in TIMINGS:
        figures["browser_tests_total_s"] = round(
            time.monotonic() - TIMINGS["browser_tests_started"], 1
        )
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / "timings.json").write_text(json.dumps(figures, indent=2) + "\n")
    terminalreporter.write_sep("-", "browser tests: timings (seconds)")
    for key, value in figures.items():
        terminalreporter.write_line(f"{key}: {value}")
    terminalreporter.write_line(f"screenshots: {OUTPUT}")
    for log in HASS_LOGS:
        terminalreporter.write_line(f"Home Assistant log: {log}")


@dataclass
class HaInstance:
    """The session's Home Assistant: its process, owner and users."""

    process: HassProcess
    owner: User
    #: The owner's API client (REST and websocket).
    api: HaApi
    users: dict[str, User] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return self.process.base_url

    def user(self, key: str, name: str | None = None, *, admin: bool = False) -> User:
        """The user ``key`` (created once per session, non-admin unless ``admin``)."""
        if key not in self.users:
            self.users[key] = create_user(
                self.api, name or key.title(), key, PASSWORD, admin=admin
            )
        return self.users[key]

    def api_as(self, user: User) -> HaApi:
        """A REST/websocket client logged in as ``user``."""
        return self.api.as_user(user)


@pytest.fixture(scope="package")
def ha(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HaInstance]:
    """A real Home Assistant process, onboarded, with its owner logged in.

    Temporary config dir, a free port on 127.0.0.1, the integration symlinked
    from the repository, the recorder on SQLite in the config dir. Stopped
    (SIGTERM, then SIGKILL) at the end of the session.
    """
    # Before the slow start: a machine without the browser fails at once.
    require_browser()
    pytest_socket.enable_socket()
    TIMINGS.setdefault("browser_tests_started", time.monotonic())
    config = tmp_path_factory.mktemp("hass-config")
    process = HassProcess.start(config)
    TIMINGS["hass_start_s"] = round(process.start_seconds, 1)
    try:
        api = HaApi(process.base_url)
        started = time.monotonic()
        owner = onboard(api, "Owner", "owner", PASSWORD, timeout=120)
        TIMINGS["onboarding_to_running_s"] = round(time.monotonic() - started, 1)
        yield HaInstance(process=process, owner=owner, api=api)
    finally:
        process.stop()
        HASS_LOGS.append(process.log_file)


@pytest.fixture(scope="package")
def community(ha: HaInstance) -> dict[str, Any]:
    """The community config entry, added through the config flow REST API."""
    pytest_socket.enable_socket()
    return add_community(ha.api, COMMUNITY_NAME)


@pytest.fixture(scope="package")
def browser(ha: HaInstance) -> Iterator[Browser]:
    """One headless Chromium for the session (after Home Assistant is up)."""
    started = time.monotonic()
    with launch_browser() as chromium:
        TIMINGS["browser_launch_s"] = round(time.monotonic() - started, 1)
        yield chromium


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the item (for the failure screenshots)."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page_as(
    ha: HaInstance, browser: Browser, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Page]]:
    """``page_as(user, language="en-US") -> Page``: a logged-in page.

    Each call opens a fresh browser context (no cookies, no stored tokens),
    goes to the base URL and logs in through Home Assistant's login form;
    the page is returned once the frontend shows its sidebar. Contexts close
    at the end of the test.
    """
    contexts = []

    def open_page(user: User, language: str = "en-US") -> Page:
        context = new_context(browser, language)
        contexts.append(context)
        page = context.new_page()
        seconds = login(page, ha.base_url, user)
        TIMINGS.setdefault("login_s", []).append(round(seconds, 1))
        return page

    yield open_page
    report = getattr(request.node, "report_call", None)
    for number, context in enumerate(contexts, 1):
        if report is not None and report.failed:
            # What the browser showed when the test failed.
            for page in context.pages:
                folder = OUTPUT / _safe(request.node.name)
                screenshot(page, folder, f"failure_{number}")
        context.close()


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)


@pytest.fixture
def output_dir(request: pytest.FixtureRequest) -> Path:
    """This test's output folder: ``tests/browser/output/<test name>/``."""
    folder = OUTPUT / _safe(request.node.name)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    return folder


@pytest.fixture
def shot(output_dir: Path) -> Callable[[Page, str], Path]:
    """``shot(page, name) -> Path``: a full-page screenshot in :func:`output_dir`."""

    def take(page: Page, name: str) -> Path:
        return screenshot(page, output_dir, name)

    return take


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override tests/conftest.py's: it needs the in-process ``hass`` fixture.

    Here Home Assistant is a process of its own, which loads the integration
    from its config directory's custom_components/.
    """


@pytest.fixture(autouse=True)
def verify_cleanup() -> None:
    """Override the plugin's: it checks the in-process ``hass`` event loop.

    These tests run no Home Assistant in-process; while Playwright's sync API
    is active its own loop is the thread's running loop, which the plugin's
    check would try to run (and fail). The real processes are stopped by the
    ``ha`` and ``browser`` fixtures.
    """


@pytest.fixture(autouse=True)
def enable_event_loop_debug() -> None:
    """Override the plugin's (it would switch Playwright's loop to debug mode)."""
