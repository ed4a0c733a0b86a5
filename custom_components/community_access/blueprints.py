"""Blueprints and Assist sentences shipped inside the package, installed on setup.

HACS installs only this package, so the blueprints and the voice sentences
travel with it. Blueprints are copied to
``blueprints/automation/community_access/`` and the sentences to
``custom_sentences/<language>/community_access.yaml`` when missing. A copy
the user changed is never overwritten.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
import shutil

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError

from .const import DOMAIN, LOGGER

SOURCE = Path(__file__).parent / "blueprints"
SENTENCES = Path(__file__).parent / "sentences"
#: Sentence folders (named like the translations) → the folder under
#: ``custom_sentences/`` that the conversation agent reads for that language
#: (Home Assistant's intents know Simplified Chinese as ``zh-CN``).
SENTENCE_FOLDERS = {"zh-Hans": "zh-CN"}


def _copy_missing(config_dir: Path, pairs: Iterable[tuple[Path, Path]]) -> list[str]:
    installed = []
    for source, target in pairs:
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        installed.append(str(target.relative_to(config_dir)))
    return installed


def sentence_targets(config_dir: Path) -> list[tuple[Path, Path]]:
    """(shipped sentence file, where it goes in the configuration)."""
    pairs = []
    for source in sorted(SENTENCES.glob("*/*.yaml")):
        language = source.parent.name
        folder = SENTENCE_FOLDERS.get(language, language)
        pairs.append((source, config_dir / "custom_sentences" / folder / source.name))
    return pairs


def _install(config_dir: Path) -> tuple[list[str], list[str]]:
    blueprints = _copy_missing(
        config_dir,
        (
            (source, config_dir / "blueprints" / source.relative_to(SOURCE))
            for source in sorted(SOURCE.rglob("*.yaml"))
        ),
    )
    sentences = _copy_missing(config_dir, sentence_targets(config_dir))
    return blueprints, sentences


async def async_install_blueprints(hass: HomeAssistant) -> None:
    """Copy the shipped blueprints and sentences not there yet (off the event loop)."""
    try:
        blueprints, sentences = await hass.async_add_executor_job(
            _install, Path(hass.config.config_dir)
        )
    except OSError as err:
        LOGGER.warning("Could not install the %s blueprints: %s", DOMAIN, err)
        return
    if blueprints:
        LOGGER.info("Installed blueprints: %s", ", ".join(blueprints))
    if sentences:
        LOGGER.info("Installed Assist sentences: %s", ", ".join(sentences))
        # The conversation agent caches the sentences it has read; if it is
        # already running, let it read the new ones on next use.
        if hass.services.has_service("conversation", "reload"):
            try:
                await hass.services.async_call("conversation", "reload", blocking=True)
            except (HomeAssistantError, OSError) as err:
                LOGGER.debug("Could not reload the conversation agent: %s", err)
