"""The two integrations under test, each with its own simulated charger.

* ours: ``openevse_moogo`` (the charger family), entry data as its config flow stores it;
* core: Home Assistant's ``openevse`` integration (python-openevse-http 1.5.0), entry data as its
  config flow stores it (``host``; no credentials, the simulated chargers have none). Its client
  builds ``http://<host>/`` and ``ws://<host>/ws``, so the host carries the simulator's port.

Both entries are ``MockConfigEntry`` objects of the harness; the simulators get different serial
numbers so that the device registry keeps the two chargers apart (it merges devices sharing a
MAC connection, and both integrations derive one from the charger).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_HOST, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openevse_moogo.const import DOMAIN
from tests.charger.conftest import entry_data

from .bench_charger import BenchCharger

CORE_DOMAIN = "openevse"
OURS = "ours"
CORE = "core"
SERIALS = {OURS: "A4CF12B37C40", CORE: "A4CF12B30E11"}
# The entity followed to tell fresh states from stale ones: the charging current moves with
# every delta of a charging session.
CURRENT_KEY = "charging_current"


@dataclass(slots=True)
class Integration:
    """One integration's config entry and the charger it talks to."""

    name: str
    domain: str
    sim: BenchCharger
    entry: MockConfigEntry
    unique_id_separator: str
    restart_key: str
    """The key of the integration's Restart gateway button."""

    def entity_ids(self, hass: HomeAssistant) -> set[str]:
        """The entry's enabled entities."""
        registry = er.async_get(hass)
        return {
            entity.entity_id
            for entity in er.async_entries_for_config_entry(registry, self.entry.entry_id)
            if not entity.disabled
        }

    def current_entity(self, hass: HomeAssistant) -> str:
        """The charging-current sensor."""
        return self._entity(hass, "sensor", CURRENT_KEY)

    def restart_entity(self, hass: HomeAssistant) -> str:
        """The button that restarts the charger's WiFi gateway."""
        return self._entity(hass, "button", self.restart_key)

    def _entity(self, hass: HomeAssistant, platform: str, key: str) -> str:
        unique_id = f"{self.sim.serial}{self.unique_id_separator}{key}"
        entity_id = er.async_get(hass).async_get_entity_id(platform, self.domain, unique_id)
        assert entity_id is not None, unique_id
        return entity_id

    @property
    def coordinator(self) -> DataUpdateCoordinator[Any]:
        """The entry's coordinator."""
        runtime = self.entry.runtime_data
        coordinator: DataUpdateCoordinator[Any] = (
            runtime.coordinator if self.name == OURS else runtime
        )
        return coordinator


def ours(hass: HomeAssistant, sim: BenchCharger) -> Integration:
    """Our integration's entry for ``sim``, added to Home Assistant (not set up)."""
    entry = MockConfigEntry(
        domain=DOMAIN, title="openevse-ours", unique_id=sim.serial, data=entry_data(sim)
    )
    entry.add_to_hass(hass)
    return Integration(OURS, DOMAIN, sim, entry, "_", "restart_gateway")


def core(hass: HomeAssistant, sim: BenchCharger) -> Integration:
    """Home Assistant core's entry for ``sim``, added to Home Assistant (not set up)."""
    host = f"{sim.host}:{sim.port}"
    entry = MockConfigEntry(
        domain=CORE_DOMAIN, title=f"OpenEVSE {host}", unique_id=sim.serial, data={CONF_HOST: host}
    )
    entry.add_to_hass(hass)
    return Integration(CORE, CORE_DOMAIN, sim, entry, "-", "restart_wifi")


async def wait_until(condition: Any, patience: float, poll: float = 0.005) -> bool:
    """Wait until ``condition()`` is true; False when ``patience`` seconds passed first."""
    deadline = time.monotonic() + patience
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(poll)
    return True


def all_available(hass: HomeAssistant, integration: Integration) -> bool:
    """True once the entry has entities and every one of them is available."""
    entity_ids = integration.entity_ids(hass)
    states = [hass.states.get(entity_id) for entity_id in entity_ids]
    return bool(states) and all(
        state is not None and state.state != STATE_UNAVAILABLE for state in states
    )


async def set_up(hass: HomeAssistant, integration: Integration, patience: float = 10.0) -> float:
    """Set the entry up; return the seconds until every one of its entities was available."""
    started = time.perf_counter()
    assert await hass.config_entries.async_setup(integration.entry.entry_id)
    await hass.async_block_till_done()
    assert integration.entry.state is ConfigEntryState.LOADED
    assert await wait_until(lambda: all_available(hass, integration), patience)
    return time.perf_counter() - started


async def unload(hass: HomeAssistant, integration: Integration) -> None:
    """Unload the entry if it is loaded."""
    if integration.entry.state is ConfigEntryState.LOADED:
        assert await hass.config_entries.async_unload(integration.entry.entry_id)
        await hass.async_block_till_done()
