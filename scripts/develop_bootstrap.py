"""Helper of scripts/develop (run with the .venv Python; standard library only).

Commands:

``requirements``
    Print the pinned requirements of every integration Home Assistant will load
    from ``config/``: the top-level keys of ``configuration.yaml``, the config
    entries in ``.storage``, the integrations Home Assistant always loads, and
    all their dependencies. Read from the manifests; nothing is imported.
``prepare``
    For a brand-new instance, mark onboarding's ``core_config`` step as done
    in ``.storage/onboarding`` before the first start (see :func:`prepare`).
``port-free``
    Exit 1 with a message when the HTTP port is already taken.
``ping``
    Exit 0 when Home Assistant's HTTP server answers.
``setup``
    Onboard (once), create the demo community (once) and print how to try it.
``call DOMAIN.SERVICE [JSON]``
    Call a service as the development admin and print its response.

The development login lives in ``config/.develop-login`` (mode 0600).
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import errno
from importlib.metadata import PackageNotFoundError, version
import json
import os
from pathlib import Path
import re
import secrets
import socket
import sys
import time
from typing import Any
import urllib.error
from urllib.parse import urlencode, urlsplit
import urllib.request

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = "community_access"
COMMUNITY_NAME = "Sunny Gardens 阳光花园"
USERNAME = "admin"
LOGIN_FILE = ".develop-login"
ONBOARDING_STEPS = ("user", "core_config", "analytics", "integration")

#: Ready-to-try presentations, from custom_components/community_access/demo.py
#: (checked against that file at run time so that they cannot silently rot).
EXAMPLES: list[tuple[str, dict[str, str], str]] = [
    (
        "王建国 (owner, 1-1-101) at his own building",
        {"door": "Building 1 unit door", "kind": "card", "value": "10000101"},
        "granted",
    ),
    (
        "the same card at another building",
        {"door": "Building 3 unit door", "kind": "card", "value": "10000101"},
        "denied: zone_not_allowed",
    ),
    (
        "赵磊 (owner, 3-2-501) at the community gate",
        {"door": "North gate in", "kind": "card", "value": "30000501"},
        "granted",
    ),
]


class DevelopError(Exception):
    """A failure explained to the developer (no traceback)."""


# --------------------------------------------------------------------------
# requirements


def _ha_package() -> Path:
    """Return the installed homeassistant package (found without importing it)."""
    for entry in sys.path:
        candidate = Path(entry or ".") / "homeassistant"
        if (candidate / "bootstrap.py").is_file() and (
            candidate / "components"
        ).is_dir():
            return candidate.resolve()
    raise DevelopError("homeassistant is not installed in this Python")


def _always_loaded(ha: Path) -> set[str]:
    """CORE_INTEGRATIONS and DEFAULT_INTEGRATIONS of homeassistant/bootstrap.py."""
    tree = ast.parse((ha / "bootstrap.py").read_text(encoding="utf-8"))
    found: dict[str, set[str]] = {}
    for node in tree.body:
        target = node.target if isinstance(node, ast.AnnAssign) else None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        if (
            isinstance(target, ast.Name)
            and target.id in ("CORE_INTEGRATIONS", "DEFAULT_INTEGRATIONS")
            and isinstance(node.value, ast.Set)
        ):
            found[target.id] = {
                elt.value
                for elt in node.value.elts
                if isinstance(elt, ast.Constant) and isinstance(elt.value, str)
            }
    if len(found) != 2:
        raise DevelopError(
            "could not read CORE_INTEGRATIONS/DEFAULT_INTEGRATIONS from "
            f"{ha / 'bootstrap.py'}; this helper needs an update"
        )
    return found["CORE_INTEGRATIONS"] | found["DEFAULT_INTEGRATIONS"]


def _configured(config: Path) -> set[str]:
    """Domains of configuration.yaml (top-level keys) and of config entries."""
    domains: set[str] = set()
    yaml_file = config / "configuration.yaml"
    if yaml_file.is_file():
        for line in yaml_file.read_text(encoding="utf-8").splitlines():
            if match := re.match(r"([a-z0-9_]+)(?: [^:]*)?:", line):
                domains.add(match.group(1))
    entries_file = config / ".storage" / "core.config_entries"
    if entries_file.is_file():
        data = json.loads(entries_file.read_text(encoding="utf-8"))
        domains.update(
            entry["domain"]
            for entry in data.get("data", {}).get("entries", [])
            if not entry.get("disabled_by")
        )
    return domains


def requirements(config: Path) -> list[str]:
    """Return the requirements of what Home Assistant loads for ``config``."""
    ha = _ha_package()
    builtin = ha / "components"
    custom = config / "custom_components"
    todo = sorted(_configured(config) | _always_loaded(ha))
    seen: set[str] = set()
    found: set[str] = set()
    while todo:
        domain = todo.pop()
        if domain in seen:
            continue
        seen.add(domain)
        # Custom integrations shadow built-in ones, as in Home Assistant.
        for manifest in (
            custom / domain / "manifest.json",
            builtin / domain / "manifest.json",
        ):
            if manifest.is_file():
                break
        else:
            continue  # e.g. "homeassistant:" packages, or a typo HA will report
        data = json.loads(manifest.read_text(encoding="utf-8"))
        found.update(data.get("requirements", []))
        todo.extend(data.get("dependencies", []))
    return sorted(found, key=str.lower)


def prepare(config: Path) -> None:
    """Pre-mark onboarding's core_config step on a brand-new instance.

    Finishing that step through the API starts config flows for
    google_translate, met, radio_browser and shopping_list. Under --skip-pip
    their packages are missing, so each of them would log an ImportError
    traceback (and shopping_list would add an entry nobody asked for). The
    step itself only records that it is done (and makes sure analytics, which
    is always loaded, is set up), so it is recorded here the way Home Assistant
    stores it; the other steps go through the API.
    """
    storage = config / ".storage"
    if (storage / "onboarding").exists() or (storage / "auth").exists():
        return  # not brand-new: leave it to the API
    source = (_ha_package() / "components" / "onboarding" / "__init__.py").read_text(
        encoding="utf-8"
    )
    match = re.search(r"^STORAGE_VERSION = (\d+)$", source, re.MULTILINE)
    if match is None:
        return  # unknown layout: the API does it (with the tracebacks)
    storage.mkdir(parents=True, exist_ok=True)
    data = {
        "version": int(match.group(1)),
        "minor_version": 1,
        "key": "onboarding",
        "data": {"done": ["core_config"]},
    }
    fd = os.open(storage / "onboarding", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        json.dump(data, file, indent=2)


# --------------------------------------------------------------------------
# HTTP


class Api:
    """A tiny JSON client for Home Assistant's HTTP API (no proxies)."""

    def __init__(self, base: str) -> None:
        """Talk to ``base`` (e.g. http://localhost:8123)."""
        self.base = base.rstrip("/")
        self.client_id = f"{self.base}/"
        self.redirect_uri = f"{self.base}/?auth_callback=1"
        self.token: str | None = None
        self.refresh_token: str | None = None
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        form: dict[str, str] | None = None,
        timeout: float = 60,
    ) -> tuple[int, Any]:
        """Send a request; return (status, decoded JSON or text)."""
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
        req = urllib.request.Request(
            self.base + path, data=data, method=method, headers=headers
        )
        try:
            with self._opener.open(req, timeout=timeout) as resp:
                status, raw = resp.status, resp.read()
        except urllib.error.HTTPError as err:
            status, raw = err.code, err.read()
        except (urllib.error.URLError, OSError) as err:
            raise DevelopError(f"{method} {path}: {err}") from None
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            payload = raw.decode(errors="replace")
        return status, payload

    def expect(self, method: str, path: str, body: Any = None, **kwargs: Any) -> Any:
        """Like :meth:`request`, but anything but 200 is an error."""
        status, payload = self.request(method, path, body, **kwargs)
        if status != 200:
            raise DevelopError(f"{method} {path} answered {status}: {payload}")
        return payload

    def answers(self) -> bool:
        """Return True when the HTTP server answers at all."""
        try:
            # Needs no authentication (a 401 elsewhere would log a warning).
            self.request("GET", "/auth/providers", timeout=3)
        except DevelopError:
            return False
        return True

    # ---- authentication
    def exchange(self, auth_code: str) -> None:
        """Trade an authorization code for tokens."""
        tokens = self.expect(
            "POST",
            "/auth/token",
            form={
                "grant_type": "authorization_code",
                "code": auth_code,
                "client_id": self.client_id,
            },
        )
        self.token = tokens["access_token"]
        self.refresh_token = tokens.get("refresh_token")

    def login(self, username: str, password: str) -> None:
        """Log in through the login flow, as the frontend does."""
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
            raise DevelopError(
                f"logging in as {username!r} failed ({result.get('errors') or result}); "
                f"the password in config/{LOGIN_FILE} does not match this Home "
                "Assistant. Remove config/ to start over"
            )
        self.exchange(result["result"])

    def revoke(self) -> None:
        """Drop the refresh token of this session (keeps the user's list tidy)."""
        if self.refresh_token:
            # Best effort: after e.g. homeassistant.restart nobody answers.
            with contextlib.suppress(DevelopError):
                self.request("POST", "/auth/revoke", form={"token": self.refresh_token})
            self.refresh_token = None


# --------------------------------------------------------------------------
# the login file


def read_login(config: Path) -> dict[str, str] | None:
    """Return the stored development login, if any."""
    path = config / LOGIN_FILE
    if not path.is_file():
        return None
    login: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        key, sep, value = line.partition(":")
        if sep and not key.startswith("#"):
            login[key.strip()] = value.strip()
    if not login.get("username") or not login.get("password"):
        raise DevelopError(f"{path} is not readable as 'username: …' / 'password: …'")
    return login


def create_login(config: Path) -> dict[str, str]:
    """Generate the admin password and store it (0600) before it is used."""
    login = {"username": USERNAME, "password": secrets.token_urlsafe(12)}
    fd = os.open(config / LOGIN_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(
            "# Home Assistant development login, written by scripts/develop\n"
            f"username: {login['username']}\npassword: {login['password']}\n"
        )
    return login


# --------------------------------------------------------------------------
# setup


def onboard(api: Api, config: Path, deadline: float) -> tuple[dict[str, str], bool]:
    """Finish onboarding (what is left of it) and log in; (login, onboarded now)."""
    while True:
        status, steps = api.request("GET", "/api/onboarding")
        if status in (200, 404):
            break
        if time.monotonic() > deadline:
            raise DevelopError(f"GET /api/onboarding answered {status}: {steps}")
        time.sleep(1)
    # The onboarding views are only registered until onboarding is complete.
    done = (
        set(ONBOARDING_STEPS)
        if status == 404
        else {step["step"] for step in steps if step["done"]}
    )
    login = read_login(config)
    if "user" not in done:
        if login is None:
            login = create_login(config)
        result = api.expect(
            "POST",
            "/api/onboarding/users",
            {
                "client_id": api.client_id,
                "name": "Admin",
                "username": login["username"],
                "password": login["password"],
                "language": "en",
            },
        )
        api.exchange(result["auth_code"])
    else:
        if login is None:
            raise DevelopError(
                f"this Home Assistant is already onboarded but config/{LOGIN_FILE} "
                "is missing, so the development login is unknown. Remove config/ "
                "to start over"
            )
        api.login(login["username"], login["password"])
    for step in ONBOARDING_STEPS[1:]:
        if step in done:
            continue
        body = (
            {"client_id": api.client_id, "redirect_uri": api.redirect_uri}
            if step == "integration"
            else {}
        )
        api.expect("POST", f"/api/onboarding/{step}", body)
    return login, done != set(ONBOARDING_STEPS)


def wait_running(api: Api, deadline: float) -> None:
    """Wait until Home Assistant has finished starting."""
    while True:
        state = api.expect("GET", "/api/config").get("state")
        if state == "RUNNING":
            return
        if time.monotonic() > deadline:
            raise DevelopError(f"Home Assistant is still {state} (timeout)")
        time.sleep(1)


def ensure_community(api: Api) -> tuple[list[dict[str, Any]], bool]:
    """Create the demo community unless an entry exists; (entries, created now)."""
    path = f"/api/config/config_entries/entry?domain={DOMAIN}"
    entries: list[dict[str, Any]] = api.expect("GET", path)
    if entries:
        return entries, False
    flow = api.expect("POST", "/api/config/config_entries/flow", {"handler": DOMAIN})
    if flow.get("type") != "form":
        raise DevelopError(f"the {DOMAIN} config flow did not show a form: {flow}")
    result = api.expect(
        "POST",
        f"/api/config/config_entries/flow/{flow['flow_id']}",
        {"name": COMMUNITY_NAME, "demo": True},
    )
    if result.get("type") != "create_entry":
        raise DevelopError(
            f"the {DOMAIN} config flow did not create an entry: {result}"
        )
    return api.expect("GET", path), True


def check_loaded_requirements(api: Api, config: Path) -> list[str]:
    """Return the requirements of loaded integrations that are not installed."""
    ha = _ha_package()
    missing: list[str] = []
    components = api.expect("GET", "/api/config").get("components", [])
    # Platforms are listed as "<integration>.<platform>" next to the integrations.
    domains = {part for component in components for part in component.split(".")}
    for domain in sorted(domains):
        for manifest in (
            config / "custom_components" / domain / "manifest.json",
            ha / "components" / domain / "manifest.json",
        ):
            if manifest.is_file():
                break
        else:
            continue
        for requirement in json.loads(manifest.read_text(encoding="utf-8")).get(
            "requirements", []
        ):
            name = re.split(r"[<>=!~;\[ @]", requirement, maxsplit=1)[0]
            try:
                version(name)
            except PackageNotFoundError:
                missing.append(f"{requirement} ({domain})")
    return missing


def print_summary(
    api: Api, login: dict[str, str], entries: list[dict[str, Any]]
) -> None:
    """URL, login, community state and examples to try."""
    bold, dim, reset = (
        ("\033[1m", "\033[2m", "\033[0m") if sys.stdout.isatty() else ("", "", "")
    )
    print()
    print(f"{bold}Home Assistant is running: {api.base}{reset}")
    print(
        f"  login     {login['username']} / {login['password']}   {dim}(config/{LOGIN_FILE}){reset}"
    )
    for entry in entries:
        reason = f" ({entry['reason']})" if entry.get("reason") else ""
        print(f"  community {entry['title']}: {entry['state']}{reason}")
    # With several communities loaded the service needs to be told which one.
    loaded = [e for e in entries if e["state"] == "loaded"]
    demo = next((e for e in loaded if e["title"] == COMMUNITY_NAME), None)
    target = (demo or loaded[0])["entry_id"] if len(loaded) > 1 else None
    # The examples must still fit the demo: cards from demo.py, doors from HA.
    demo_file = ROOT / "custom_components" / DOMAIN / "demo.py"
    demo_source = demo_file.read_text(encoding="utf-8") if demo_file.is_file() else ""
    doors = {
        state["attributes"].get("friendly_name")
        for state in api.expect("GET", "/api/states")
        if state["entity_id"].startswith("lock.")
    }
    stale = sorted(
        {
            data["value"]
            for _, data, _ in EXAMPLES
            if f'"{data["value"]}"' not in demo_source
        }
        | {data["door"] for _, data, _ in EXAMPLES if data["door"] not in doors}
    )
    if stale:
        print(
            f"  (warning: {', '.join(stale)} not found in demo.py / the door locks; "
            "the examples below may be stale)"
        )
    print()
    print("Try the demo in Settings → Developer tools → Actions (YAML mode),")
    print(f"{api.base}/config/developer-tools/action, or from a terminal:")
    for number, (who, data, expected) in enumerate(EXAMPLES, 1):
        payload = dict(data)
        if target:
            payload = {"config_entry_id": target, **payload}
        print(f"\n  {number}. {who} → {bold}{expected}{reset}")
        print("     action: community_access.present_credential")
        print(f"     data: {json.dumps(payload, ensure_ascii=False)}")
        print(
            f"     {dim}.venv/bin/python scripts/develop_bootstrap.py call "
            f"community_access.present_credential '{json.dumps(payload, ensure_ascii=False)}'{reset}"
        )
    print(
        f"\n{dim}Stop with Ctrl-C. Log: config/home-assistant.log{reset}\n", flush=True
    )


def demo_visitor(api: Api, entries: list[dict[str, Any]]) -> int | None:
    """Register a pending visitor for the demo's 3-2-501 (a new one each start)."""
    loaded = [
        e for e in entries if e["state"] == "loaded" and e["title"] == COMMUNITY_NAME
    ]
    if not loaded:
        return None
    body = {
        "config_entry_id": loaded[0]["entry_id"],
        "unit": "3-2-501",
        "name": "钱多多",
        # A made-up resident ID with a valid check digit (demo data).
        "id_number": "11010519800101050X",
        "phone": "13900001111",
        "purpose": "送文件 (delivering documents)",
        "expected_minutes": 60,
    }
    status, payload = api.request(
        "POST", "/api/services/community_access/register_visitor?return_response", body
    )
    if status != 200 or not isinstance(payload, dict):
        print(
            f"[develop] warning: could not register the demo visitor ({status})",
            flush=True,
        )
        return None
    response = payload.get("service_response", {})
    return int(response["visit_id"]) if "visit_id" in response else None


def setup(api: Api, config: Path, timeout: float) -> None:
    """Onboard, create the community, print the summary."""
    deadline = time.monotonic() + timeout
    login, onboarded = onboard(api, config, deadline)
    try:
        print(
            "[develop] onboarding done (user 'admin' created)"
            if onboarded
            else "[develop] already onboarded; logged in",
            flush=True,
        )
        wait_running(api, deadline)
        entries, created = ensure_community(api)
        print(
            f"[develop] created the demo community {COMMUNITY_NAME!r}"
            if created
            else f"[develop] {DOMAIN} is already set up ({len(entries)} entr"
            f"{'y' if len(entries) == 1 else 'ies'})",
            flush=True,
        )
        for missing in check_loaded_requirements(api, config):
            print(
                f"[develop] warning: loaded but not installed: {missing}; add its "
                "domain to config/configuration.yaml so scripts/develop installs it",
                flush=True,
            )
        visit = demo_visitor(api, entries)
        print_summary(api, login, entries)
        if visit is not None:
            print(
                f"A visitor is waiting at the gate for 3-2-501 (visit {visit}). Approve "
                "within 3 minutes, or it is refused as host_unreachable (seed 134):\n"
                f"     action: community_access.approve_visitor\n"
                f'     data: {{"visit_id": {visit}}}\n',
                flush=True,
            )
    finally:
        api.revoke()


def call(api: Api, config: Path, service: str, data: str) -> None:
    """Call a service with its response and print the result."""
    domain, sep, name = service.partition(".")
    if not sep:
        raise DevelopError(
            "the service is DOMAIN.SERVICE, e.g. community_access.present_credential"
        )
    try:
        body = json.loads(data)
    except ValueError as err:
        raise DevelopError(f"the service data is not JSON: {err}") from None
    login = read_login(config)
    if login is None:
        raise DevelopError(f"no config/{LOGIN_FILE}; run scripts/develop first")
    api.login(login["username"], login["password"])
    try:
        path = f"/api/services/{domain}/{name}"
        status, payload = api.request("POST", path + "?return_response", body)
        if status == 400 and "does not support responses" in str(payload):
            status, payload = api.request("POST", path, body)
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        if status != 200:
            raise DevelopError(f"POST {path} answered {status}")
    finally:
        api.revoke()


def port_free(url: str) -> None:
    """Fail when something already listens on the port of ``url``."""
    port = urlsplit(url).port or 8123
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("0.0.0.0", port))  # noqa: S104 - Home Assistant's default
        except OSError as err:
            if err.errno != errno.EADDRINUSE:
                raise
            raise DevelopError(
                f"port {port} is already in use (another Home Assistant?). "
                f"See who holds it: ss -ltnp 'sport = :{port}' (or lsof -i :{port})"
            ) from None


def main() -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--url", default=os.environ.get("DEVELOP_URL", "http://localhost:8123")
    )
    parser.add_argument("--config", type=Path, default=ROOT / "config")
    parser.add_argument("--timeout", type=float, default=180)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("requirements")
    sub.add_parser("prepare")
    sub.add_parser("port-free")
    sub.add_parser("ping")
    sub.add_parser("setup")
    call_parser = sub.add_parser("call")
    call_parser.add_argument("service")
    call_parser.add_argument("data", nargs="?", default="{}")
    args = parser.parse_args()
    api = Api(args.url)
    try:
        match args.command:
            case "requirements":
                print("\n".join(requirements(args.config)))
            case "prepare":
                prepare(args.config)
            case "port-free":
                port_free(args.url)
            case "ping":
                return 0 if api.answers() else 1
            case "setup":
                setup(api, args.config, args.timeout)
            case "call":
                call(api, args.config, args.service, args.data)
    except DevelopError as err:
        print(f"[develop] error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
