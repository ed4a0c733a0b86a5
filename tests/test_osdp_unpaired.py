"""A reader that is not paired yet raises a warning until it is (plaintext on the wire)."""

from __future__ import annotations

from custom_components.community_access.const import DOMAIN
from custom_components.community_access.osdp_keys import unpaired_issue_id
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from .test_osdp_ha import Setup, Wire, paired, pytestmark, setup_osdp, wire

__all__ = ["pytestmark", "setup_osdp", "wire"]


async def test_unpaired_reader_warns_until_paired(
    hass: HomeAssistant, wire: Wire, setup_osdp: Setup
) -> None:
    await wire.start_pd(install=True)
    _entry, hub, reader = await setup_osdp()
    issue_id = unpaired_issue_id("reader_b3")
    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.severity is ir.IssueSeverity.WARNING
    assert issue.translation_placeholders == {"reader": "B3 reader"}

    await paired(hub, reader, wire)
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
