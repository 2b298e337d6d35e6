"""The last finished session, read back from the charger's event log (/logs, /logs/{n})."""

from __future__ import annotations

from datetime import datetime

import aiohttp
import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openevse_moogo.charger.event_log import EventLog
from custom_components.openevse_moogo.charger.history import (
    async_read_last_session,
    last_finished_session,
)
from custom_components.openevse_moogo.clients.openevse import LogEntry, OpenEVSE
from custom_components.openevse_moogo.clients.openevse.exceptions import OpenEVSENotFoundError
from tests.simulators.openevse import ChargerSimulator

from .conftest import state_of, wait_for

ENERGY = "sensor.openevse_7c40_last_session_energy"
DURATION = "sensor.openevse_7c40_last_session_duration"
END = "sensor.openevse_7c40_last_session_end"
TEMPERATURE = "sensor.openevse_7c40_last_session_highest_temperature"
SESSION = "event.openevse_7c40_charging_session"


def line(minute: int, *, car: bool, energy: float, elapsed: int, temp: float) -> LogEntry:
    return LogEntry.from_dict(
        {
            "time": f"2026-12-01T10:{minute:02d}:00Z",
            "evseState": 3 if car else 1,
            "evseFlags": 0x100 if car else 0,
            "energy": energy,
            "elapsed": elapsed,
            "temperatureMax": temp,
        }
    )


def test_the_newest_finished_session_is_summed_up() -> None:
    entries = [
        line(0, car=False, energy=0, elapsed=0, temp=20),
        line(1, car=True, energy=0, elapsed=0, temp=21),
        line(2, car=True, energy=500, elapsed=60, temp=30),
        line(3, car=False, energy=800, elapsed=90, temp=31),
        line(4, car=True, energy=0, elapsed=0, temp=25),
        line(5, car=True, energy=2000, elapsed=600, temp=42.5),
        line(6, car=False, energy=2100, elapsed=620, temp=40),
        line(7, car=True, energy=0, elapsed=0, temp=22),  # a new session, not finished
    ]
    session = last_finished_session(entries)
    assert session is not None
    assert session.ended == datetime(2026, 12, 1, 10, 6, tzinfo=dt_util.UTC)
    assert (session.energy, session.duration, session.temperature_max) == (2100, 620, 42.5)
    assert last_finished_session(entries[:3]) is None
    assert last_finished_session([]) is None


async def test_sensors_show_the_session_once_the_car_is_unplugged(
    hass: HomeAssistant, charger: ChargerSimulator, loaded: MockConfigEntry
) -> None:
    assert state_of(hass, ENERGY) == "unknown"
    await wait_for(lambda: charger.ws_connections == 1)
    setup_requests = len(charger.requests)
    await charger.start_charging()
    await wait_for(lambda: charger.status["session_energy"] >= 5, within=10)
    logs_while_charging = charger.requests.count(("GET", "/logs"))
    await charger.finish_charging()
    await charger.unplug()
    await wait_for(lambda: state_of(hass, ENERGY) != "unknown")
    # Nothing was read while the car charged: only the unplug read the log.
    # At start-up the last session and where the log ends (to replay what comes after) share
    # one read of the range and of each block.
    assert logs_while_charging == 1
    assert charger.requests.count(("GET", "/logs")) == 2
    setup_blocks = [path for _, path in charger.requests[:setup_requests] if "/logs/" in path]
    assert setup_blocks
    assert len(setup_blocks) == len(set(setup_blocks))
    energy = charger.status["session_energy"]
    assert float(state_of(hass, ENERGY)) == pytest.approx(energy / 1000, abs=0.01)
    assert float(state_of(hass, DURATION)) == pytest.approx(
        charger.status["session_elapsed"] / 60, abs=0.1
    )
    ended = dt_util.parse_datetime(state_of(hass, END))
    assert ended is not None
    assert abs((dt_util.utcnow() - ended).total_seconds()) < 120
    assert state_of(hass, TEMPERATURE) != "unknown"


async def test_a_session_that_ended_while_home_assistant_was_down(
    hass: HomeAssistant, charger: ChargerSimulator, entry: MockConfigEntry
) -> None:
    """The log survives; at start-up the sensors show the missed session, no event fires."""
    await charger.start_charging()
    await wait_for(lambda: charger.status["session_energy"] >= 5, within=10)
    await charger.finish_charging()
    await charger.unplug()
    energy = charger.status["session_energy"]
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert float(state_of(hass, ENERGY)) == pytest.approx(energy / 1000, abs=0.01)
    assert state_of(hass, SESSION) == "unknown"  # no duplicate "unplugged" for old news
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_a_block_rotated_away_mid_read_is_skipped(charger: ChargerSimulator) -> None:
    """A block can rotate away between /logs and /logs/{n}: the newer blocks still answer."""
    await charger.start_charging()
    await charger.finish_charging()
    await charger.unplug()
    for _ in range(60):  # fill blocks until the log rotates
        await charger.plug_in()
        await charger.unplug()
    log = charger.event_log
    assert log.max_index > log.min_index

    async with aiohttp.ClientSession() as session:
        client = OpenEVSE(charger.host, port=charger.port, session=session)
        with pytest.raises(OpenEVSENotFoundError):
            await client.get_log_block(log.max_index + 1)
        first, last = await client.get_log_range()
        assert (first, last) == (log.min_index, log.max_index)
        # A car plugged in a while: blocks of lines with a car and no end of session.
        await charger.plug_in()
        newest = log.max_index
        while log.max_index < newest + 2:
            log.log({"time": "2026-12-01T10:00:00Z", "evseState": 3, "evseFlags": 0x100})
        first, last = await client.get_log_range()
        # The oldest blocks rotate away after the range was read.
        log.min_index = last - 1
        stale = OpenEVSE(charger.host, port=charger.port, session=session)

        async def stale_range(*, request_timeout: float | None = None) -> tuple[int, int]:
            return first, last

        stale.get_log_range = stale_range  # type: ignore[method-assign]
        before = len(charger.requests)
        assert await async_read_last_session(EventLog(stale)) is None
        read = [path for _, path in charger.requests[before:]]
        assert read == [f"/logs/{last}", f"/logs/{last - 1}", f"/logs/{last - 2}"]


async def test_the_set_up_read_ends_with_the_set_up(charger: ChargerSimulator) -> None:
    """While reads are shared the log is read once; afterwards every read goes to the charger."""
    async with aiohttp.ClientSession() as session:
        client = OpenEVSE(charger.host, port=charger.port, session=session)
        log, other = EventLog(client), EventLog(client)
        with log.shared_reads():
            await async_read_last_session(log)
            await async_read_last_session(log)
            await async_read_last_session(other)  # another charger's log is not served
        assert charger.requests.count(("GET", "/logs")) == 2
        await async_read_last_session(log)
        assert charger.requests.count(("GET", "/logs")) == 3
