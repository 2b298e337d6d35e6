"""The shared calendar entity over a source: a read-only one (a computed plan) plugs in too."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta, tzinfo

import pytest
from homeassistant.components.calendar.const import CalendarEntityFeature
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util

from custom_components.openevse_moogo.schedule_calendar.entity import (
    EDITABLE,
    ScheduleCalendar,
    ScheduleSource,
)
from custom_components.openevse_moogo.schedule_calendar.weekly import (
    EVERY_WEEKDAY,
    ScheduleRequest,
    WeeklyEntry,
)


class PlannedSlots:
    """A read-only source: slots a planner computed (what a charge plan will provide)."""

    read_only = True
    accepts_one_off = True
    max_length = timedelta(days=1)
    time_zone: tzinfo = UTC

    def __init__(self, entries: Sequence[WeeklyEntry]) -> None:
        self._entries = entries

    def entries(self) -> Sequence[WeeklyEntry]:
        return self._entries

    async def async_create(self, request: ScheduleRequest) -> None:
        raise AssertionError("never called on a read-only source")

    async def async_update(self, uid: str, request: ScheduleRequest) -> None:
        raise AssertionError("never called on a read-only source")

    async def async_delete(self, uid: str) -> None:
        raise AssertionError("never called on a read-only source")


class Calendar(ScheduleCalendar):
    def __init__(self, source: ScheduleSource) -> None:
        self._source = source

    @property
    def schedule_source(self) -> ScheduleSource:
        return self._source


async def test_a_read_only_source_is_shown_and_refuses_edits(hass: HomeAssistant) -> None:
    today = dt_util.utcnow().date()
    slot = WeeklyEntry(
        uid="plan-1",
        summary="Planned charge",
        start=time(1),
        lengths={(today + timedelta(days=1)).weekday(): timedelta(hours=2)},
        once=today + timedelta(days=1),
    )
    calendar = Calendar(PlannedSlots([slot]))
    assert calendar.supported_features == CalendarEntityFeature(0)
    start = datetime.combine(today, time(), UTC)
    found = await calendar.async_get_events(hass, start, start + timedelta(days=3))
    assert [(event.uid, event.rrule, event.recurrence_id) for event in found] == [
        ("plan-1", None, None)
    ]
    for edit in (
        calendar.async_create_event(dtstart=start, dtend=start + timedelta(hours=1), summary="x"),
        calendar.async_update_event("plan-1", {}),
        calendar.async_delete_event("plan-1"),
    ):
        with pytest.raises(ServiceValidationError) as caught:
            await edit
        assert caught.value.translation_key == "schedule_read_only"


class Weekly(PlannedSlots):
    read_only = False

    def __init__(self, entries: Sequence[WeeklyEntry]) -> None:
        super().__init__(entries)
        self.updated: list[tuple[str, ScheduleRequest]] = []

    async def async_update(self, uid: str, request: ScheduleRequest) -> None:
        self.updated.append((uid, request))


async def test_only_the_whole_series_from_its_next_occurrence_changes(hass: HomeAssistant) -> None:
    entry = WeeklyEntry(
        uid="daily",
        summary="s",
        start=time(3),
        lengths=dict.fromkeys(EVERY_WEEKDAY, timedelta(hours=1)),
    )
    source = Weekly([entry])
    calendar = Calendar(source)
    assert calendar.supported_features == EDITABLE
    now = dt_util.utcnow()
    upcoming = await calendar.async_get_events(hass, now, now + timedelta(days=3))
    start = upcoming[0].start
    change = {
        "dtstart": start,
        "dtend": start + timedelta(minutes=30),
        "summary": "s",
        "rrule": "FREQ=DAILY",
    }
    with pytest.raises(ServiceValidationError) as caught:
        await calendar.async_update_event(
            "daily",
            change,
            recurrence_id=upcoming[1].recurrence_id,
            recurrence_range="THISANDFUTURE",
        )
    assert caught.value.translation_key == "schedule_single_occurrence"
    await calendar.async_update_event(
        "daily", change, recurrence_id=upcoming[0].recurrence_id, recurrence_range="THISANDFUTURE"
    )
    # A naive start and end are read in Home Assistant's zone.
    naive = {
        **change,
        "dtstart": start.replace(tzinfo=None),
        "dtend": (start + timedelta(minutes=30)).replace(tzinfo=None),
    }
    await calendar.async_update_event("daily", naive)
    assert [uid for uid, _ in source.updated] == ["daily", "daily"]
    assert source.updated[0][1].length == timedelta(minutes=30)
