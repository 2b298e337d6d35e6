"""The charger's own timer (``/schedule``) as calendar entries, and calendar edits as timer events.

The firmware keeps up to 50 events, each "at this time on these weekdays, switch to active (or
disabled)", and lays them out as one weekly ring: an event holds until the next one in the
week (scheduler.cpp buildSchedule, getDuration). A charging window is therefore an ``active``
event and the stretch until the event after it; a calendar event becomes an ``active`` event at
its start plus a ``disabled`` event at its end.

An edit maps cleanly only when the rest of the week stays as it was: the new timer is worked
out first and compared with the old one, and an edit that would shorten, stretch or swallow
another window is refused (the actions edit single timer events for that).

The firmware's development branch gives an event a ``feature`` (a window charging on solar
surplus only, ``divert``, or at a set current) and a session ``limit``, and drops them whenever
the event is written without them (scheduler.cpp addEventInternal). A changed window therefore
sends its events' feature and limit keys again, so moving a solar window keeps it a solar one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Final

from ..clients.openevse import (
    SCHEDULE_DAYS,
    SCHEDULE_FEATURE_KEYS,
    OpenEVSE,
    ScheduleEvent,
    SchedulePlan,
)
from ..clients.openevse.models import ChargeState
from ..schedule_calendar.weekly import ScheduleMappingError, ScheduleRequest, WeeklyEntry
from .const import REQUEST_TIMEOUT

DAY_SECONDS: Final = 86400
WEEK_SECONDS: Final = 7 * DAY_SECONDS
MAX_EVENTS: Final = 50  # SCHEDULER_MAX_EVENTS (scheduler.h)
UID_PREFIX: Final = "openevse-timer-"
# The longest window a calendar event may ask for: a timer window ends within a day.
MAX_WINDOW: Final = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class TimerEvent:
    """One timer event in the firmware's terms (day indexes 0 = Sunday)."""

    event_id: int
    active: bool
    seconds: int
    """Seconds after local midnight."""
    days: frozenset[int]
    features: tuple[tuple[str, object], ...] = field(default=(), compare=False)
    """The event's feature and limit keys as the charger lists them (development branch)."""

    @classmethod
    def from_model(cls, event: ScheduleEvent) -> TimerEvent | None:
        """Read a ``/schedule`` event; None for one the scheduler would not run."""
        if event.event_id is None or event.time is None or event.state is None:
            return None
        at = event.time
        return cls(
            event_id=event.event_id,
            active=event.state is ChargeState.ACTIVE,
            seconds=at.hour * 3600 + at.minute * 60 + at.second,
            days=frozenset(SCHEDULE_DAYS.index(day) for day in event.days if day in SCHEDULE_DAYS),
            features=tuple(
                (key, event.raw[key]) for key in SCHEDULE_FEATURE_KEYS if key in event.raw
            ),
        )

    def as_wire(self) -> dict[str, object]:
        """Return the event as ``POST /schedule`` takes it."""
        hours, rest = divmod(self.seconds, 3600)
        return {
            "id": self.event_id,
            "state": "active" if self.active else "disabled",
            "time": f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}",
            "days": [SCHEDULE_DAYS[day] for day in sorted(self.days)],
            **dict(self.features),
        }


@dataclass(frozen=True, slots=True)
class _Instance:
    event: TimerEvent
    day: int

    @property
    def week_offset(self) -> int:
        return self.day * DAY_SECONDS + self.event.seconds


def _ring(events: Sequence[TimerEvent]) -> list[_Instance]:
    """Every event on every one of its days, in the order of the week (Sunday first)."""
    instances = [_Instance(event, day) for event in events for day in event.days]
    return sorted(instances, key=lambda item: (item.week_offset, item.event.event_id))


def _windows(events: Sequence[TimerEvent]) -> dict[int, dict[int, int]]:
    """Active event id -> {firmware day: seconds until the next event of the week}."""
    ring = _ring(events)
    windows: dict[int, dict[int, int]] = {}
    for index, instance in enumerate(ring):
        if not instance.event.active:
            continue
        following = ring[(index + 1) % len(ring)]
        # A lone event holds for the whole week (getDuration's special case).
        length = (
            WEEK_SECONDS
            if following is instance
            else (following.week_offset - instance.week_offset) % WEEK_SECONDS
        )
        windows.setdefault(instance.event.event_id, {})[instance.day] = length
    return windows


def _python_weekday(day: int) -> int:
    return (day - 1) % 7


def _firmware_day(weekday: int) -> int:
    return (weekday + 1) % 7


@dataclass(frozen=True, slots=True, kw_only=True)
class WindowNames:
    """What a charging window is called, by what its ``active`` event does (translated).

    ``set_current`` holds ``{current}`` for the amperes. Only the two features that change how
    the car charges are named; a window with another feature (the shaper, RFID, OCPP) charges
    as a plain one would, as far as the calendar can tell.
    """

    plain: str
    solar: str
    set_current: str

    def of(self, event: TimerEvent) -> str:
        """Return the name of the window ``event`` opens."""
        features = dict(event.features)
        feature = features.get("feature")
        if feature == "divert":
            return self.solar
        value = features.get("feature_value")
        # The firmware uses the value as the timer claim's current only when it is above 0.
        if feature == "current" and _amperes(value):
            return self.set_current.format(current=f"{value:g}")
        return self.plain


def _amperes(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


def timer_entries(schedule: Sequence[ScheduleEvent], names: WindowNames) -> list[WeeklyEntry]:
    """Return the charging windows of the timer, one entry per ``active`` event."""
    events = _events(schedule)
    by_id = {event.event_id: event for event in events}
    return [
        WeeklyEntry(
            uid=f"{UID_PREFIX}{event_id}",
            summary=names.of(by_id[event_id]),
            start=_clock(by_id[event_id].seconds),
            lengths={
                _python_weekday(day): timedelta(seconds=length) for day, length in days.items()
            },
        )
        for event_id, days in sorted(_windows(events).items())
    ]


def _events(schedule: Sequence[ScheduleEvent]) -> list[TimerEvent]:
    return [event for item in schedule if (event := TimerEvent.from_model(item)) is not None]


def _clock(seconds: int) -> time:
    hours, rest = divmod(seconds, 3600)
    return time(hours, rest // 60, rest % 60)


def event_id_of(uid: str) -> int:
    """Return the active event behind a calendar uid."""
    if uid.startswith(UID_PREFIX) and uid[len(UID_PREFIX) :].isdigit():
        return int(uid[len(UID_PREFIX) :])
    raise ScheduleMappingError("schedule_entry_not_found", uid=uid)


@dataclass(frozen=True, slots=True)
class TimerChange:
    """What to send: events to add or replace (id None: a new one), then ids to delete."""

    upsert: tuple[TimerEvent, ...]
    delete: tuple[int, ...]


def _window_events(
    request: ScheduleRequest, active_id: int, end_id: int
) -> tuple[TimerEvent, TimerEvent]:
    start = request.start.hour * 3600 + request.start.minute * 60 + request.start.second
    end = start + int(request.length.total_seconds())
    days = frozenset(_firmware_day(day) for day in request.weekdays)
    shift, end_seconds = divmod(end, DAY_SECONDS)
    return (
        TimerEvent(active_id, True, start, days),
        TimerEvent(end_id, False, end_seconds, frozenset((day + shift) % 7 for day in days)),
    )


def _exclusive_ends(events: Sequence[TimerEvent], active_id: int) -> list[TimerEvent]:
    """Return the disabled events that end this active event's windows and nothing else."""
    ring = _ring(events)
    ends: dict[int, TimerEvent] = {}
    shared: set[int] = set()
    for index, instance in enumerate(ring):
        previous = ring[index - 1]
        if instance.event.active:
            continue
        if previous.event.event_id == active_id:
            ends[instance.event.event_id] = instance.event
        else:
            shared.add(instance.event.event_id)
    return [event for event_id, event in ends.items() if event_id not in shared]


def _placeholder_ids(events: Sequence[TimerEvent], count: int) -> list[int]:
    top = max((event.event_id for event in events), default=0)
    return [top + n for n in range(1, count + 1)]


def plan_change(
    schedule: Sequence[ScheduleEvent], request: ScheduleRequest | None, replace: int | None
) -> TimerChange:
    """Work out the timer events for a calendar edit, or refuse one that does not map.

    ``replace`` is the active event id of the window changed or deleted (None: a new window);
    ``request`` is the new window (None: delete).
    """
    events = _events(schedule)
    removed: list[TimerEvent] = []
    if replace is not None:
        active = next((e for e in events if e.event_id == replace and e.active), None)
        if active is None:
            raise ScheduleMappingError("schedule_entry_not_found", uid=f"{UID_PREFIX}{replace}")
        removed = [active, *_exclusive_ends(events, replace)]
    kept = [event for event in events if event not in removed]
    added: list[TimerEvent] = []
    new_ids: set[int] = set()
    if request is not None:
        # A changed window keeps its event ids; a new one gets the firmware's next ids (sent
        # without an id), stood in for here by ids no event has.
        ids = [event.event_id for event in removed][:2]
        for spare in _placeholder_ids(events, 2 - len(ids)):
            new_ids.add(spare)
            ids.append(spare)
        # A changed window keeps what its events were for (a solar window stays one).
        features = {event.event_id: event.features for event in removed}
        added = [
            dataclasses.replace(event, features=features.get(event.event_id, ()))
            for event in _window_events(request, ids[0], ids[1])
        ]
        if len(kept) + len(added) > MAX_EVENTS:
            raise ScheduleMappingError("charger_schedule_full", limit=str(MAX_EVENTS))
    if request is not None and len({day for e in [*kept, *added] for day in e.days}) == 1:
        # 5.1.5 never ends a window when every event falls on one weekday (its unsigned
        # duration wraps; fixed on the development branch): such a timer would charge on.
        raise ScheduleMappingError("charger_schedule_one_weekday")
    before, after = _windows(events), _windows([*kept, *added])
    for event_id, days in before.items():
        if event_id != replace and after.get(event_id) != days:
            raise ScheduleMappingError("charger_schedule_overlap")
    if request is not None:
        length = int(request.length.total_seconds())
        if after.get(added[0].event_id) != dict.fromkeys(added[0].days, length):
            raise ScheduleMappingError("charger_schedule_overlap")
    sent = {event.event_id for event in added}
    return TimerChange(
        upsert=tuple(
            TimerEvent(0, e.active, e.seconds, e.days) if e.event_id in new_ids else e
            for e in added
        ),
        delete=tuple(e.event_id for e in removed if e.event_id not in sent),
    )


type Command = Callable[[Callable[[OpenEVSE], Awaitable[object]]], Awaitable[None]]


async def async_apply_change(command: Command, change: TimerChange) -> None:
    """Add or replace first, then delete: a refused write leaves the old windows in place.

    ``command`` is the coordinator's, which turns failures into translated errors.
    """
    if change.upsert:
        # Id 0 stands for "a new event": sent without an id, the firmware numbers it.
        body: list[Mapping[str, object]] = [
            {key: value for key, value in event.as_wire().items() if (key, value) != ("id", 0)}
            for event in change.upsert
        ]
        await command(
            lambda client: client.set_schedule_events(body, request_timeout=REQUEST_TIMEOUT)
        )
    for event_id in change.delete:
        await command(_deletion(event_id))


def _deletion(event_id: int) -> Callable[[OpenEVSE], Awaitable[object]]:
    async def delete(client: OpenEVSE) -> None:
        await client.delete_schedule_event(event_id, request_timeout=REQUEST_TIMEOUT)

    return delete


def next_transition(plan: SchedulePlan | None, *, active: bool) -> datetime | None:
    """When the timer next switches charging on (``active``) or off, by the charger's plan.

    The plan tells when each event really acts (active events start at a random moment within
    ``scheduler_start_window`` of their time) counted from the charger's clock when it was
    read; the plan is read again each time the scheduler passes an event, so this stays true.
    """
    if plan is None or plan.received is None or plan.current_offset is None:
        return None
    if plan.current_day not in SCHEDULE_DAYS:
        return None
    today = SCHEDULE_DAYS.index(plan.current_day)
    delays: list[int] = []
    for day, entries in plan.days.items():
        for entry in entries:
            offset = entry.start_offset if entry.start_offset is not None else entry.offset
            if entry.state is None or offset is None:
                continue
            if (entry.state is ChargeState.ACTIVE) != active:
                continue
            delay = ((SCHEDULE_DAYS.index(day) - today) % 7) * DAY_SECONDS
            delay += offset - plan.current_offset
            delays.append(delay if delay > 0 else delay + WEEK_SECONDS)
    if not delays:
        return None
    return (plan.received + timedelta(seconds=min(delays))).replace(microsecond=0)
