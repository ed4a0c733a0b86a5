"""A real Home Assistant process and a client for its HTTP and websocket APIs.

Used by the browser tests (``tests/browser/``): :class:`HassProcess` starts
``python -m homeassistant`` on a free local port with a temporary config
directory (the integration symlinked from the repository, the recorder on a
SQLite file in that directory); :class:`HaApi` onboards it through Home
Assistant's own REST API, creates users through the websocket API, adds a
community through the config flow REST API and calls services.

Standard library plus aiohttp (already a Home Assistant dependency); no
Home Assistant import, so nothing here touches the test process's own
``hass`` fixtures.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import ctypes
from dataclasses import dataclass
import json
import os
from pathlib import Path
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import Any
import urllib.error
from urllib.parse import urlencode
import urllib.request

import aiohttp

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = "community_access"

#: Generous: two CPU cores are shared by several test runs.
START_TIMEOUT = 180.0
REQUEST_TIMEOUT = 60.0


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    """In the child before exec: SIGTERM when the test process dies (Linux).

    The fixtures stop Home Assistant; this covers a test run that is killed
    outright (SIGKILL, a CI timeout), which runs no finalizer.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class HarnessError(AssertionError):
    """The real Home Assistant did not do what the harness needed."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(
    condition: Callable[[], Any], timeout: float, what: str, interval: float = 0.25
) -> Any:
    """Poll ``condition`` until it returns something truthy; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise HarnessError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


CONFIGURATION_YAML = """\
# Written by tests/browser/harness.py for one test session.
homeassistant:
  name: Community Access (browser tests)
  time_zone: Asia/Shanghai
  country: CN
  currency: CNY
  unit_system: metric
  language: en

http:
  server_host: 127.0.0.1
  server_port: {port}

frontend:
config:
history:
logbook:
recorder:
  db_url: "sqlite:///{db}"
  commit_interval: 0
logger:
  default: warning
  logs:
    custom_components.community_access: info
"""


def write_config(config: Path, port: int) -> None:
    """A fresh config directory: configuration.yaml, the integration, onboarding."""
    config.mkdir(parents=True, exist_ok=True)
    (config / "configuration.yaml").write_text(
        CONFIGURATION_YAML.format(port=port, db=config / "home-assistant_v2.db"),
        encoding="utf-8",
    )
    custom = config / "custom_components"
    custom.mkdir(exist_ok=True)
    (custom / DOMAIN).symlink_to(ROOT / "custom_components" / DOMAIN)
    # Onboarding's core_config step is recorded as done before the first start,
    # as scripts/develop does: finishing it through the API starts config
    # flows for google_translate, met, radio_browser and shopping_list, whose
    # packages are not installed (Home Assistant runs with --skip-pip). The
    # other steps (user, analytics, integration) go through the API.
    storage = config / ".storage"
    storage.mkdir(exist_ok=True)
    (storage / "onboarding").write_text(
        json.dumps(
            {
                "version": 4,
                "minor_version": 1,
                "key": "onboarding",
                "data": {"done": ["core_config"]},
            }
        ),
        encoding="utf-8",
    )


@dataclass
class HassProcess:
    """A running ``python -m homeassistant``; stop it with :meth:`stop`."""

    config: Path
    port: int
    process: subprocess.Popen[bytes]
    start_seconds: float = 0.0

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>`` (no trailing slash)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_file(self) -> Path:
        """Home Assistant's own log (stdout and stderr go there too)."""
        return self.config / "home-assistant.log"

    def log_tail(self, lines: int = 60) -> str:
        """The last lines of the log, for failure messages."""
        try:
            text = self.log_file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def log_records(self, level: str, logger: str) -> list[str]:
        """The log's lines at ``level`` (e.g. ERROR) from ``logger`` or its children."""
        try:
            text = self.log_file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return []
        return [
            line
            for line in text.splitlines()
            if f" {level} (" in line
            and (f"[{logger}]" in line or f"[{logger}." in line)
        ]

    def alive(self) -> bool:
        """True while the process runs."""
        return self.process.poll() is None

    @classmethod
    def start(cls, config: Path, timeout: float = START_TIMEOUT) -> HassProcess:
        """Start Home Assistant on a free port and wait until its API answers."""
        port = free_port()
        write_config(config, port)
        started = time.monotonic()
        with (config / "hass.stdout").open("wb") as out:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter
                [
                    sys.executable,
                    "-m",
                    "homeassistant",
                    "--config",
                    str(config),
                    "--skip-pip",
                    "--log-file",
                    str(config / "home-assistant.log"),
                ],
                cwd=config,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                # Its own process group: stop() reaches anything it spawns.
                start_new_session=True,
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,  # noqa: PLW1509
                env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
            )
        hass = cls(config=config, port=port, process=process)
        api = HaApi(hass.base_url)

        def answers() -> bool:
            if not hass.alive():
                raise HarnessError(
                    f"Home Assistant exited with code {process.returncode} while "
                    f"starting; log:\n{hass.log_tail()}"
                )
            # The onboarding view answers without authentication.
            status, _ = api.request("GET", "/api/onboarding", timeout=5, quiet=True)
            return status == 200

        try:
            wait_until(answers, timeout, f"Home Assistant on {hass.base_url}", 0.5)
        except BaseException:
            hass.stop()
            raise
        hass.start_seconds = time.monotonic() - started
        return hass

    def stop(self, timeout: float = 60.0) -> None:
        """SIGTERM (a clean shutdown), SIGKILL after ``timeout`` seconds."""
        if not self.alive():
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        except ProcessLookupError:
            pass


@dataclass
class User:
    """A Home Assistant user the tests can log in as."""

    name: str
    username: str
    password: str
    user_id: str
    is_admin: bool


class HaApi:
    """JSON over HTTP (urllib, no proxies) and websocket commands (aiohttp)."""

    def __init__(self, base_url: str, token: str | None = None) -> None:
        """Talk to ``base_url``, authenticated with ``token`` when given."""
        self.base_url = base_url.rstrip("/")
        self.client_id = f"{self.base_url}/"
        self.redirect_uri = f"{self.base_url}/?auth_callback=1"
        self.token = token
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    # ---- HTTP
    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        form: dict[str, str] | None = None,
        timeout: float = REQUEST_TIMEOUT,
        quiet: bool = False,
    ) -> tuple[int, Any]:
        """Send a request; (status, decoded JSON or text). ``quiet``: 0 if unreachable."""
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        elif form is not None:
            data = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        req = urllib.request.Request(  # noqa: S310 - http://127.0.0.1 only
            self.base_url + path, data=data, method=method, headers=headers
        )
        try:
            with self._opener.open(req, timeout=timeout) as resp:
                status, raw = resp.status, resp.read()
        except urllib.error.HTTPError as err:
            status, raw = err.code, err.read()
        except (urllib.error.URLError, OSError) as err:
            if quiet:
                return 0, None
            raise HarnessError(f"{method} {path}: {err}") from None
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            payload = raw.decode(errors="replace")
        return status, payload

    def expect(self, method: str, path: str, body: Any = None, **kwargs: Any) -> Any:
        """Like :meth:`request`, but anything but 200 fails."""
        status, payload = self.request(method, path, body, **kwargs)
        if status != 200:
            raise HarnessError(f"{method} {path} answered {status}: {payload}")
        return payload

    # ---- authentication
    def exchange(self, auth_code: str) -> str:
        """Trade an authorization code for an access token (kept on self)."""
        tokens = self.expect(
            "POST",
            "/auth/token",
            form={
                "grant_type": "authorization_code",
                "code": auth_code,
                "client_id": self.client_id,
            },
        )
        self.token = str(tokens["access_token"])
        return self.token

    def login(self, username: str, password: str) -> str:
        """Log in through the login flow, as the frontend does; the access token."""
        flow = self.expect(
            "POST",
            "/auth/login_flow",
            {
                "client_id": self.client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": self.redirect_uri,
            },
        )
        result = self.expect(
            "POST",
            f"/auth/login_flow/{flow['flow_id']}",
            {"client_id": self.client_id, "username": username, "password": password},
        )
        if result.get("type") != "create_entry":
            raise HarnessError(f"logging in as {username!r} failed: {result}")
        return self.exchange(str(result["result"]))

    def as_user(self, user: User) -> HaApi:
        """A new client logged in as ``user``."""
        api = HaApi(self.base_url)
        api.login(user.username, user.password)
        return api

    # ---- websocket
    def ws(self, *messages: dict[str, Any]) -> list[dict[str, Any]]:
        """Send websocket commands (ids added) in one connection; their results.

        Each result is Home Assistant's answer: ``{"id", "type": "result",
        "success", "result" | "error"}``. Runs in a short-lived thread with its
        own event loop, so that it works from synchronous tests next to
        Playwright's loop.
        """
        if not self.token:
            raise HarnessError("websocket commands need a logged-in client")
        results: list[dict[str, Any]] = []
        errors: list[BaseException] = []

        def run() -> None:
            try:
                results.extend(asyncio.run(self._ws(list(messages))))
            except BaseException as err:  # noqa: BLE001 - re-raised below
                errors.append(err)

        thread = threading.Thread(target=run, name="ha-websocket-client")
        thread.start()
        thread.join(REQUEST_TIMEOUT + 10)
        if thread.is_alive():
            raise HarnessError("the websocket client did not finish in time")
        if errors:
            raise errors[0]
        return results

    async def _ws(self, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        url = self.base_url.replace("http", "ws", 1) + "/api/websocket"
        timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.ws_connect(url) as ws,
        ):
            hello = await ws.receive_json()
            if hello.get("type") != "auth_required":
                raise HarnessError(f"unexpected websocket greeting {hello}")
            await ws.send_json({"type": "auth", "access_token": self.token})
            auth = await ws.receive_json()
            if auth.get("type") != "auth_ok":
                raise HarnessError(f"websocket authentication failed: {auth}")
            answers = []
            for number, message in enumerate(messages, 1):
                await ws.send_json({**message, "id": number})
                while True:
                    answer = await ws.receive_json()
                    if answer.get("id") == number and answer.get("type") == "result":
                        answers.append(answer)
                        break
            return answers

    def ws_command(self, message: dict[str, Any]) -> Any:
        """One websocket command; its result, or fail with Home Assistant's error."""
        (answer,) = self.ws(message)
        if not answer.get("success"):
            raise HarnessError(f"{message.get('type')} failed: {answer.get('error')}")
        return answer.get("result")

    # ---- services and state
    def call_service(
        self,
        domain: str,
        service: str,
        data: dict[str, Any] | None = None,
        *,
        return_response: bool = False,
    ) -> Any:
        """Call a service through REST; its response (with ``return_response``)."""
        path = f"/api/services/{domain}/{service}"
        if return_response:
            path += "?return_response"
        return self.expect("POST", path, data or {})

    def call_service_status(
        self, domain: str, service: str, data: dict[str, Any] | None = None
    ) -> tuple[int, Any]:
        """Call a service through REST; (status, payload) even when it fails."""
        return self.request("POST", f"/api/services/{domain}/{service}", data or {})

    def config_state(self) -> str:
        """Home Assistant's state (NOT_RUNNING, STARTING, RUNNING, ...)."""
        return str(self.expect("GET", "/api/config").get("state"))

    def entries(self, domain: str = DOMAIN) -> list[dict[str, Any]]:
        """The config entries of ``domain`` (entry_id, title, state, ...)."""
        return list(
            self.expect("GET", f"/api/config/config_entries/entry?domain={domain}")
        )

    def states(self) -> list[dict[str, Any]]:
        """All entity states."""
        return list(self.expect("GET", "/api/states"))


# --------------------------------------------------------------------------
# onboarding, users, the community


def onboard(
    api: HaApi, name: str, username: str, password: str, timeout: float
) -> User:
    """Finish onboarding through the REST API as a new owner; log ``api`` in.

    ``POST /api/onboarding/users`` (client_id = the base URL) creates the
    owner and answers with an authorization code, exchanged at
    ``/auth/token``; then the analytics and integration steps (core_config is
    recorded as done in the config directory, see :func:`write_config`).
    Waits until Home Assistant is RUNNING.
    """
    result = api.expect(
        "POST",
        "/api/onboarding/users",
        {
            "client_id": api.client_id,
            "name": name,
            "username": username,
            "password": password,
            "language": "en",
        },
    )
    api.exchange(str(result["auth_code"]))
    api.expect("POST", "/api/onboarding/analytics", {})
    api.expect(
        "POST",
        "/api/onboarding/integration",
        {"client_id": api.client_id, "redirect_uri": api.redirect_uri},
    )
    status, steps = api.request("GET", "/api/onboarding")
    if status != 404 and not all(step["done"] for step in steps):
        raise HarnessError(f"onboarding is not complete: {steps}")
    wait_until(
        lambda: api.config_state() == "RUNNING", timeout, "Home Assistant RUNNING", 0.5
    )
    me = api.ws_command({"type": "auth/current_user"})
    return User(name, username, password, str(me["id"]), bool(me["is_admin"]))


def create_user(
    owner: HaApi, name: str, username: str, password: str, *, admin: bool = False
) -> User:
    """Create a Home Assistant user with a login, as the owner does in Settings.

    ``config/auth/create`` (the user, in group ``system-admin`` or
    ``system-users``) then ``config/auth_provider/homeassistant/create`` (the
    username and password).
    """
    created = owner.ws_command(
        {
            "type": "config/auth/create",
            "name": name,
            "group_ids": ["system-admin" if admin else "system-users"],
            "local_only": False,
        }
    )
    user_id = str(created["user"]["id"])
    owner.ws_command(
        {
            "type": "config/auth_provider/homeassistant/create",
            "user_id": user_id,
            "username": username,
            "password": password,
        }
    )
    return User(name, username, password, user_id, admin)


def add_community(api: HaApi, name: str, *, demo: bool = False) -> dict[str, Any]:
    """Add a community through the config flow REST API; the loaded entry."""
    flow = api.expect("POST", "/api/config/config_entries/flow", {"handler": DOMAIN})
    if flow.get("type") != "form":
        raise HarnessError(f"the {DOMAIN} config flow did not show a form: {flow}")
    result = api.expect(
        "POST",
        f"/api/config/config_entries/flow/{flow['flow_id']}",
        {"name": name, "demo": demo},
    )
    if result.get("type") != "create_entry":
        raise HarnessError(
            f"the {DOMAIN} config flow did not create an entry: {result}"
        )
    entry_id = result["result"]["entry_id"]

    def loaded() -> dict[str, Any] | None:
        for entry in api.entries():
            if entry["entry_id"] == entry_id and entry["state"] == "loaded":
                return entry
        return None

    entry: dict[str, Any] = wait_until(loaded, 60, f"community {name!r} loaded")
    return entry


def set_options(api: HaApi, entry_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    """Change a config entry's options through the options flow REST API.

    Opens the flow, submits the form's current values (the defaults Home
    Assistant serializes with the form) updated with ``changes``, and returns
    the flow's result; fails when the form does not accept them.
    """
    flow = api.expect(
        "POST", "/api/config/config_entries/options/flow", {"handler": entry_id}
    )
    if flow.get("type") != "form":
        raise HarnessError(f"the options flow did not show a form: {flow}")
    unknown = set(changes) - {field["name"] for field in flow["data_schema"]}
    if unknown:
        raise HarnessError(f"the options form has no field {sorted(unknown)}")
    values = {
        field["name"]: field["default"]
        for field in flow["data_schema"]
        if "default" in field
    }
    result: dict[str, Any] = api.expect(
        "POST",
        f"/api/config/config_entries/options/flow/{flow['flow_id']}",
        values | changes,
    )
    if result.get("type") != "create_entry":
        raise HarnessError(f"the options flow refused {changes}: {result}")
    return result


def add_door(api: HaApi, entry_id: str, name: str, **fields: Any) -> None:
    """Add a door to a community through the subentry flow REST API.

    A gate door by default (zone kind ``gate``, direction ``in``); ``fields``
    override the form's values. Waits until the entry, reloaded with the new
    door, is loaded again.
    """
    flow = api.expect(
        "POST",
        "/api/config/config_entries/subentries/flow",
        {"handler": [entry_id, "door"]},
    )
    if flow.get("type") != "form":
        raise HarnessError(f"the door subentry flow did not show a form: {flow}")
    values = {
        field["name"]: field["default"]
        for field in flow["data_schema"]
        if "default" in field
    }
    result = api.expect(
        "POST",
        f"/api/config/config_entries/subentries/flow/{flow['flow_id']}",
        values | {"name": name, "zone_kind": "gate", "direction": "in"} | fields,
    )
    if result.get("type") != "create_entry":
        raise HarnessError(f"the door subentry flow refused {name!r}: {result}")
    wait_until(
        lambda: any(
            e["entry_id"] == entry_id and e["state"] == "loaded" for e in api.entries()
        ),
        60,
        "the community loaded again with its new door",
    )
