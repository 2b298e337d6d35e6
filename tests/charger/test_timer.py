"""The charger's timer as windows, and calendar edits as timer events (no charger needed)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from custom_components.openevse_moogo.charger.timer import (
    WindowNames,
    event_id_of,
    next_transition,
    plan_change,
    timer_entries,
)
from custom_components.openevse_moogo.clients.openevse import ScheduleEvent, SchedulePlan
from custom_components.openevse_moogo.schedule_calendar.weekly import (
    ScheduleMappingError,
    ScheduleRequest,
)

RECEIVED = datetime(2030, 1, 1, 10, tzinfo=UTC)
NAMES = WindowNames(plain="Charging", solar="Solar", set_current="At {current} A")


def events(*raw: dict[str, object]) -> list[ScheduleEvent]:
    return [ScheduleEvent.from_dict(item) for item in raw]


def request(start: time, hours: float, weekdays: set[int]) -> ScheduleRequest:
    return ScheduleRequest(
        summary="",
        start=start,
        length=timedelta(hours=hours),
        weekdays=frozenset(weekdays),
        once=None,
    )


def test_windows_run_until_the_next_event_and_a_lone_event_for_a_week() -> None:
    timer = events(
        {"id": 1, "state": "active", "time": "22:00:00", "days": ["monday", "friday"]},
        {"id": 2, "state": "disabled", "time": "06:30:00", "days": ["tuesday"]},
        {"id": 3, "state": "bogus", "time": "01:00:00", "days": ["sunday"]},  # not run
    )
    (entry,) = timer_entries(timer, NAMES)
    assert entry.uid == "openevse-timer-1"
    # Monday night to Tuesday 06:30; Friday night until the next event, Monday's start.
    assert entry.lengths == {
        0: timedelta(hours=8, minutes=30),
        4: timedelta(days=3),
    }
    (lone,) = timer_entries(
        events({"id": 5, "state": "active", "time": "08:00", "days": ["sunday"]}), NAMES
    )
    assert lone.lengths == {6: timedelta(days=7)}


def test_a_window_is_named_by_what_its_start_event_does() -> None:
    """Solar divert and a set current are named; a current of 0 (the firmware then uses the
    hardware maximum), another feature or a value that is not a number is a plain window."""
    starts = [
        {"feature": "divert"},
        {"feature": "current", "feature_value": 16},
        {"feature": "current", "feature_value": 0},
        {"feature": "current", "feature_value": True},
        {"feature": "shaper"},
        {},
    ]
    timer = events(
        *(
            {"id": 2 * n + 1, "state": "active", "time": f"{n:02d}:00", "days": ["monday"], **keys}
            for n, keys in enumerate(starts)
        ),
        {"id": 20, "state": "disabled", "time": "23:00", "days": ["monday"]},
    )
    names = [entry.summary for entry in timer_entries(timer, NAMES)]
    assert names == ["Solar", "At 16 A", "Charging", "Charging", "Charging", "Charging"]


def test_a_change_keeps_event_ids_and_deletes_only_its_own_end() -> None:
    timer = events(
        {"id": 1, "state": "active", "time": "22:00:00", "days": ["monday", "thursday"]},
        {"id": 2, "state": "disabled", "time": "06:00:00", "days": ["tuesday", "friday"]},
        {"id": 3, "state": "active", "time": "11:00:00", "days": ["saturday", "sunday"]},
        {"id": 4, "state": "disabled", "time": "15:00:00", "days": ["saturday", "sunday"]},
    )
    change = plan_change(timer, request(time(21), 9, {0, 3}), 1)
    assert [event.event_id for event in change.upsert] == [1, 2]
    assert change.delete == ()
    removal = plan_change(timer, None, 3)
    assert (removal.upsert, removal.delete) == ((), (3, 4))
    fresh = plan_change(timer, request(time(12), 1, {2, 4}), None)
    assert [event.event_id for event in fresh.upsert] == [0, 0]  # numbered by the firmware
    with pytest.raises(ScheduleMappingError) as caught:
        plan_change(timer, None, 9)
    assert caught.value.translation_key == "schedule_entry_not_found"
    with pytest.raises(ScheduleMappingError):
        event_id_of("moogo-schedule-3")


def test_an_end_shared_with_another_window_stays() -> None:
    timer = events(
        {"id": 1, "state": "active", "time": "08:00:00", "days": ["monday"]},
        {"id": 2, "state": "active", "time": "09:00:00", "days": ["tuesday"]},
        {"id": 3, "state": "disabled", "time": "10:00:00", "days": ["monday", "tuesday"]},
    )
    removal = plan_change(timer, None, 1)
    assert removal.delete == (1,)


def test_a_window_ending_where_another_starts_is_refused() -> None:
    timer = events(
        {"id": 1, "state": "active", "time": "12:00:00", "days": ["wednesday", "saturday"]},
        {"id": 2, "state": "disabled", "time": "14:00:00", "days": ["wednesday", "saturday"]},
    )
    with pytest.raises(ScheduleMappingError) as caught:
        plan_change(timer, request(time(10), 2, {2, 5}), None)  # ends at 12:00 exactly
    assert caught.value.translation_key == "charger_schedule_overlap"


def _plan(**raw: object) -> SchedulePlan:
    return SchedulePlan.from_dict(raw, received=RECEIVED)


def test_next_start_and_stop_come_from_the_plan() -> None:
    plan = _plan(
        current_day="tuesday",
        current_offset=36000,
        tuesday=[
            {"id": 1, "state": "active", "offset": 32400, "start_offset": 32100},
            {"id": 2, "state": "disabled", "offset": 41400},
            {"id": 3, "state": "none", "offset": 50000},
        ],
    )
    assert next_transition(plan, active=False) == RECEIVED + timedelta(seconds=5400)
    # The active event passed today: next week, at its randomised start.
    assert next_transition(plan, active=True) == RECEIVED + timedelta(days=7, seconds=32100 - 36000)
    assert next_transition(None, active=True) is None
    assert next_transition(_plan(current_day="someday", current_offset=0), active=True) is None
    assert next_transition(_plan(current_day="monday", current_offset=0), active=True) is None
    assert next_transition(SchedulePlan.from_dict({"current_day": "monday"}), active=True) is None
