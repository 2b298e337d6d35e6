"""Fixtures for the Moogo pump tests: a real cloud simulator on loopback and a real account."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncGenerator
from datetime import timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant import config_entries
from homeassistant.config_entries import ConfigEntry, ConfigFlowResult
from homeassistant.const import CONF_EMAIL, CONF_PASSWORD, CONF_URL
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import async_fire_time_changed
from syrupy.assertion import SnapshotAssertion

from custom_components.openevse_moogo.const import DOMAIN
from custom_components.openevse_moogo.pump import coordinator as pump_coordinator
from custom_components.openevse_moogo.pump.coordinator import PumpCoordinator
from tests.simulators.moogo import MoogoCloudSimulator
from tests.snapshot import PinnedRegistrySnapshotExtension


@pytest.fixture(autouse=True)
def fast_confirm(monkeypatch: pytest.MonkeyPatch) -> None:
    """Confirm spray commands quickly: the simulator's pumps act within 50 ms."""
    monkeypatch.setattr(pump_coordinator, "CONFIRM_FIRST_READ_AFTER", 0.02)
    monkeypatch.setattr(pump_coordinator, "CONFIRM_FAST_POLL_INTERVAL", 0.01)
    monkeypatch.setattr(pump_coordinator, "CONFIRM_FAST_UNTIL", 0.1)
    monkeypatch.setattr(pump_coordinator, "CONFIRM_POLL_INTERVAL", 0.02)
    monkeypatch.setattr(pump_coordinator, "CONFIRM_WITHIN", 0.5)


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Snapshots through Home Assistant's extension, which hides ids and timestamps."""
    return snapshot.use_extension(PinnedRegistrySnapshotExtension)


@pytest.fixture(autouse=True)
def loopback_sockets(socket_enabled: None) -> None:
    """Allow sockets: the harness still limits connections to 127.0.0.1."""


@pytest.fixture
async def simulator(hass: HomeAssistant) -> AsyncGenerator[MoogoCloudSimulator]:
    """A running Moogo cloud with one pump whose commands take effect after 50 ms."""
    sim = MoogoCloudSimulator(spray_confirm_delay=0.05, ota_seconds=0.2)
    await sim.start()
    yield sim
    await sim.stop()


async def start_moogo_flow(hass: HomeAssistant) -> str:
    """Open the integration's flow (advanced mode) and pick "Moogo account"; return the flow id."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": config_entries.SOURCE_USER},
    )
    assert result["type"] is FlowResultType.MENU
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "moogo"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "moogo"
    return result["flow_id"]


def credentials(
    sim: MoogoCloudSimulator, *, url: str | None = None, **changes: str
) -> dict[str, Any]:
    """The form input that signs in to the simulator's account."""
    return {
        CONF_EMAIL: sim.email,
        CONF_PASSWORD: sim.password,
        "advanced": {CONF_URL: url or sim.url},
        **changes,
    }


async def add_account(hass: HomeAssistant, sim: MoogoCloudSimulator) -> ConfigEntry:
    """Add the simulator's account through the config flow and wait for it to be set up."""
    flow_id = await start_moogo_flow(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, credentials(sim))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    entry = result["result"]
    assert entry.state is config_entries.ConfigEntryState.LOADED
    return entry


@pytest.fixture
async def account(
    hass: HomeAssistant, simulator: MoogoCloudSimulator
) -> AsyncGenerator[ConfigEntry]:
    """The simulator's account, added and loaded; unloaded at the end of the test."""
    entry = await add_account(hass, simulator)
    yield entry
    if entry.state is config_entries.ConfigEntryState.LOADED:
        assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


def frozen_clock() -> float:
    """Seconds since the epoch on the test's clock (looked up per call, so the freezer applies)."""
    return time.time()


async def let_time_pass(hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: int) -> None:
    """Move the frozen clock a second at a time, running every timer (and its reads) due."""
    for _second in range(seconds):
        freezer.tick(timedelta(seconds=1))
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)


@pytest.fixture
async def frozen_account(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, caplog: pytest.LogCaptureFixture
) -> AsyncGenerator[tuple[MoogoCloudSimulator, ConfigEntry]]:
    """An account with one pump on a simulator that follows the frozen clock."""
    caplog.set_level(logging.CRITICAL, logger="aiohttp.access")  # no UTC offset under freezer
    sim = MoogoCloudSimulator(spray_confirm_delay=0.05, clock=frozen_clock)
    await sim.start()
    entry = await add_account(hass, sim)
    yield sim, entry
    sim.faults = type(sim.faults)()
    if entry.state is config_entries.ConfigEntryState.LOADED:
        assert await hass.config_entries.async_unload(entry.entry_id)
    await sim.stop()


def coordinator_of(entry: ConfigEntry) -> PumpCoordinator:
    """The entry's coordinator."""
    coordinator: PumpCoordinator = entry.runtime_data.coordinator
    return coordinator


async def start_reauth(hass: HomeAssistant, entry: ConfigEntry) -> ConfigFlowResult:
    """Open the re-authentication flow of an entry."""
    return await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": config_entries.SOURCE_REAUTH, "entry_id": entry.entry_id},
        data=entry.data,
    )


async def start_reconfigure(hass: HomeAssistant, entry: ConfigEntry) -> ConfigFlowResult:
    """Open the reconfiguration flow of an entry."""
    return await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": config_entries.SOURCE_RECONFIGURE, "entry_id": entry.entry_id},
    )
