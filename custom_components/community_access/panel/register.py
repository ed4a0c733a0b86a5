"""The three sidebar panels: registered with the first community, removed with the last.

The built bundle (``frontend/community-access-panel.js``, inside the package so
HACS installs it) is served under :data:`STATIC_URL`; each panel loads it as an
ES module (its URL carries the integration's version so a new release is not
served from the browser's cache) and tells it which view to show.

``require_admin`` only hides a panel: every command checks its caller itself.
"""

from __future__ import annotations

from dataclasses import dataclass
import hashlib
from pathlib import Path

from custom_components.community_access.const import DOMAIN
from homeassistant.components import frontend, panel_custom
from homeassistant.components.http import StaticPathConfig
from homeassistant.core import HomeAssistant
from homeassistant.helpers.translation import async_get_translations
from homeassistant.loader import async_get_integration

STATIC_URL = "/community_access_static"
FRONTEND_DIR = Path(__file__).parent / "frontend"
BUNDLE = "community-access-panel.js"
WEBCOMPONENT = "community-access-panel"
_STATIC_DONE = f"{DOMAIN}_panel_static"


@dataclass(frozen=True, slots=True)
class PanelSpec:
    """One sidebar panel: its URL path, view, icon and who sees it in the sidebar."""

    url_path: str
    view: str
    icon: str
    require_admin: bool


PANELS: tuple[PanelSpec, ...] = (
    PanelSpec("community-office", "office", "mdi:office-building-cog", True),
    PanelSpec("community-gate", "gate", "mdi:boom-gate", False),
    PanelSpec("community-home", "home", "mdi:home-account", False),
)


def sidebar_language(hass: HomeAssistant) -> str:
    """Return the sidebar titles' language: Chinese when the server speaks it."""
    return "zh-Hans" if (hass.config.language or "").startswith("zh") else "en"


async def _titles(hass: HomeAssistant) -> dict[str, str]:
    strings = await async_get_translations(
        hass, sidebar_language(hass), "selector", [DOMAIN]
    )
    prefix = f"component.{DOMAIN}.selector.panel_title.options."
    return {spec.view: strings.get(prefix + spec.view, spec.view) for spec in PANELS}


def _bundle_hash() -> str | None:
    try:
        return hashlib.sha256((FRONTEND_DIR / BUNDLE).read_bytes()).hexdigest()[:12]
    except OSError:
        return None


async def module_url(hass: HomeAssistant) -> str:
    """Return the bundle's URL, versioned by its content (else by the release)."""
    version = await hass.async_add_executor_job(_bundle_hash)
    if version is None:
        version = str((await async_get_integration(hass, DOMAIN)).version)
    return f"{STATIC_URL}/{BUNDLE}?v={version}"


def _loaded_others(hass: HomeAssistant, entry_id: str) -> bool:
    return any(
        entry.entry_id != entry_id
        for entry in hass.config_entries.async_loaded_entries(DOMAIN)
    )


async def async_register_panels(hass: HomeAssistant) -> None:
    """Serve the bundle (once per run) and register the panels (if not yet)."""
    if not hass.data.get(_STATIC_DONE):
        # A route cannot be removed from a running server: it is added once.
        await hass.http.async_register_static_paths(
            [StaticPathConfig(STATIC_URL, str(FRONTEND_DIR), cache_headers=False)]
        )
        hass.data[_STATIC_DONE] = True
    registered = hass.data.get(frontend.DATA_PANELS, {})
    titles = await _titles(hass)
    url = await module_url(hass)
    for spec in PANELS:
        if spec.url_path in registered:
            continue
        await panel_custom.async_register_panel(
            hass,
            frontend_url_path=spec.url_path,
            webcomponent_name=WEBCOMPONENT,
            sidebar_title=titles[spec.view],
            sidebar_icon=spec.icon,
            module_url=url,
            config={"view": spec.view},
            require_admin=spec.require_admin,
        )


def async_remove_panels(hass: HomeAssistant, entry_id: str) -> None:
    """Remove the panels when the entry unloading is the last community loaded."""
    if _loaded_others(hass, entry_id):
        return
    for spec in PANELS:
        frontend.async_remove_panel(hass, spec.url_path, warn_if_unknown=False)
