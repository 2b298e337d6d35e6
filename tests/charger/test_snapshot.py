"""Every charger entity (registry entry and state) as a snapshot."""

from __future__ import annotations

from datetime import timedelta

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from tests.simulators.openevse import ChargerSimulator

from .conftest import state_of, wait_for

BOOT_TIME = "sensor.openevse_7c40_last_boot"


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_entities(
    hass: HomeAssistant,
    snapshot: SnapshotAssertion,
    charger: ChargerSimulator,
    loaded: MockConfigEntry,
) -> None:
    await wait_for(lambda: state_of(hass, "binary_sensor.openevse_7c40_push_connection") == "on")
    await hass.async_block_till_done()
    registry = er.async_get(hass)
    entries = sorted(
        er.async_entries_for_config_entry(registry, loaded.entry_id), key=lambda e: e.entity_id
    )
    assert len(entries) == 73
    for entity in entries:
        assert entity == snapshot(name=f"{entity.entity_id}-entry")
        state = hass.states.get(entity.entity_id)
        assert state is not None
        if entity.entity_id == BOOT_TIME:
            # The only value that depends on the wall clock: now minus the charger's uptime.
            booted = dt_util.parse_datetime(state.state)
            assert booted is not None
            assert abs(dt_util.utcnow() - booted) < timedelta(minutes=2)
            continue
        assert state == snapshot(name=f"{entity.entity_id}-state")
