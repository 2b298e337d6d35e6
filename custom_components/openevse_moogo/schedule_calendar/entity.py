"""The calendar entity every schedule source shares: reading, creating, changing, deleting.

A family's calendar is its usual entity base plus :class:`ScheduleCalendar`, and a
:class:`ScheduleSource` that reads its device's schedule as :class:`WeeklyEntry` values and
writes :class:`ScheduleRequest` values back. A read-only source (a plan computed by Home
Assistant, say) only implements the reading half and says so with ``read_only``.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from datetime import datetime, timedelta, tzinfo
from typing import Any, Final, Protocol, override

from homeassistant.components.calendar import CalendarEntity, CalendarEvent
from homeassistant.components.calendar.const import (
    EVENT_END,
    EVENT_RRULE,
    EVENT_START,
    EVENT_SUMMARY,
    CalendarEntityFeature,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util

from ..const import DOMAIN
from .weekly import (
    WEEK,
    Occurrence,
    ScheduleMappingError,
    ScheduleRequest,
    WeeklyEntry,
    find_occurrence,
    next_occurrence,
    occurrences,
    schedule_request,
)

# RFC 5545's range for "this and the following occurrences" (what the frontend sends).
THIS_AND_FUTURE: Final = "THISANDFUTURE"
EDITABLE: Final = (
    CalendarEntityFeature.CREATE_EVENT
    | CalendarEntityFeature.UPDATE_EVENT
    | CalendarEntityFeature.DELETE_EVENT
)


class ScheduleSource(Protocol):
    """One device's schedule as a calendar sees it."""

    @property
    def read_only(self) -> bool:
        """Whether the calendar may only be read (no create, change or delete)."""
        ...

    @property
    def accepts_one_off(self) -> bool:
        """Whether the device keeps an entry that runs once (not only weekly ones)."""
        ...

    @property
    def max_length(self) -> timedelta:
        """The longest window one entry can have."""
        ...

    @property
    def time_zone(self) -> tzinfo:
        """The zone the device keeps its wall-clock times in."""
        ...

    def entries(self) -> Sequence[WeeklyEntry]:
        """Return the entries as the device holds them now."""
        ...

    async def async_create(self, request: ScheduleRequest) -> None:
        """Add an entry (raise ScheduleMappingError or a translated HomeAssistantError)."""
        ...

    async def async_update(self, uid: str, request: ScheduleRequest) -> None:
        """Replace the entry ``uid``."""
        ...

    async def async_delete(self, uid: str) -> None:
        """Remove the entry ``uid``."""
        ...


def invalid(err: ScheduleMappingError) -> ServiceValidationError:
    """Build the translated error for an edit the device cannot represent."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=err.translation_key,
        translation_placeholders=err.placeholders,
    )


def calendar_event(occurrence: Occurrence) -> CalendarEvent:
    """Render an occurrence as Home Assistant's calendar shows it."""
    entry = occurrence.entry
    return CalendarEvent(
        start=occurrence.start,
        end=occurrence.end,
        summary=entry.summary,
        description=entry.description,
        uid=entry.uid,
        recurrence_id=occurrence.recurrence_id,
        rrule=entry.recurrence,
    )


class ScheduleCalendar(CalendarEntity):
    """A calendar over a :class:`ScheduleSource`; mixed into a family's entity base."""

    _shown_entries: tuple[WeeklyEntry, ...] | None = None
    # The family's descriptions need not be calendar descriptions: no colour of our own.
    _attr_initial_color = None

    @callback
    def async_follow_entries(self, *, force: bool = False) -> None:
        """Refresh open calendar views when the entries changed (call on every update)."""
        entries = tuple(self.schedule_source.entries())
        if force or entries != self._shown_entries:
            self._shown_entries = entries
            self.async_update_event_listeners()

    @property
    @abstractmethod
    def schedule_source(self) -> ScheduleSource:
        """The source this calendar shows."""

    @property
    @override
    def supported_features(self) -> CalendarEntityFeature:
        """Edits only where the source writes back."""
        return CalendarEntityFeature(0) if self.schedule_source.read_only else EDITABLE

    @property
    @override
    def event(self) -> CalendarEvent | None:
        """The window in progress, else the next one."""
        source = self.schedule_source
        found = next_occurrence(source.entries(), source.time_zone, dt_util.now())
        return calendar_event(found) if found is not None else None

    @override
    async def async_get_events(
        self, hass: HomeAssistant, start_date: datetime, end_date: datetime
    ) -> list[CalendarEvent]:
        """Return the windows overlapping the range."""
        source = self.schedule_source
        return [
            calendar_event(item)
            for item in occurrences(source.entries(), source.time_zone, start_date, end_date)
        ]

    @override
    async def async_create_event(self, **kwargs: Any) -> None:
        """Add an entry from a calendar event."""
        source = self._writable()
        try:
            request = self._request(source, kwargs)
            await source.async_create(request)
        except ScheduleMappingError as err:
            raise invalid(err) from err

    @override
    async def async_update_event(
        self,
        uid: str,
        event: dict[str, Any],
        recurrence_id: str | None = None,
        recurrence_range: str | None = None,
    ) -> None:
        """Change an entry; the device repeats every week, so the change is to every week."""
        source = self._writable()
        try:
            self._check_series(source, uid, recurrence_id, recurrence_range)
            await source.async_update(uid, self._request(source, event))
        except ScheduleMappingError as err:
            raise invalid(err) from err

    @override
    async def async_delete_event(
        self, uid: str, recurrence_id: str | None = None, recurrence_range: str | None = None
    ) -> None:
        """Remove an entry (all its weeks)."""
        source = self._writable()
        try:
            self._check_series(source, uid, recurrence_id, recurrence_range)
            await source.async_delete(uid)
        except ScheduleMappingError as err:
            raise invalid(err) from err

    def _writable(self) -> ScheduleSource:
        source = self.schedule_source
        if source.read_only:
            raise invalid(ScheduleMappingError("schedule_read_only"))
        return source

    @staticmethod
    def _request(source: ScheduleSource, event: dict[str, Any]) -> ScheduleRequest:
        start, end = event.get(EVENT_START), event.get(EVENT_END)
        if not isinstance(start, datetime) or not isinstance(end, datetime):
            # Whole days (dates): a timer starts and stops at a time of day.
            raise ScheduleMappingError("schedule_all_day_event")
        zone = dt_util.get_default_time_zone()
        request = schedule_request(
            summary=str(event.get(EVENT_SUMMARY) or ""),
            start=start if start.tzinfo else start.replace(tzinfo=zone),
            end=end if end.tzinfo else end.replace(tzinfo=zone),
            rrule=event.get(EVENT_RRULE) or None,
            zone=source.time_zone,
            max_length=source.max_length,
        )
        if request.once is not None and not source.accepts_one_off:
            raise ScheduleMappingError("schedule_one_off_not_supported")
        return request

    @staticmethod
    def _check_series(
        source: ScheduleSource, uid: str, recurrence_id: str | None, recurrence_range: str | None
    ) -> None:
        """Allow changing a whole entry: no occurrence named, or "this and future" of the next.

        The device cannot skip or move one week of a weekly entry, and a change "from a later
        week on" would also change the weeks before it, so both are refused.
        """
        if not any(entry.uid == uid for entry in source.entries()):
            raise ScheduleMappingError("schedule_entry_not_found", uid=uid)
        if recurrence_id is None:
            return
        now = dt_util.now()
        found = occurrences(source.entries(), source.time_zone, now, now + 2 * WEEK)
        upcoming = find_occurrence(found, uid, None)
        if (
            recurrence_range != THIS_AND_FUTURE
            or upcoming is None
            or upcoming.recurrence_id != recurrence_id
        ):
            raise ScheduleMappingError("schedule_single_occurrence")
