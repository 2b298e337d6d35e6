"""The firmware's charging timer (scheduler.cpp, v5.1.5): events, the weekly plan, its claim.

Up to 50 events "at this time on these weekdays, switch to active/disabled" form one ring over
the week, Sunday first, each day's events by time (buildSchedule). An event holds until the
next one (getDuration; a lone event for a whole week). Active events start at a random moment
in [time - min(window, time), time + window) with ``scheduler_start_window`` (randomiseStartOffset),
drawn again at each rebuild. The event in force is claimed by client 65540: an active one at
priority 100 with the hardware maximum as its current, a disabled one at priority 10; with no
event the claim is released (Scheduler::loop).

The development branch (master) gives each event an optional ``feature`` (``divert``, ``shaper``,
``ocpp``, ``rfid``, ``current``) with a ``feature_value``, and a session ``limit`` (``time``,
``energy``, ``soc``, ``cost``) with a ``limit_value`` (master scheduler.cpp:731-790, 890-913,
1001-1051). Events with a feature are never staggered (randomiseStartOffset, :160-176). The
released firmwares read none of these keys.
"""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass
from typing import Any, Final

from .claims import as_uint32

FIRMWARE_DAYS: Final = (
    "sunday",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
)
MAX_EVENTS: Final = 50  # SCHEDULER_MAX_EVENTS
CLIENT_SCHEDULE: Final = 65540
PRIORITY_TIMER: Final = 100
# master scheduler.cpp:1003-1005, 1028-1030: the names, matched (strcmp) and written as is.
FEATURE_NAMES: Final = ("none", "divert", "shaper", "ocpp", "rfid", "current")
LIMIT_NAMES: Final = ("none", "time", "energy", "soc", "cost")
DAY: Final = 86400
WEEK: Final = 7 * DAY


class ScheduleRejectedError(ValueError):
    """The firmware answers 400 ``Could not parse JSON``."""


@dataclass(frozen=True)
class Instance:
    """One event on one of its days, with its (randomised) start."""

    event_id: int
    state: str
    time: str
    offset: int
    day: int
    start_offset: int

    def as_plan(self, duration: int) -> dict[str, Any]:
        """The entry as serializeEventInstance writes it."""
        return {
            "id": self.event_id,
            "state": self.state,
            "time": self.time,
            "day": FIRMWARE_DAYS[self.day],
            "offset": self.offset,
            "start_offset": self.start_offset,
            "diff": self.start_offset - self.offset,
            "duration": duration,
        }


def _seconds(clock: str) -> int:
    hours, minutes, seconds = (int(part) for part in clock.split(":"))
    return hours * 3600 + minutes * 60 + seconds


def _parse_time(text: Any, previous: str) -> str:
    """Event::setTime: "%u:%02u:%02u" or "%u:%02u"; anything else keeps the old time."""
    parts = str(text).split(":") if isinstance(text, str) else []
    if len(parts) not in (2, 3) or not all(part.strip().isdigit() for part in parts):
        return previous
    hours, minutes = int(parts[0]), int(parts[1])
    seconds = int(parts[2]) if len(parts) == 3 else 0
    total = hours * 3600 + minutes * 60 + seconds
    return f"{total // 3600:02d}:{total // 60 % 60:02d}:{total % 60:02d}"


class Timer:
    """The scheduler's events and plan."""

    def __init__(
        self, rng: random.Random, *, same_day_wrap_fixed: bool = False, features: bool = False
    ) -> None:
        """Start empty (a charger whose stored timer has no events).

        ``same_day_wrap_fixed``: the development branch's signed week arithmetic (see
        :meth:`duration`); 5.1.5 has the unsigned one. ``features``: the development branch's
        per-event feature and limit keys (the released firmwares ignore them).
        """
        self._rng = rng
        self._same_day_wrap_fixed = same_day_wrap_fixed
        self._features = features
        self.events: list[dict[str, Any]] = []
        """The events in slot order, as ``GET /schedule`` lists them."""
        self.stored: list[dict[str, Any]] = []
        """What flash holds: only committed writes survive a reboot."""
        self.ring: list[Instance] = []
        self.active: Instance | None = None
        self.active_feature = "none"
        """The feature the event in force switched on (Scheduler::_activeFeature)."""
        self._next_id = 1

    # ------------------------------------------------------------------ writes

    def upsert(self, body: dict[str, Any], path_id: int) -> None:
        """deserializeInternal + addEventInternal for one event object."""
        event_id = path_id
        if path_id == 0:
            if "id" in body:
                event_id = _as_id(body["id"])
        elif "id" in body and _as_id(body["id"]) != path_id:
            raise ScheduleRejectedError
        if not {"state", "time", "days"} <= body.keys():
            raise ScheduleRejectedError
        current = next((event for event in self.events if event["id"] == event_id), None)
        if current is None or event_id == 0:
            if len(self.events) >= MAX_EVENTS:
                raise ScheduleRejectedError  # no free slot
            current = {"id": 0, "state": "none", "time": "00:00:00", "days": []}
            self.events.append(current)
        if event_id == 0:
            event_id = self._next_id
        self._next_id = max(self._next_id, event_id + 1)
        current["id"] = event_id
        current["time"] = _parse_time(body["time"], current["time"])
        state = body["state"]
        # EvseState::fromString looks at the first letter only; others keep the old state.
        if isinstance(state, str) and state[:1] in ("a", "d"):
            current["state"] = "active" if state[0] == "a" else "disabled"
        days = body["days"] if isinstance(body["days"], list) else []
        current["days"] = [day for day in FIRMWARE_DAYS if day in days]
        if self._features:
            _set_feature_and_limit(current, body)

    def event(self, event_id: int) -> dict[str, Any]:
        """The event an instance of the ring stands for, as it is now."""
        return next(event for event in self.events if event["id"] == event_id)

    def remove(self, event_id: int) -> bool:
        """removeEvent: False when there is no such event."""
        for event in self.events:
            if event["id"] == event_id:
                self.events.remove(event)
                return True
        return False

    def commit(self) -> None:
        """Save to flash (POST /schedule and DELETE do; POST /schedule/{id} does not)."""
        self.stored = copy.deepcopy(self.events)

    def restore(self) -> None:
        """A boot loads the stored timer."""
        self.events = copy.deepcopy(self.stored)
        self.active = None
        self.active_feature = "none"

    # ------------------------------------------------------------------ plan

    def build(self, window: int) -> None:
        """buildSchedule: the ring, with fresh random starts for active events."""
        ring: list[Instance] = []
        for day in range(7):
            todays = [event for event in self.events if FIRMWARE_DAYS[day] in event["days"]]
            for event in sorted(todays, key=lambda item: _seconds(item["time"])):
                offset = _seconds(event["time"])
                start = offset
                feature = str(event.get("feature", "none"))
                # master staggers only plain charge windows; a feature window is exact.
                if event["state"] == "active" and feature == "none" and window > 0:
                    start += self._rng.randrange(-min(window, offset), window)
                ring.append(
                    Instance(event["id"], event["state"], event["time"], offset, day, start)
                )
        self.ring = ring

    def _following(self, instance: Instance) -> Instance:
        return self.ring[(self.ring.index(instance) + 1) % len(self.ring)]

    def duration(self, instance: Instance) -> int:
        """EventInstance::getDuration, as uint32.

        5.1.5 (scheduler.cpp:119-133) adds 7 days only when the next event's weekday index is
        lower; when the ring wraps to the same weekday (every event on one day) the offset
        difference is negative and wraps to about 2^32. The development branch takes the
        following week instead (master scheduler.cpp getDuration, "weeklySpan").
        """
        following = self._following(instance)
        days = following.day - instance.day
        if days < 0:
            days += 7
        length = days * DAY + following.start_offset - instance.start_offset
        if length <= 0 and self._same_day_wrap_fixed:
            length += WEEK
        length %= _UINT32
        return length or WEEK

    def current(self, day: int, offset: int) -> Instance | None:
        """getCurrentEvent (scheduler.cpp:382-423), int32 arithmetic included.

        The window is [start, start + duration) with the end cut to int32, so 5.1.5's wrapped
        duration gives an end before the start: that event is never current, and when nothing
        matches the search ends on the first event of the week, which is then in force.
        """
        for week in (-1, 0, 1):
            for instance in self.ring:
                start = (instance.day - day + 7 * week) * DAY + instance.start_offset
                end = _int32(start + self.duration(instance))
                if start <= offset < end:
                    return instance
        return self.ring[0] if self.ring else None

    def plan(self, day: int, offset: int) -> dict[str, Any]:
        """serializePlan: current and next event, then one array per day that has events."""
        plan: dict[str, Any] = {"current_day": FIRMWARE_DAYS[day], "current_offset": offset}
        active = self.active if self.active in self.ring else None
        if active is not None:
            following = self._following(active)
            delay = (following.day - day) % 7 * DAY + following.start_offset - offset
            plan["next_event_delay"] = delay % _UINT32  # getDelay is uint32 too
            plan["current_event"] = active.as_plan(self.duration(active))
            plan["next_event"] = following.as_plan(self.duration(following))
        else:
            plan |= {"next_event_delay": False, "current_event": False, "next_event": False}
        for instance in self.ring:
            plan.setdefault(FIRMWARE_DAYS[instance.day], []).append(
                instance.as_plan(self.duration(instance))
            )
        return plan


_UINT32: Final = 2**32


def _set_feature_and_limit(event: dict[str, Any], body: dict[str, Any]) -> None:
    """master deserializeInternal: an overwritten event loses its feature and limit, then
    takes those the body names (addEventInternal clears them, scheduler.cpp:544-548, 773-784).

    A name the firmware does not know (strcmp, so case counts) is ``none``; values are read as
    uint32. ``GET /schedule`` lists a feature or limit with its value only when it is not
    ``none`` (scheduler.cpp:902-910), so a value without its name is not kept here.
    """
    for key in ("feature", "feature_value", "limit", "limit_value"):
        event.pop(key, None)
    for name_key, value_key, names in (
        ("feature", "feature_value", FEATURE_NAMES),
        ("limit", "limit_value", LIMIT_NAMES),
    ):
        name = body.get(name_key)
        if isinstance(name, str) and name in names and name != "none":
            event[name_key] = name
            event[value_key] = as_uint32(body.get(value_key, 0))


def _int32(value: int) -> int:
    value %= _UINT32
    return value - _UINT32 if value >= 2**31 else value


def _as_id(value: Any) -> int:
    """``obj["id"]`` read as the firmware's uint32 (not a number: 0)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    return int(value) if value >= 0 else 0
