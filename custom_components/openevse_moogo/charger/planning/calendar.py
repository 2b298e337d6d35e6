"""The charge plan's runs as a read-only calendar: when the plan will charge, until departure.

It is the shared schedule calendar over a source that only reads: every planned run becomes a
one-off entry in Home Assistant's time zone. The plan decides its runs itself, so the calendar
offers no edits; the plan's settings entities change them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta, tzinfo
from typing import TYPE_CHECKING, Final, override

from homeassistant.components.calendar import CalendarEntityDescription
from homeassistant.core import callback
from homeassistant.util import dt as dt_util

from ...schedule_calendar.entity import ScheduleCalendar, ScheduleSource
from ...schedule_calendar.weekly import ScheduleMappingError, ScheduleRequest, WeeklyEntry
from ..coordinator import ChargerCoordinator
from .entities import PlanEntity

if TYPE_CHECKING:
    from .controller import PlanController

PLANNED_CHARGING: Final = CalendarEntityDescription(
    key="planned_charging", translation_key="planned_charging"
)
UID_PREFIX: Final = "openevse-plan-"


class PlanRunsSource:
    """The plan's runs still to come (or running) as a read-only :class:`ScheduleSource`."""

    read_only = True
    accepts_one_off = True
    # A run lasts at most until departure; a day bounds what one entry can span.
    max_length: timedelta = timedelta(days=1)

    def __init__(self, plan: PlanController, summary: Callable[[], str]) -> None:
        """Read the runs from the plan; each carries the calendar's translated name."""
        self._plan = plan
        self._summary = summary

    @property
    def time_zone(self) -> tzinfo:
        """Home Assistant's zone: the plan works in absolute times, shown locally."""
        return dt_util.get_default_time_zone()

    def entries(self) -> Sequence[WeeklyEntry]:
        """Return one one-off entry per planned run."""
        zone, summary = self.time_zone, self._summary()
        entries = []
        for start, end in self._plan.planned_slots:
            local = start.astimezone(zone)
            entries.append(
                WeeklyEntry(
                    uid=f"{UID_PREFIX}{int(start.timestamp())}",
                    summary=summary,
                    start=local.time().replace(tzinfo=None),
                    lengths={local.weekday(): end - start},
                    once=local.date(),
                )
            )
        return entries

    async def async_create(self, request: ScheduleRequest) -> None:
        """Refuse: the plan chooses its runs."""
        raise ScheduleMappingError("schedule_read_only")

    async def async_update(self, uid: str, request: ScheduleRequest) -> None:
        """Refuse: the plan chooses its runs."""
        raise ScheduleMappingError("schedule_read_only")

    async def async_delete(self, uid: str) -> None:
        """Refuse: the plan chooses its runs."""
        raise ScheduleMappingError("schedule_read_only")


class PlanCalendar(PlanEntity, ScheduleCalendar):
    """The runs the charge plan has planned."""

    def __init__(self, coordinator: ChargerCoordinator, plan: PlanController) -> None:
        """Show the plan's runs."""
        super().__init__(coordinator, plan, PLANNED_CHARGING)
        self._runs = PlanRunsSource(plan, lambda: str(self.name or ""))

    @property
    @override
    def schedule_source(self) -> ScheduleSource:
        """The plan's runs."""
        return self._runs

    @callback
    @override
    def _handle_coordinator_update(self) -> None:
        """Refresh open calendar views after a re-plan."""
        self.async_follow_entries()
        super()._handle_coordinator_update()
