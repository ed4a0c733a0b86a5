"""The shipped door-alarm blueprint: a camera snapshot, then the guards notified."""

from __future__ import annotations

from pathlib import Path

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import async_mock_service

from custom_components.community_access.const import DOMAIN
from custom_components.community_access.core.operations.alarms import AlarmKind
from homeassistant.core import HomeAssistant, ServiceCall
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
    # The camera integration needs turbojpeg, not installed here: a stand-in
    # camera.snapshot service that writes the file it is asked for.
    snapshots: list[ServiceCall] = []

    async def _snapshot(call: ServiceCall) -> None:
        snapshots.append(call)
        path = Path(call.data["filename"])
        await hass.async_add_executor_job(path.write_bytes, b"\xff\xd8jpeg")

    hass.services.async_register("camera", "snapshot", _snapshot)
    hass.states.async_set("camera.gate", "idle")
    cameras = ["camera.gate"]
    notified = async_mock_service(hass, "notify", "guard_desk")
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "use_blueprint": {
                    "path": BLUEPRINT,
                    "input": {
                        "camera": cameras[0],
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
    assert len(snapshots) == 1
    assert snapshots[0].data["entity_id"] == ["camera.gate"]
    assert snapshots[0].data["filename"] == str(folder / name)
    assert (folder / name).read_bytes().startswith(b"\xff\xd8")
