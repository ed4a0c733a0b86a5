"""The shipped door-alarm blueprint: a camera snapshot, then the guards notified."""

from __future__ import annotations

from pathlib import Path
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_mock_service,
)

from custom_components.community_access.const import DOMAIN
from custom_components.community_access.core.operations.alarms import AlarmKind
from homeassistant.components import demo
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from tests.conftest import make_entry
from tests.helpers import setup_community

BLUEPRINT = f"{DOMAIN}/door_alarm_snapshot.yaml"


async def test_door_alarm_blueprint_snapshots_and_notifies(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    entry = make_entry()
    await setup_community(hass, entry)
    target = Path(hass.config.config_dir) / "blueprints" / "automation" / DOMAIN
    assert (target / "door_alarm_snapshot.yaml").is_file()
    folder = Path(hass.config.config_dir) / "www" / "community_access"
    folder.mkdir(parents=True)
    # A real camera entity: Home Assistant's demo camera (its platform only),
    # whose stills are the demo integration's JPEG files. Demo depends on
    # conversation, which needs the homeassistant integration set up.
    assert await async_setup_component(hass, "homeassistant", {})
    with patch.object(
        demo, "COMPONENTS_WITH_CONFIG_ENTRY_DEMO_PLATFORM", [Platform.CAMERA]
    ):
        camera_entry = MockConfigEntry(domain="demo")
        camera_entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(camera_entry.entry_id)
        await hass.async_block_till_done()
    camera = "camera.demo_camera_without_stream"
    assert hass.states.get(camera) is not None
    # camera.snapshot writes only where Home Assistant is allowed to.
    hass.config.allowlist_external_dirs = {str(folder)}
    stills = Path(demo.__file__).parent
    notified = async_mock_service(hass, "notify", "guard_desk")
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "use_blueprint": {
                    "path": BLUEPRINT,
                    "input": {
                        "camera": camera,
                        "notify_service": "notify.guard_desk",
                        "kinds": ["tamper", "forced_open"],
                        "snapshot_folder": str(folder),
                    },
                }
            }
        },
    )
    await hass.async_block_till_done()

    alarms = entry.runtime_data.ops.alarms
    assert alarms is not None
    alarms.reader_status("door_gate", AlarmKind.POWER_FAILURE, True)  # filtered out
    alarms.reader_status("door_gate", AlarmKind.TAMPER, True)
    await hass.async_block_till_done()
    await hass.async_block_till_done()

    assert len(notified) == 1
    data = notified[0].data
    assert data["message"] == "Main gate: tamper"
    tamper = next(a for a in alarms.open.values() if a.kind is AlarmKind.TAMPER)
    name = f"door_alarm_{tamper.id}.jpg"
    assert data["data"]["image"] == f"/local/community_access/{name}"
    # The demo camera wrote one of its stills (a JPEG) there.
    written = (folder / name).read_bytes()
    assert written.startswith(b"\xff\xd8")
    assert written in {(stills / f"demo_{n}.jpg").read_bytes() for n in range(4)}
    assert sorted(p.name for p in folder.iterdir()) == [name]
