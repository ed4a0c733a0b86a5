"""Fixtures of the Zigbee2MQTT tests: a real broker, HA's real ``mqtt``, a sim lock.

* ``mqtt_broker``: a private Debian ``mosquitto`` on a free port of
  127.0.0.1 (``broker.py``), one per test, so retained messages never leak
  between tests. Missing mosquitto fails the test with the remedy.
* ``mqtt_setup``: Home Assistant's own ``mqtt`` integration set up against
  it (discovery on, prefix ``homeassistant``), connected; returns its entry.
  Not pytest-homeassistant's ``mqtt_mock``: the real paho client of HA
  talks to the real broker. It waits for HA's birth message
  (``homeassistant/status`` ``online``), with HA's discovery cool-down
  shortened from 5 s to 0.1 s as HA's own MQTT tests do.
* ``z2m_lock``: an async factory of :class:`~.lock_sim.Z2mLockSim`; when
  ``mqtt`` is set up it waits until HA discovered the lock and shows its
  state (``sim.entity_id``). All sims stop at the end of the test.

Sockets: pytest-homeassistant-custom-component disables them in every test
(pytest-socket, 127.0.0.1 allowed once enabled); ``mqtt_broker`` asks for
pytest-socket's ``socket_enabled`` so the test, HA's client and the sim may
connect to the broker.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.components import mqtt
from homeassistant.components.mqtt import client as mqtt_client
from homeassistant.components.mqtt.const import (
    CONFIG_ENTRY_MINOR_VERSION,
    CONFIG_ENTRY_VERSION,
    DOMAIN as MQTT_DOMAIN,
)
from homeassistant.components.mqtt.models import DATA_MQTT
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback

from . import wait_for, wait_for_lock_entity
from .broker import BrokerUnavailable, MosquittoBroker, start_broker
from .lock_sim import Z2mLockSim

Z2mLockFactory = Callable[..., Awaitable[Z2mLockSim]]


@pytest.fixture
def mqtt_broker(socket_enabled: None) -> Iterator[MosquittoBroker]:
    """A private mosquitto for this test (stopped and removed afterwards)."""
    try:
        broker = start_broker()
    except BrokerUnavailable as err:
        pytest.fail(str(err), pytrace=False)
    yield broker
    broker.close()


def mqtt_connected(hass: HomeAssistant) -> bool:
    """Whether HA's MQTT client is connected to the broker."""
    data = hass.data.get(DATA_MQTT)
    return data is not None and data.client.connected


@pytest.fixture
async def mqtt_setup(
    hass: HomeAssistant, mqtt_broker: MosquittoBroker, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[MockConfigEntry]:
    """HA's real ``mqtt`` integration, connected to ``mqtt_broker``.

    ``mqtt`` reads ``configuration.yaml`` (for YAML-defined MQTT items); the
    test's config folder gets an empty one when it has none.
    """
    # HA's client waits 5 s of discovery silence before its birth message
    # and 0.5 s before its first subscriptions; HA's own MQTT tests shorten
    # both, so do these (the behaviour is the same, only sooner).
    monkeypatch.setattr(mqtt_client, "DISCOVERY_COOLDOWN", 0.1)
    monkeypatch.setattr(mqtt_client, "INITIAL_SUBSCRIBE_COOLDOWN", 0.05)
    # And it retries a lost broker every 10 s: 1 s here (broker outage tests).
    monkeypatch.setattr(mqtt_client, "RECONNECT_INTERVAL_SECONDS", 1)
    config_yaml = Path(hass.config.path("configuration.yaml"))
    if not await hass.async_add_executor_job(config_yaml.exists):
        await hass.async_add_executor_job(config_yaml.write_text, "")
    entry = MockConfigEntry(
        domain=MQTT_DOMAIN,
        title=f"{mqtt_broker.host}:{mqtt_broker.port}",
        data={"broker": mqtt_broker.host, "port": mqtt_broker.port},
        options={"discovery": True, "discovery_prefix": "homeassistant"},
        version=CONFIG_ENTRY_VERSION,
        minor_version=CONFIG_ENTRY_MINOR_VERSION,
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await wait_for(hass, lambda: mqtt_connected(hass), "HA's MQTT client to connect")
    # HA publishes its birth message once MQTT discovery has cooled down
    # (about a second); waiting for it keeps the tests deterministic (a
    # broker stopped before it makes HA's birth task fail; Zigbee2MQTT, and
    # the sim, answer it by publishing their states again).
    births: list[str] = []

    @callback
    def birth(msg: mqtt.ReceiveMessage) -> None:
        births.append(str(msg.payload))

    unsubscribe = await mqtt.async_subscribe(hass, "homeassistant/status", birth)
    await wait_for(hass, lambda: "online" in births, "HA's MQTT birth message", 20)
    unsubscribe()
    await hass.async_block_till_done()
    yield entry
    if entry.state is ConfigEntryState.LOADED:
        await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()


@pytest.fixture
async def z2m_lock(
    hass: HomeAssistant, mqtt_broker: MosquittoBroker
) -> AsyncIterator[Z2mLockFactory]:
    """Start simulated Zigbee2MQTT locks: ``sim = await z2m_lock(friendly_name=...)``."""
    sims: list[Z2mLockSim] = []

    async def factory(**kwargs: Any) -> Z2mLockSim:
        sim = Z2mLockSim(mqtt_broker.host, mqtt_broker.port, **kwargs)
        await sim.start()
        sims.append(sim)
        if mqtt_connected(hass):
            await wait_for_lock_entity(hass, sim)
        return sim

    yield factory
    for sim in sims:
        await sim.stop()
