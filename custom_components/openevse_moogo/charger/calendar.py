"""The charger's own timer as a calendar: its charging windows for the coming days.

Calendar edits become timer events where they map cleanly (`timer.plan_change`); everything
else is refused with a translated error naming the action that can do it. The timer is read
only when the charger's ``schedule_version`` / ``schedule_plan_version`` counters move.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta, tzinfo
from typing import override

from homeassistant.components.calendar import CalendarEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util import dt as dt_util

from ..const import DOMAIN
from ..schedule_calendar.entity import ScheduleCalendar, ScheduleSource
from ..schedule_calendar.weekly import ScheduleRequest, WeeklyEntry
from .coordinator import ChargerCoordinator
from .entity import ChargerEntity
from .planning.calendar import PlanCalendar
from .runtime import ChargerConfigEntry
from .timer import (
    MAX_WINDOW,
    WindowNames,
    async_apply_change,
    event_id_of,
    plan_change,
    timer_entries,
)

CHARGING_SCHEDULE = CalendarEntityDescription(
    key="charging_schedule", translation_key="charging_schedule"
)


class ChargerTimerSource:
    """The charger's timer as a :class:`ScheduleSource`."""

    read_only = False
    accepts_one_off = False  # the firmware's events repeat every week
    max_length: timedelta = MAX_WINDOW

    def __init__(self, coordinator: ChargerCoordinator, names: Callable[[], WindowNames]) -> None:
        """Read and write the timer through the charger's coordinator; ``names`` its windows."""
        self._coordinator = coordinator
        self._names = names
        self.time_zone: tzinfo = dt_util.get_default_time_zone()

    async def async_follow_zone(self, name: str | None) -> None:
        """Use the charger's own zone (its timer runs on its clock), else Home Assistant's."""
        zone = await dt_util.async_get_time_zone(name) if name else None
        self.time_zone = zone or dt_util.get_default_time_zone()

    def entries(self) -> Sequence[WeeklyEntry]:
        """Return the charging windows of the timer."""
        return timer_entries(self._coordinator.data.schedule or (), self._names())

    async def async_create(self, request: ScheduleRequest) -> None:
        """Add a window: an active event at its start, a disabled one at its end."""
        await self._apply(request, None)

    async def async_update(self, uid: str, request: ScheduleRequest) -> None:
        """Move or resize a window (its events keep their ids)."""
        await self._apply(request, event_id_of(uid))

    async def async_delete(self, uid: str) -> None:
        """Remove a window with the end event only it uses."""
        await self._apply(None, event_id_of(uid))

    async def _apply(self, request: ScheduleRequest | None, replace: int | None) -> None:
        coordinator = self._coordinator
        change = plan_change(coordinator.data.schedule or (), request, replace)
        try:
            await async_apply_change(coordinator.async_command, change)
        finally:
            # Also after a refusal: show what the charger holds now, not what we assumed.
            await coordinator.async_reload_schedule()


class ChargerScheduleCalendar(ChargerEntity, ScheduleCalendar):
    """The charging windows of the charger's own timer."""

    def __init__(self, coordinator: ChargerCoordinator, description: EntityDescription) -> None:
        """Show the coordinator's timer; its windows carry translated names."""
        super().__init__(coordinator, description)
        self._timer = ChargerTimerSource(coordinator, self._window_names)
        self._zone_name: str | None = None
        self._texts: dict[str, str] = {}

    def _window_names(self) -> WindowNames:
        # A plain window carries the calendar's own name; a solar or set-current one says so.
        plain = str(self.name or "")
        prefix = (
            f"component.{DOMAIN}.entity.calendar.{self.entity_description.translation_key}"
            ".state_attributes.message.state."
        )
        return WindowNames(
            plain=plain,
            solar=self._texts.get(f"{prefix}solar", plain),
            set_current=self._texts.get(f"{prefix}set_current", plain),
        )

    @property
    @override
    def schedule_source(self) -> ScheduleSource:
        """The charger's timer."""
        return self._timer

    @override
    async def async_added_to_hass(self) -> None:
        """Load the windows' names and resolve the charger's time zone before the first read."""
        await super().async_added_to_hass()
        self._texts = await async_get_translations(
            self.hass, self.hass.config.language, "entity", [DOMAIN]
        )
        await self._async_follow_zone()

    @callback
    @override
    def _handle_coordinator_update(self) -> None:
        """Follow the timer, and the zone when the charger's settings change it."""
        if self.data.config.time_zone != self._zone_name:
            self.coordinator.config_entry.async_create_background_task(
                self.hass, self._async_follow_zone(), "openevse schedule zone"
            )
        self.async_follow_entries()
        super()._handle_coordinator_update()

    async def _async_follow_zone(self) -> None:
        self._zone_name = self.data.config.time_zone
        await self._timer.async_follow_zone(self._zone_name)
        # The same entries fall on other instants in another zone.
        self.async_follow_entries(force=True)
        self.async_write_ha_state()


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ChargerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the timer's calendar (when the firmware has a timer) and the charge plan's."""
    coordinator = entry.runtime_data.coordinator
    if coordinator.data.schedule is not None:
        async_add_entities([ChargerScheduleCalendar(coordinator, CHARGING_SCHEDULE)])
    if coordinator.data.features.claims:  # the plan is carried out through a claim
        async_add_entities([PlanCalendar(coordinator, entry.runtime_data.plan)])
