"""Today's sprays from the cloud's spray history: counted from its rows, read back on restart.

The figures are the cloud's rows of the local day each time the history is read (every two
hours, and 10 s after Home Assistant saw a spray end), so a restart reads the day back and a
spray is never counted twice; at midnight they start again from zero without a request.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from custom_components.openevse_moogo.clients.moogo import MoogoSprayRecord
from custom_components.openevse_moogo.pump.data import SprayDay
from tests.simulators.moogo import MoogoCloudSimulator

from .conftest import coordinator_of, let_time_pass

SPRAYS = "sensor.backyard_sprays_today"
SPRAYING_TIME = "sensor.backyard_spraying_time_today"
LAST_SPRAY = "sensor.backyard_last_spray_duration"
SPRAY_EVENT = "event.backyard_spray_activity"


def _logs_reads(sim: MoogoCloudSimulator, since: int = 0) -> int:
    path = f"/v1/devices/{sim.device_ids[0]}/logs"
    return sum(1 for method, p in sim.requests[since:] if method == "GET" and p == path)


def _attributes(hass: HomeAssistant, entity_id: str) -> dict[str, object]:
    state = hass.states.get(entity_id)
    assert state is not None
    return dict(state.attributes)


def _value(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state


def _forward_to_ten_in_the_morning(freezer: FrozenDateTimeFactory) -> None:
    """Move the clock forward (never back: timers are set) to 10:00, far from midnight."""
    target = dt_util.start_of_local_day() + timedelta(hours=10)
    if target <= dt_util.now():
        target += timedelta(days=1)
    freezer.move_to(target)


async def _spray(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, sim: MoogoCloudSimulator, seconds: int
) -> None:
    """A scheduled spray of ``seconds``, seen by the next status read, and its end read."""
    sim.start_scheduled_spray(sim.device_ids[0], seconds)
    await let_time_pass(hass, freezer, 60 + seconds + 15)


async def test_sprays_today_count_the_history_and_the_event_carries_the_duration(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    frozen_account: tuple[MoogoCloudSimulator, ConfigEntry],
) -> None:
    """Two sprays: counted, their time summed, the last one's length; one read after each."""
    _forward_to_ten_in_the_morning(freezer)
    sim, _entry = frozen_account
    await let_time_pass(hass, freezer, 1)  # the reads the jump made overdue
    assert (_value(hass, SPRAYS), _value(hass, SPRAYING_TIME)) == ("0", "0.0")
    first = len(sim.requests)
    await _spray(hass, freezer, sim, 90)
    assert _value(hass, SPRAYS) == "1"
    event = _attributes(hass, SPRAY_EVENT)
    assert (event["event_type"], event["duration"]) == ("finished", 90.0)
    await _spray(hass, freezer, sim, 30)
    assert _value(hass, SPRAYS) == "2"
    assert float(_value(hass, SPRAYING_TIME)) == 2.0  # minutes (120 s)
    assert _value(hass, LAST_SPRAY) == "30"
    assert _attributes(hass, SPRAY_EVENT)["duration"] == 30.0
    assert _logs_reads(sim, first) == 2  # one after each spray, nothing else in these minutes
    assert _attributes(hass, SPRAYS)["last_reset"] == dt_util.start_of_local_day().isoformat()
    assert _attributes(hass, SPRAYS)["state_class"] == "total"


async def test_a_restart_reads_the_day_back_without_counting_twice(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    frozen_account: tuple[MoogoCloudSimulator, ConfigEntry],
) -> None:
    """Reloaded mid-day (as a restart does): the day's figures are read back, not doubled."""
    _forward_to_ten_in_the_morning(freezer)
    sim, entry = frozen_account
    await _spray(hass, freezer, sim, 45)
    await _spray(hass, freezer, sim, 15)
    before = (_value(hass, SPRAYS), _value(hass, SPRAYING_TIME), _value(hass, LAST_SPRAY))
    assert before == ("2", "1.0", "15")
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert (_value(hass, SPRAYS), _value(hass, SPRAYING_TIME), _value(hass, LAST_SPRAY)) == before
    await coordinator_of(entry).async_refresh()  # and a further read counts nothing again
    assert _value(hass, SPRAYS) == "2"


async def test_the_day_starts_from_zero_at_midnight_without_a_request(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    frozen_account: tuple[MoogoCloudSimulator, ConfigEntry],
) -> None:
    """A spray late in the evening: counted that day; after midnight today is zero again."""
    midnight = dt_util.start_of_local_day() + timedelta(days=1)
    freezer.move_to(midnight - timedelta(minutes=5))
    sim, _entry = frozen_account
    await _spray(hass, freezer, sim, 20)
    assert _value(hass, SPRAYS) == "1"
    first = len(sim.requests)
    await let_time_pass(hass, freezer, 300)
    assert dt_util.now() >= midnight
    assert (_value(hass, SPRAYS), _value(hass, SPRAYING_TIME)) == ("0", "0.0")
    assert _value(hass, LAST_SPRAY) == "20"  # yesterday's spray is still the last one
    assert _attributes(hass, SPRAYS)["last_reset"] == midnight.isoformat()
    assert _logs_reads(sim, first) == 0


def test_a_day_counts_the_rows_that_started_on_it_in_home_assistants_zone() -> None:
    """Rows are cut by the local day; the last spray may be yesterday's; undated rows skipped."""
    zone = ZoneInfo("Europe/Berlin")

    def row(started: datetime | None, seconds: int) -> MoogoSprayRecord:
        created = None if started is None else int(started.timestamp())
        return MoogoSprayRecord.from_api({"id": "x", "createdAt": created, "seconds": seconds})

    late_yesterday = datetime(2026, 6, 1, 21, 30, tzinfo=UTC)  # 23:30 in Berlin
    just_today = datetime(2026, 6, 1, 22, 30, tzinfo=UTC)  # 00:30 in Berlin
    rows = [row(late_yesterday, 60), row(just_today, 30), row(None, 99)]
    today = SprayDay.of(rows, date(2026, 6, 2), zone)
    assert (today.sprays, today.seconds) == (1, 30.0)
    assert today.last is not None
    assert today.last.started_at == just_today
    yesterday = SprayDay.of(rows[:1], date(2026, 6, 2), zone)
    assert (yesterday.sprays, yesterday.seconds) == (0, 0.0)
    assert yesterday.last is not None
