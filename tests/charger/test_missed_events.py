"""What happened while Home Assistant was down, fired once from the charger's event log."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Event, HomeAssistant, callback
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openevse_moogo.charger.event_log import EventLog
from custom_components.openevse_moogo.charger.log_replay import (
    LogPosition,
    async_read_since,
)
from custom_components.openevse_moogo.charger.session_events import CHARGER_EVENT
from custom_components.openevse_moogo.clients.openevse import OpenEVSE
from custom_components.openevse_moogo.clients.openevse.models import EvseState
from tests.simulators.openevse import ChargerSimulator

from .conftest import wait_for

STORE_KEY = "openevse_moogo.charger_log."


@pytest.fixture
def fired(hass: HomeAssistant) -> list[dict[str, Any]]:
    """Every charger happening put on the bus."""
    seen: list[dict[str, Any]] = []

    @callback
    def record(event: Event[dict[str, Any]]) -> None:
        seen.append(dict(event.data))

    hass.bus.async_listen(CHARGER_EVENT, record)
    return seen


async def _start(hass: HomeAssistant, entry: MockConfigEntry, charger: ChargerSimulator) -> None:
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    await wait_for(lambda: charger.ws_connections == 1, 10)


async def _stop(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


async def _a_session(charger: ChargerSimulator) -> None:
    await charger.start_charging()
    await wait_for(lambda: charger.status["session_energy"] >= 5, 10)
    await charger.finish_charging()
    await charger.unplug()


def _types(events: list[dict[str, Any]]) -> list[str]:
    return [event["type"] for event in events if event["type"] != "status_changed"]


async def test_a_missed_session_is_fired_once_after_the_restart(
    hass: HomeAssistant,
    charger: ChargerSimulator,
    entry: MockConfigEntry,
    fired: list[dict[str, Any]],
    hass_storage: dict[str, Any],
) -> None:
    await _start(hass, entry, charger)
    await _stop(hass, entry)
    assert hass_storage[STORE_KEY + entry.entry_id]["data"]["position"] is not None
    # While Home Assistant is down a car comes, charges and leaves.
    await _a_session(charger)
    energy = charger.status["session_energy"]
    await _start(hass, entry, charger)
    replayed = [event for event in fired if event.get("replayed")]
    assert _types(replayed) == ["plugged_in", "charging_started", "charging_stopped", "unplugged"]
    assert all(event["time"] for event in replayed)
    unplugged = replayed[-1]
    assert unplugged["energy"] == pytest.approx(energy / 1000, abs=0.01)
    assert unplugged["duration"] >= 0
    assert unplugged["status"] == "not_connected"
    await _stop(hass, entry)
    # No duplicate: another restart with nothing new fires nothing.
    fired.clear()
    await _start(hass, entry, charger)
    assert not any(event.get("replayed") for event in fired)
    await _stop(hass, entry)


async def test_live_happenings_are_not_fired_again_after_an_unclean_stop(
    hass: HomeAssistant,
    charger: ChargerSimulator,
    entry: MockConfigEntry,
    fired: list[dict[str, Any]],
    hass_storage: dict[str, Any],
) -> None:
    await _start(hass, entry, charger)
    await charger.plug_in()
    await wait_for(lambda: "plugged_in" in _types(fired))
    # Home Assistant goes down without reaching the charger to note the log's end.
    charger.faults.http_status = 503
    await _stop(hass, entry)
    charger.faults.clear()
    assert hass_storage[STORE_KEY + entry.entry_id]["data"]["live_until"] is not None
    await asyncio.sleep(1.1)  # the log stamps whole seconds: unplug in the next one
    await charger.unplug()
    fired.clear()
    await _start(hass, entry, charger)
    assert _types([event for event in fired if event.get("replayed")]) == ["unplugged"]
    await _stop(hass, entry)


async def test_a_log_rotated_past_the_position_is_read_from_its_oldest_block(
    hass: HomeAssistant,
    charger: ChargerSimulator,
    entry: MockConfigEntry,
    fired: list[dict[str, Any]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    await _start(hass, entry, charger)
    await _stop(hass, entry)
    while charger.event_log.min_index == 0:  # more plugging than ten blocks keep
        await charger.plug_in()
        await charger.unplug()
    caplog.set_level(logging.INFO)
    await _start(hass, entry, charger)
    assert "no longer holds everything" in caplog.text
    replayed = _types([event for event in fired if event.get("replayed")])
    assert replayed
    assert set(replayed) == {"plugged_in", "unplugged"}
    await _stop(hass, entry)


async def test_read_since_handles_blocks_out_of_range(charger: ChargerSimulator) -> None:
    for _ in range(40):
        await charger.plug_in()
        await charger.unplug()
    log = charger.event_log
    assert log.max_index >= 2
    async with aiohttp.ClientSession() as session:
        client = OpenEVSE(charger.host, port=charger.port, session=session)
        end = (await async_read_since(EventLog(client), None)).position
        assert end.block == log.max_index
        assert end.lines == len(log.block(log.max_index))
        assert end.vehicle_connected is False
        # Nothing new past the end.
        nothing = await async_read_since(EventLog(client), end)
        assert (nothing.lines, nothing.position, nothing.gap) == ([], end, False)
        # A position in a block whose lines are fewer than we had read: not the same log.
        odd = LogPosition(
            block=log.min_index, lines=10_000, evse_state=None, vehicle_connected=None
        )
        reread = await async_read_since(EventLog(client), odd)
        assert reread.gap
        assert reread.position == end
        # A block that rotates away between the range and its read answers 404: skipped.
        first, last = await client.get_log_range()
        start = LogPosition(
            block=first, lines=0, evse_state=EvseState.NOT_CONNECTED, vehicle_connected=False
        )
        log.min_index = first + 1
        stale = OpenEVSE(charger.host, port=charger.port, session=session)

        async def stale_range(*, request_timeout: float | None = None) -> tuple[int, int]:
            return first, last

        stale.get_log_range = stale_range  # type: ignore[method-assign]
        rotated = await async_read_since(EventLog(stale), start)
        assert rotated.gap
        assert rotated.position == end
        assert len(rotated.lines) == sum(len(log.block(i)) for i in range(first + 1, last + 1))


def test_stored_positions_that_cannot_be_used() -> None:
    assert LogPosition.from_dict({"block": 1}) is None
    assert LogPosition.from_dict({"block": 1, "lines": -1}) is None
    position = LogPosition.from_dict(
        {"block": 2, "lines": 3, "evse_state": 3, "vehicle_connected": "yes"}
    )
    assert position == LogPosition(
        block=2, lines=3, evse_state=EvseState.CHARGING, vehicle_connected=None
    )
    assert LogPosition.from_dict(position.as_dict() | {"vehicle_connected": True}) == (
        LogPosition(block=2, lines=3, evse_state=EvseState.CHARGING, vehicle_connected=True)
    )
