"""Real entities for the emergency and lockdown tests: bolt locks, a fire panel input."""

from __future__ import annotations

from typing import Any

from custom_components.community_access.const import DOMAIN
from homeassistant.components import persistent_notification
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from tests.ptys import wait_for

#: The fire panel's dry contact as Home Assistant sees it (a template binary
#: sensor on ``input_boolean.fire_alarm``).
FIRE_PANEL = "binary_sensor.fire_panel"


def bolt_lock(name: str) -> dict[str, Any]:
    """A template lock on ``input_boolean.<name>_bolt`` (on: locked)."""
    bolt = f"input_boolean.{name}_bolt"
    return {
        "name": f"{name} lock",
        "unique_id": f"{name}_lock",
        "state": f"{{{{ is_state('{bolt}', 'on') }}}}",
        "lock": {"action": "input_boolean.turn_on", "target": {"entity_id": bolt}},
        "unlock": {"action": "input_boolean.turn_off", "target": {"entity_id": bolt}},
    }


async def setup_locks_and_panel(hass: HomeAssistant, names: list[str]) -> None:
    """Bolt locks ``lock.<name>_lock`` (locked), the fire panel input (off).

    And a door contact, ``binary_sensor.gate_contact`` (closed).
    """
    booleans: dict[str, Any] = {f"{n}_bolt": {"initial": True} for n in names}
    booleans["fire_alarm"] = {"initial": False}
    booleans["gate_open"] = {"initial": False}  # the gate's door contact
    assert await async_setup_component(
        hass, "input_boolean", {"input_boolean": booleans}
    )
    assert await async_setup_component(
        hass,
        "template",
        {
            "template": [
                {
                    "lock": [bolt_lock(n) for n in names],
                    "binary_sensor": [
                        {
                            "name": "Fire panel",
                            "state": "{{ is_state('input_boolean.fire_alarm', 'on') }}",
                        },
                        {
                            "name": "Gate contact",
                            "device_class": "door",
                            "state": "{{ is_state('input_boolean.gate_open', 'on') }}",
                        },
                    ],
                }
            ]
        },
    )
    await hass.async_block_till_done()
    for name in names:
        assert hass.states.get(f"lock.{name}_lock").state == "locked"


async def switch(hass: HomeAssistant, entity_id: str, on: bool) -> None:
    """Turn an input boolean on or off and let everything settle."""
    await hass.services.async_call(
        "input_boolean",
        "turn_on" if on else "turn_off",
        {"entity_id": entity_id},
        blocking=True,
    )
    await hass.async_block_till_done()


def notifications(hass: HomeAssistant) -> set[str]:
    """Ids of this integration's persistent notifications shown now."""
    shown = persistent_notification._async_get_or_create_notifications(hass)  # noqa: SLF001
    return {key for key in shown if key.startswith(DOMAIN)}


async def settled(hass: HomeAssistant, entity_id: str, expected: str) -> None:
    """Wait until an entity shows ``expected``.

    Template entities write a change a loop iteration later, after
    ``async_block_till_done`` may have returned.
    """
    await hass.async_block_till_done()
    await wait_for(lambda: state(hass, entity_id) == expected)
    await hass.async_block_till_done()


def state(hass: HomeAssistant, entity_id: str) -> str:
    """The state of an entity that must exist."""
    current = hass.states.get(entity_id)
    assert current is not None, entity_id
    return current.state
