"""Simulated chargers on loopback, their loaded entries, and a circuit made through the flow."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable
from typing import Any

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openevse_moogo.circuit.ha.controller import CircuitController
from custom_components.openevse_moogo.const import DOMAIN
from tests.charger.conftest import entry_data
from tests.simulators.openevse import ChargerSimulator

SERIALS = ("A4CF12B30001", "A4CF12B30002", "A4CF12B30003")


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """These tests run Home Assistant (the pure core's conftest turns it off)."""


@pytest.fixture(autouse=True)
def loopback_sockets(socket_enabled: None) -> None:
    """Allow sockets: the harness still limits connections to 127.0.0.1."""


@pytest.fixture
def sim_options() -> dict[str, Any]:
    """Constructor options of every simulated charger."""
    return {}


@pytest.fixture
async def chargers(sim_options: dict[str, Any]) -> AsyncGenerator[list[ChargerSimulator]]:
    """Three running simulated chargers, idle, no car."""
    sims = [
        ChargerSimulator(serial=serial, **{"tick": 0.05, "restart_downtime": 0.2, **sim_options})
        for serial in SERIALS
    ]
    for sim in sims:
        await sim.start()
    yield sims
    for sim in sims:
        await sim.stop()


@pytest.fixture
async def charger_entries(
    hass: HomeAssistant, chargers: list[ChargerSimulator]
) -> AsyncGenerator[list[MockConfigEntry]]:
    """The three chargers' entries, loaded."""
    entries = []
    for number, sim in enumerate(chargers, start=1):
        entry = MockConfigEntry(
            domain=DOMAIN, title=f"Charger {number}", unique_id=sim.serial, data=entry_data(sim)
        )
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        entries.append(entry)
    await hass.async_block_till_done()
    assert all(e.state is ConfigEntryState.LOADED for e in entries)
    yield entries
    for entry in entries:
        if entry.state is ConfigEntryState.LOADED:
            await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


async def create_circuit(
    hass: HomeAssistant,
    chargers: list[MockConfigEntry],
    *,
    limit: float = 40,
    margin: float = 1,
    phases: str = "1",
    load_current: list[str] | None = None,
    load_power: str | None = None,
    mode: str = "pause",
    phase_input: dict[str, list[str]] | None = None,
) -> str:
    """Add a circuit through the config flow; return its entry id."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": "user"})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "circuit"}
    )
    assert result["step_id"] == "circuit"
    user_input: dict[str, Any] = {
        "name": "Garage",
        "limit": limit,
        "phases": phases,
        "chargers": [e.entry_id for e in chargers],
        "margin": margin,
    }
    if load_current:
        user_input["load_current"] = load_current
    if load_power:
        user_input["load_power"] = load_power
    result = await hass.config_entries.flow.async_configure(result["flow_id"], user_input)
    if phases == "3":
        assert result["step_id"] == "circuit_phases"
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], phase_input or {}
        )
    assert result["step_id"] == "circuit_consent", result
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"fallback_mode": mode, "consent": True}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    await hass.async_block_till_done()
    entry_id: str = result["result"].entry_id
    return entry_id


def controller_of(hass: HomeAssistant, entry_id: str) -> CircuitController:
    """The circuit's loop."""
    entry = hass.config_entries.async_get_entry(entry_id)
    assert entry is not None
    controller: CircuitController = entry.runtime_data.controller
    return controller


def pilots(chargers: list[ChargerSimulator]) -> list[int]:
    """What each simulated charger's claims allow right now (0 when paused)."""
    return [0 if sim.status["status"] == "disabled" else sim.status["pilot"] for sim in chargers]


async def wait_until(predicate: Callable[[], bool], within: float = 10.0) -> None:
    """Poll until predicate() is true; generous deadline for a loaded machine."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)
