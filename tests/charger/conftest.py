"""Fixtures of the charger tests: a simulated charger on loopback and its config entry."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from datetime import timedelta
from typing import Any

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_PORT, CONF_SSL, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from custom_components.openevse_moogo.charger import grace
from custom_components.openevse_moogo.charger.releases import RELEASES_KEY, FirmwareReleases
from custom_components.openevse_moogo.const import CONF_FAMILY, DOMAIN, FAMILY_CHARGER
from tests.simulators.github_releases import ReleaseServer
from tests.simulators.openevse import ChargerSimulator
from tests.snapshot import PinnedRegistrySnapshotExtension

SERIAL = "A4CF12B37C40"
USERNAME = "admin"
PASSWORD = "garage-secret"


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Snapshots through Home Assistant's extension, which hides ids and timestamps."""
    return snapshot.use_extension(PinnedRegistrySnapshotExtension)


@pytest.fixture(autouse=True)
def loopback_sockets(socket_enabled: None) -> None:
    """Allow sockets: the harness still limits connections to 127.0.0.1."""


@pytest.fixture
def fast_grace(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shrink the grace rules' durations (same rules, tenths of a second instead of seconds)."""
    monkeypatch.setattr(grace, "TRANSIENT_GRACE", 1.0)
    monkeypatch.setattr(grace, "DEGRADED_POLL_INTERVAL", timedelta(seconds=0.2))


@pytest.fixture
def sim_options() -> dict[str, Any]:
    """Constructor options of the simulator (override per test module or test)."""
    return {}


@pytest.fixture
async def charger(
    hass: HomeAssistant, sim_options: dict[str, Any]
) -> AsyncGenerator[ChargerSimulator]:
    """A running simulated charger, idle, no car."""
    sim = ChargerSimulator(**{"tick": 0.05, "restart_downtime": 0.1, **sim_options})
    await sim.start()
    yield sim
    await sim.stop()


def entry_data(sim: ChargerSimulator, **extra: Any) -> dict[str, Any]:
    """Entry data pointing at the simulator."""
    data: dict[str, Any] = {
        CONF_FAMILY: FAMILY_CHARGER,
        CONF_HOST: sim.host,
        CONF_PORT: sim.port,
        CONF_SSL: False,
    }
    credentials = sim.credentials
    if credentials is not None:
        data[CONF_USERNAME], data[CONF_PASSWORD] = credentials
    return data | extra


@pytest.fixture
def entry(hass: HomeAssistant, charger: ChargerSimulator) -> MockConfigEntry:
    """The charger's config entry, added to Home Assistant but not set up."""
    config_entry = MockConfigEntry(
        domain=DOMAIN,
        title="openevse-7c40",
        unique_id=SERIAL,
        data=entry_data(charger),
    )
    config_entry.add_to_hass(hass)
    return config_entry


@pytest.fixture
async def loaded(hass: HomeAssistant, entry: MockConfigEntry) -> AsyncGenerator[MockConfigEntry]:
    """The entry set up against the simulator; unloaded at the end of the test."""
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    yield entry
    if entry.state is ConfigEntryState.LOADED:
        assert await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()


async def wait_for(predicate: Any, within: float = 3.0) -> None:
    """Wait until predicate() is true (pushes arrive on real sockets, not instantly)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.01)


def state_of(hass: HomeAssistant, entity_id: str) -> str:
    """The entity's state (fails clearly when the entity does not exist)."""
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state.state


@pytest.fixture
async def release_server(hass: HomeAssistant) -> AsyncGenerator[ReleaseServer]:
    """The firmware project's releases, as GitHub serves them, checked by every charger."""
    server = ReleaseServer()
    server.publish("v5.1.5", notes="Earlier release.")
    await server.start()
    hass.data[RELEASES_KEY] = FirmwareReleases(async_get_clientsession(hass), server.latest_url)
    yield server
    await server.stop()
