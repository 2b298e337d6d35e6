"""Each pump's spray schedules as a calendar: the sprays planned for the coming days.

Only schedules that will run are shown (enabled, with the pump's master schedule switch on),
without the one occurrence a skip consumes. A calendar event maps to a cloud schedule when it
starts on a whole minute, lasts 1 s to an hour and repeats weekly; a one-off maps to the
cloud's one-shot schedule, which sprays at the next occurrence of its time, so only a one-off
within the next 24 hours does. The schedule actions stay for the rest (enable, disable, skip).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta, tzinfo
from typing import override

from homeassistant.components.calendar import CalendarEntityDescription
from homeassistant.const import WEEKDAYS
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from ..clients.moogo import MoogoSchedule, ScheduleSpec
from ..schedule_calendar.entity import ScheduleCalendar, ScheduleSource
from ..schedule_calendar.weekly import (
    ScheduleMappingError,
    ScheduleRequest,
    WeeklyEntry,
    next_occurrence,
)
from .const import MAX_SPRAY_SECONDS, REQUEST_TIMEOUT
from .coordinator import PumpCoordinator
from .data import PumpData
from .entity import PumpEntity, PumpEntityDescription, async_add_pump_entities
from .readers import PART_SCHEDULES
from .runtime import PumpConfigEntry
from .services import MAX_SCHEDULES, check_free_slot, wire_days


@dataclass(frozen=True, kw_only=True)
class PumpCalendarEntityDescription(CalendarEntityDescription, PumpEntityDescription):
    """Describes a pump calendar entity."""


SPRAY_SCHEDULE = PumpCalendarEntityDescription(
    key="spray_schedule", translation_key="spray_schedule", part=PART_SCHEDULES
)
UID_PREFIX = "moogo-schedule-"


def _weekday(wire_day: int) -> int:
    """Convert a cloud weekday (0 = Sunday) to Python's (0 = Monday)."""
    return (wire_day - 1) % 7


def schedule_entry(
    schedule: MoogoSchedule, summary: str, zone: tzinfo, now: datetime
) -> WeeklyEntry | None:
    """Return a schedule as a calendar entry; None for a one-shot the cloud no longer plans."""
    length = timedelta(seconds=schedule.duration)
    start = time(schedule.hour, schedule.minute)
    uid = f"{UID_PREFIX}{schedule.schedule_id}"
    if not schedule.repeat_days:
        if schedule.next_run is None or schedule.skip_next:
            return None
        run = schedule.next_run.astimezone(zone)
        return WeeklyEntry(
            uid=uid, summary=summary, start=start, lengths={run.weekday(): length}, once=run.date()
        )
    entry = WeeklyEntry(
        uid=uid,
        summary=summary,
        start=start,
        lengths={_weekday(day): length for day in schedule.repeat_days},
    )
    if schedule.skip_next and (upcoming := next_occurrence((entry,), zone, now)) is not None:
        # The skip consumes the next run only.
        entry = replace(entry, excluded=frozenset({upcoming.start.date()}))
    return entry


class PumpScheduleSource:
    """One pump's cloud schedules as a :class:`ScheduleSource`."""

    read_only = False
    accepts_one_off = True
    max_length = timedelta(seconds=MAX_SPRAY_SECONDS)

    def __init__(
        self, coordinator: PumpCoordinator, pump: Callable[[], PumpData], summary: Callable[[], str]
    ) -> None:
        """Read the pump's snapshot through ``pump``; write through the coordinator."""
        self._coordinator = coordinator
        self._pump = pump
        self._summary = summary
        self.time_zone: tzinfo = dt_util.get_default_time_zone()

    async def async_follow_zone(self, name: str | None) -> None:
        """Plan in the pump's zone, as the cloud does; an empty or POSIX one falls back to ours."""
        zone = await dt_util.async_get_time_zone(name) if name and "/" in name else None
        self.time_zone = zone or dt_util.get_default_time_zone()

    def entries(self) -> Sequence[WeeklyEntry]:
        """Return the sprays that will run."""
        now = dt_util.now()
        summary = self._summary()
        return [
            entry
            for item in self._pump().active_schedules
            if (entry := schedule_entry(item, summary, self.time_zone, now)) is not None
        ]

    def _spec(self, request: ScheduleRequest, enabled: bool) -> ScheduleSpec:
        if request.start.second:
            raise ScheduleMappingError("moogo_schedule_whole_minutes")
        if request.once is not None:
            # The cloud's one-shot sprays at the next time its clock shows hour:minute.
            first = request.first_start(self.time_zone)
            if not dt_util.now() < first <= dt_util.now() + timedelta(days=1):
                raise ScheduleMappingError("moogo_schedule_one_off_not_next")
            days: frozenset[int] = frozenset()
        else:
            days = wire_days([WEEKDAYS[day] for day in sorted(request.weekdays)], frozenset())
        return ScheduleSpec(
            hour=request.start.hour,
            minute=request.start.minute,
            duration=int(request.length.total_seconds()),
            repeat_days=days,
            enabled=enabled,
        )

    def _schedule(self, uid: str) -> MoogoSchedule:
        schedules = self._pump().schedules
        for item in schedules.schedules if schedules is not None else ():
            if uid == f"{UID_PREFIX}{item.schedule_id}":
                return item
        raise ScheduleMappingError("schedule_entry_not_found", uid=uid)

    async def _change(self, change: Callable[[], Awaitable[object]]) -> None:
        device_id = self._pump().device_id
        try:
            await self._coordinator.async_change(device_id, PART_SCHEDULES, change)
        except HomeAssistantError:
            # Refused: most likely our view was stale (the app changed the schedules), so
            # read them again; the refusal is what the user sees either way.
            with suppress(HomeAssistantError):
                await self._coordinator.async_refresh_part(device_id, PART_SCHEDULES)
            raise

    async def async_create(self, request: ScheduleRequest) -> None:
        """Add a schedule (one per time of day, at most 20, as the app allows)."""
        pump = self._pump()
        spec = self._spec(request, enabled=True)
        check_free_slot(pump, request.start)
        if pump.schedules is not None and len(pump.schedules.schedules) >= MAX_SCHEDULES:
            raise ScheduleMappingError("moogo_too_many_schedules", name=pump.name, limit="20")
        client = self._coordinator.client
        await self._change(
            lambda: client.create_schedule(pump.device_id, spec, request_timeout=REQUEST_TIMEOUT)
        )

    async def async_update(self, uid: str, request: ScheduleRequest) -> None:
        """Move, resize or re-day a schedule (it stays enabled as it was)."""
        pump, item = self._pump(), self._schedule(uid)
        spec = self._spec(request, enabled=item.enabled)
        check_free_slot(pump, request.start, ignore=item.schedule_id)
        client = self._coordinator.client
        await self._change(
            lambda: client.update_schedule(
                pump.device_id, item.schedule_id, spec, request_timeout=REQUEST_TIMEOUT
            )
        )

    async def async_delete(self, uid: str) -> None:
        """Remove a schedule."""
        pump, item = self._pump(), self._schedule(uid)
        client = self._coordinator.client
        await self._change(
            lambda: client.delete_schedule(
                pump.device_id, item.schedule_id, request_timeout=REQUEST_TIMEOUT
            )
        )


class PumpScheduleCalendar(PumpEntity, ScheduleCalendar):
    """The sprays a pump's schedules plan for the coming days."""

    entity_description: PumpCalendarEntityDescription

    def __init__(
        self,
        coordinator: PumpCoordinator,
        description: PumpCalendarEntityDescription,
        pump_id: str,
    ) -> None:
        """Show the pump's schedules; their sprays carry the calendar's translated name."""
        super().__init__(coordinator, description, pump_id)
        self._schedules = PumpScheduleSource(
            coordinator, lambda: self.pump, lambda: str(self.name or "")
        )
        self._zone_name: str | None = None

    @property
    @override
    def schedule_source(self) -> ScheduleSource:
        """The pump's schedules."""
        return self._schedules

    def _pump_zone(self) -> str | None:
        return self.pump.config.time_zone if self.pump.config else None

    @override
    async def async_added_to_hass(self) -> None:
        """Resolve the pump's time zone before the first read."""
        await super().async_added_to_hass()
        await self._async_follow_zone()

    @callback
    @override
    def _handle_coordinator_update(self) -> None:
        """Follow the schedules, and the pump's zone when its settings change it."""
        if self._pump_zone() != self._zone_name:
            self.coordinator.config_entry.async_create_background_task(
                self.hass, self._async_follow_zone(), "moogo schedule zone"
            )
        self.async_follow_entries()
        super()._handle_coordinator_update()

    async def _async_follow_zone(self) -> None:
        self._zone_name = self._pump_zone()
        await self._schedules.async_follow_zone(self._zone_name)
        self.async_follow_entries(force=True)
        self.async_write_ha_state()


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PumpConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a schedule calendar for every pump of the account."""
    async_add_pump_entities(entry, async_add_entities, (SPRAY_SCHEDULE,), PumpScheduleCalendar)
