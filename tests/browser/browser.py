"""Headless Chromium (Debian's package) driven by Playwright for Python.

Playwright's own browser download is not used: the tests launch the system's
``chromium`` (``CHROMIUM`` in the environment overrides the path). Missing
pieces fail the tests with a message saying what to install; they never skip.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
import os
from pathlib import Path
import re
import shutil
import time
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

    from .harness import User

#: Flags for a closed network: without the background-networking ones
#: Chromium keeps trying to reach Google's services.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

#: Generous waits on real conditions (shared CPUs, a cold frontend cache).
UI_TIMEOUT_MS = 60_000

INSTALL_HINT = (
    "The browser tests need Debian's chromium and Playwright for Python: run "
    "scripts/setup (it installs both), or `apt-get install chromium` and "
    "`.venv/bin/pip install playwright`."
)


def chromium_path() -> str:
    """The Chromium binary to launch; fail (not skip) when there is none."""
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or ""
    if not path or not os.access(path, os.X_OK):
        pytest.fail(f"no chromium executable found. {INSTALL_HINT}", pytrace=False)
    return path


def require_browser() -> str:
    """Fail (not skip) unless Playwright and Chromium are installed; the binary."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as err:
        pytest.fail(
            f"playwright is not installed ({err}). {INSTALL_HINT}", pytrace=False
        )
    return chromium_path()


@contextmanager
def launch_browser() -> Iterator[Browser]:
    """Start Playwright and one headless Chromium; both stop on exit."""
    executable = require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Playwright gives every launch a fresh temporary user-data dir of
        # its own (and removes it on close): nothing carries over.
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=CHROMIUM_ARGS,
            headless=True,
            timeout=UI_TIMEOUT_MS,
        )
        try:
            yield browser
        finally:
            browser.close()


def new_context(browser: Browser, language: str = "en-US") -> BrowserContext:
    """A fresh context (no cookies, no local storage): a new visitor."""
    context = browser.new_context(
        locale=language, viewport={"width": 1280, "height": 800}
    )
    context.set_default_timeout(UI_TIMEOUT_MS)
    return context


def login(page: Page, base_url: str, user: User) -> float:
    """Log in through Home Assistant's real login form; the seconds it took.

    Goes to the base URL (the frontend sends an unauthenticated visitor to
    ``/auth/authorize``), fills the username and password, submits, and waits
    until the frontend shows its sidebar.
    """
    started = time.monotonic()
    page.goto(base_url + "/")
    page.wait_for_url(re.compile(r"/auth/authorize"))
    username = page.locator("input[name='username'], input[autocomplete='username']")
    username.first.fill(user.username)
    password = page.locator(
        "input[name='password'], input[autocomplete='current-password']"
    )
    password.first.fill(user.password)
    password.first.press("Enter")
    wait_frontend_ready(page)
    return time.monotonic() - started


SIDEBAR_ITEMS = "ha-sidebar ha-md-list-item"


def wait_frontend_ready(page: Page) -> None:
    """Wait until the frontend is connected and its sidebar lists the panels."""
    page.wait_for_url(lambda url: "/auth/" not in url)
    page.locator("ha-sidebar").wait_for(state="visible")
    # The panels are listed once the websocket is connected and authenticated.
    page.locator(SIDEBAR_ITEMS).first.wait_for(state="visible")


def sidebar_panels(page: Page) -> dict[str, str]:
    """The sidebar's entries as {visible title: url path ("" for buttons)}."""
    items = page.locator(SIDEBAR_ITEMS)
    found: dict[str, str] = {}
    for index in range(items.count()):
        item = items.nth(index)
        title = " ".join(item.inner_text().split())
        found[title] = item.evaluate("item => item.href || ''")
    return found


def screenshot(page: Page, folder: Path, name: str) -> Path:
    """Save a full-page PNG as ``folder/<name>.png``; its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
