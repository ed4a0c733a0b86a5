"""Blueprints shipped inside the package, installed into the configuration.

HACS installs only this package, so the blueprints travel with it and are
copied to ``blueprints/automation/community_access/`` when missing. A copy the
user changed is never overwritten.
"""

from __future__ import annotations

from pathlib import Path
import shutil

from homeassistant.core import HomeAssistant

from .const import DOMAIN, LOGGER

SOURCE = Path(__file__).parent / "blueprints"


def _install(config_dir: Path) -> list[str]:
    installed = []
    for source in sorted(SOURCE.rglob("*.yaml")):
        target = config_dir / "blueprints" / source.relative_to(SOURCE)
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        installed.append(str(target.relative_to(config_dir)))
    return installed


async def async_install_blueprints(hass: HomeAssistant) -> None:
    """Copy the shipped blueprints that are not there yet (off the event loop)."""
    try:
        installed = await hass.async_add_executor_job(
            _install, Path(hass.config.config_dir)
        )
    except OSError as err:
        LOGGER.warning("Could not install the %s blueprints: %s", DOMAIN, err)
        return
    if installed:
        LOGGER.info("Installed blueprints: %s", ", ".join(installed))
