"""The shared weekly expansion and calendar-edit mapping, without Home Assistant."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from custom_components.openevse_moogo.schedule_calendar.weekly import (
    EVERY_WEEKDAY,
    Occurrence,
    ScheduleMappingError,
    WeeklyEntry,
    find_occurrence,
    localize,
    next_occurrence,
    occurrences,
    parse_weekly_rrule,
    schedule_request,
    weekly_rrule,
)

BERLIN = ZoneInfo("Europe/Berlin")
HOUR = timedelta(hours=1)


def nightly(start: time, length: timedelta, days: frozenset[int] = EVERY_WEEKDAY) -> WeeklyEntry:
    return WeeklyEntry(
        uid="night", summary="Charging", start=start, lengths=dict.fromkeys(days, length)
    )


def real(item: Occurrence) -> timedelta:
    """The real length (aware datetimes in one zone subtract as wall clocks)."""
    return item.end.astimezone(UTC) - item.start.astimezone(UTC)


def test_a_window_crossing_midnight_ends_the_next_day() -> None:
    entry = nightly(time(22), 8 * HOUR, frozenset({0}))  # Mondays 22:00 for 8 h
    start = datetime(2026, 12, 7, tzinfo=BERLIN)  # a Monday
    found = occurrences([entry], BERLIN, start, start + timedelta(days=7))
    assert [(item.start, item.end) for item in found] == [
        (datetime(2026, 12, 7, 22, tzinfo=BERLIN), datetime(2026, 12, 8, 6, tzinfo=BERLIN))
    ]
    # A range starting inside the window still finds it.
    inside = occurrences(
        [entry],
        BERLIN,
        datetime(2026, 12, 8, 3, tzinfo=BERLIN),
        start + timedelta(days=1),
    )
    assert inside[0].start == datetime(2026, 12, 7, 22, tzinfo=BERLIN)
    assert found[0].recurrence_id == "20261207T220000"


def test_windows_keep_their_wall_clock_across_dst_changes() -> None:
    entry = nightly(time(22), 8 * HOUR)
    # Spring forward (2026-03-29 02:00 -> 03:00): the night is an hour shorter in real time.
    spring = occurrences(
        [entry],
        BERLIN,
        datetime(2026, 3, 28, 23, tzinfo=BERLIN),
        datetime(2026, 3, 29, 1, tzinfo=BERLIN),
    )
    assert spring[0].end == datetime(2026, 3, 29, 6, tzinfo=BERLIN)
    assert real(spring[0]) == 7 * HOUR
    # Fall back (2026-10-25 03:00 -> 02:00): an hour longer.
    autumn = occurrences(
        [entry],
        BERLIN,
        datetime(2026, 10, 24, 23, tzinfo=BERLIN),
        datetime(2026, 10, 25, 1, tzinfo=BERLIN),
    )
    assert real(autumn[0]) == 9 * HOUR


def test_a_time_the_clock_skips_moves_on_by_the_gap() -> None:
    skipped = localize(datetime(2026, 3, 29, 2, 30), BERLIN)  # noqa: DTZ001 - a wall clock
    assert skipped == datetime(2026, 3, 29, 3, 30, tzinfo=BERLIN)
    assert skipped.utcoffset() == 2 * HOUR
    # A time passed twice happens the first time (summer time still).
    twice = localize(datetime(2026, 10, 25, 2, 30), BERLIN)  # noqa: DTZ001 - a wall clock
    assert twice.utcoffset() == 2 * HOUR
    # A short window inside the gap keeps its length.
    entry = nightly(time(2, 10), timedelta(minutes=10))
    found = occurrences(
        [entry],
        BERLIN,
        datetime(2026, 3, 29, tzinfo=BERLIN),
        datetime(2026, 3, 29, 12, tzinfo=BERLIN),
    )
    assert real(found[0]) == timedelta(minutes=10)


def test_one_offs_and_excluded_dates() -> None:
    once = WeeklyEntry(
        uid="once",
        summary="Spray",
        start=time(7),
        lengths={2: 60 * timedelta(seconds=1)},
        once=date(2026, 12, 9),
    )
    week = (datetime(2026, 12, 7, tzinfo=UTC), datetime(2026, 12, 21, tzinfo=UTC))
    found = occurrences([once], UTC, *week)
    assert [item.start for item in found] == [datetime(2026, 12, 9, 7, tzinfo=UTC)]
    assert found[0].recurrence_id is None
    assert once.recurrence is None
    skipping = nightly(time(7), HOUR, frozenset({2}))
    skipping = WeeklyEntry(
        uid="w",
        summary="s",
        start=time(7),
        lengths={2: HOUR},
        excluded=frozenset({date(2026, 12, 9)}),
    )
    assert [item.start.date() for item in occurrences([skipping], UTC, *week)] == [
        date(2026, 12, 16)
    ]
    assert find_occurrence(occurrences([skipping], UTC, *week), "w", "20261216T070000") is not None
    assert find_occurrence(occurrences([skipping], UTC, *week), "w", "20261209T070000") is None


def test_next_occurrence_is_the_one_in_progress_or_the_next() -> None:
    entry = nightly(time(22), 8 * HOUR, frozenset({0, 3}))
    during = next_occurrence([entry], BERLIN, datetime(2026, 12, 8, 5, tzinfo=BERLIN))
    assert during is not None
    assert during.start == datetime(2026, 12, 7, 22, tzinfo=BERLIN)
    after = next_occurrence([entry], BERLIN, datetime(2026, 12, 8, 7, tzinfo=BERLIN))
    assert after is not None
    assert after.start == datetime(2026, 12, 10, 22, tzinfo=BERLIN)
    assert next_occurrence([], BERLIN, datetime(2026, 12, 8, tzinfo=BERLIN)) is None


@pytest.mark.parametrize(
    ("rule", "days"),
    [
        ("FREQ=DAILY", EVERY_WEEKDAY),
        ("RRULE:FREQ=WEEKLY;BYDAY=MO,FR", frozenset({0, 4})),
        ("FREQ=WEEKLY;INTERVAL=1;WKST=MO;BYDAY=SU", frozenset({6})),
        ("FREQ=WEEKLY", frozenset({2})),  # the start's weekday
        ("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR,SA,SU", EVERY_WEEKDAY),
    ],
)
def test_weekly_rules_map_to_weekdays(rule: str, days: frozenset[int]) -> None:
    assert parse_weekly_rrule(rule, first_day=2) == days


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=MONTHLY",
        "FREQ=WEEKLY;COUNT=3",
        "FREQ=WEEKLY;UNTIL=20270101T000000Z",
        "FREQ=WEEKLY;INTERVAL=2",
        "FREQ=WEEKLY;BYDAY=1MO",
        "FREQ=DAILY;BYDAY=MO",
        "FREQ=WEEKLY;BYHOUR=3",
        "not a rule",
    ],
)
def test_rules_beyond_weekly_are_refused(rule: str) -> None:
    with pytest.raises(ScheduleMappingError) as caught:
        parse_weekly_rrule(rule, first_day=0)
    assert caught.value.translation_key == "schedule_recurrence_not_weekly"
    assert caught.value.placeholders == {"rrule": rule}


def test_rules_are_written_back_the_way_they_are_read() -> None:
    assert weekly_rrule(EVERY_WEEKDAY) == "FREQ=DAILY"
    assert weekly_rrule({4, 0}) == "FREQ=WEEKLY;BYDAY=MO,FR"
    assert parse_weekly_rrule(weekly_rrule({1, 6}), first_day=0) == frozenset({1, 6})
    assert nightly(time(1), HOUR, frozenset({5})).recurrence == "FREQ=WEEKLY;BYDAY=SA"


def test_a_calendar_event_becomes_a_request_in_the_device_zone() -> None:
    # 21:00 UTC on Sunday is 22:00 on Sunday in Berlin (winter); 8 hours on the wall clock.
    request = schedule_request(
        summary="Night",
        start=datetime(2026, 12, 6, 21, tzinfo=UTC),
        end=datetime(2026, 12, 7, 5, tzinfo=UTC),
        rrule="FREQ=WEEKLY",
        zone=BERLIN,
        max_length=timedelta(days=1),
    )
    assert (request.start, request.length, request.weekdays, request.once) == (
        time(22),
        8 * HOUR,
        frozenset({6}),
        None,
    )
    with pytest.raises(ValueError, match="weekly"):
        request.first_start(BERLIN)
    once = schedule_request(
        summary="",
        start=datetime(2026, 12, 6, 21, tzinfo=UTC),
        end=datetime(2026, 12, 6, 21, 1, tzinfo=UTC),
        rrule=None,
        zone=BERLIN,
        max_length=HOUR,
    )
    assert once.once == date(2026, 12, 6)
    assert once.first_start(BERLIN) == datetime(2026, 12, 6, 22, tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("length", "maximum"),
    [
        (timedelta(0), "1 h"),
        (timedelta(hours=2), "1 h"),
        (timedelta(days=3), "2 d"),
        (timedelta(minutes=2), "90 s"),
    ],
)
def test_lengths_outside_the_device_range_are_refused(length: timedelta, maximum: str) -> None:
    limit = {"1 h": HOUR, "2 d": timedelta(days=2), "90 s": timedelta(seconds=90)}[maximum]
    start = datetime(2026, 12, 6, 21, tzinfo=UTC)
    with pytest.raises(ScheduleMappingError) as caught:
        schedule_request(
            summary="", start=start, end=start + length, rrule=None, zone=UTC, max_length=limit
        )
    assert caught.value.placeholders == {"minimum": "1 s", "maximum": maximum}


def test_a_length_in_minutes_is_said_in_minutes() -> None:
    start = datetime(2026, 12, 6, 21, tzinfo=UTC)
    with pytest.raises(ScheduleMappingError) as caught:
        schedule_request(
            summary="",
            start=start,
            end=start + HOUR,
            rrule=None,
            zone=UTC,
            max_length=timedelta(minutes=30),
        )
    assert caught.value.placeholders["maximum"] == "30 min"
