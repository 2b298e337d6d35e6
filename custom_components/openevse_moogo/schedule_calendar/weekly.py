"""Weekly recurring schedules as dated occurrences, and calendar edits as schedule requests.

Pure date arithmetic, no Home Assistant: chargers' timers and pumps' spray schedules are both
"on these weekdays at this wall-clock time, for this long", kept by the device in its own time
zone. Expanding them here, once, gives every calendar the same rules:

- A time the clock skips (the spring-forward gap) happens that much later (02:30 -> 03:30);
  a time the clock passes twice (fall back) happens the first time.
- A window ends at its wall-clock end (a 22:00-06:00 window crossing a DST change still ends at
  06:00 local), so windows crossing midnight simply end on a later date.
- Weekdays are Python's (0 = Monday); each source converts its wire numbering once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Final

EVERY_WEEKDAY: Final = frozenset(range(7))
RRULE_DAYS: Final = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEK: Final = timedelta(days=7)


class ScheduleMappingError(ValueError):
    """A calendar edit the device's schedule model cannot represent.

    Carries the translation key and placeholders of the error the user sees.
    """

    def __init__(self, translation_key: str, **placeholders: str) -> None:
        """Remember what to tell the user."""
        super().__init__(translation_key)
        self.translation_key = translation_key
        self.placeholders = placeholders


@dataclass(frozen=True, slots=True, kw_only=True)
class WeeklyEntry:
    """One schedule entry: starts at ``start`` on each weekday of ``lengths``, for that long.

    ``once`` makes it a one-off on that date (its weekday's length applies); otherwise it
    repeats every week. Lengths may differ per weekday (a charger's window lasts until the
    timer's next event, which depends on the day).
    """

    uid: str
    summary: str
    start: time
    lengths: Mapping[int, timedelta]
    once: date | None = None
    excluded: frozenset[date] = frozenset()
    """Local dates it does not run on (a skipped occurrence)."""
    description: str | None = None
    rrule: str | None = field(default=None)
    """The recurrence as shown to the calendar; derived from the weekdays when None."""

    @property
    def weekdays(self) -> frozenset[int]:
        """The weekdays it runs on."""
        return frozenset(self.lengths)

    @property
    def recurrence(self) -> str | None:
        """Its RFC 5545 rule, or None for a one-off."""
        if self.once is not None:
            return None
        return self.rrule or weekly_rrule(self.weekdays)

    def longest(self) -> timedelta:
        """Return the longest of its windows."""
        return max(self.lengths.values(), default=timedelta(0))


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One dated window of an entry, timezone-aware."""

    entry: WeeklyEntry
    start: datetime
    end: datetime

    @property
    def recurrence_id(self) -> str | None:
        """The occurrence's RFC 5545 recurrence id (its local start); None for a one-off."""
        if self.entry.once is not None:
            return None
        return self.start.strftime("%Y%m%dT%H%M%S")


def localize(naive: datetime, zone: tzinfo) -> datetime:
    """Attach ``zone`` to a wall-clock time, moving times in a DST gap forward by the gap."""
    aware = naive.replace(tzinfo=zone, fold=0)
    # Round-tripping through UTC normalises a time the clock skips (fold=0 reads it with the
    # offset before the gap, which lands after it); a real time comes back unchanged.
    return aware.astimezone(UTC).astimezone(zone)


def occurrences(
    entries: Iterable[WeeklyEntry], zone: tzinfo, start: datetime, end: datetime
) -> list[Occurrence]:
    """Every window of ``entries`` overlapping [start, end), sorted by start."""
    found: list[Occurrence] = []
    for entry in entries:
        found.extend(_entry_occurrences(entry, zone, start, end))
    return sorted(found, key=lambda item: (item.start, item.entry.uid))


def _entry_occurrences(
    entry: WeeklyEntry, zone: tzinfo, start: datetime, end: datetime
) -> Iterable[Occurrence]:
    if entry.once is not None:
        days: Iterable[date] = (entry.once,)
    else:
        # A window that started up to its length before the range still overlaps it.
        first = (start - entry.longest()).astimezone(zone).date() - timedelta(days=1)
        last = end.astimezone(zone).date()
        days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    for day in days:
        length = entry.lengths.get(day.weekday())
        if length is None or length <= timedelta(0) or day in entry.excluded:
            continue
        naive = datetime.combine(day, entry.start)
        begins = localize(naive, zone)
        ends = localize(naive + length, zone)
        if begins < end and ends > start:
            yield Occurrence(entry, begins, ends)


def next_occurrence(
    entries: Iterable[WeeklyEntry], zone: tzinfo, now: datetime
) -> Occurrence | None:
    """Return the window in progress at ``now``, else the next one (within two weeks)."""
    found = occurrences(entries, zone, now, now + 2 * WEEK)
    return found[0] if found else None


def weekly_rrule(weekdays: Iterable[int]) -> str:
    """Return the RFC 5545 rule of a weekly repetition on these weekdays."""
    days = sorted(set(weekdays))
    if days == sorted(EVERY_WEEKDAY):
        return "FREQ=DAILY"
    return "FREQ=WEEKLY;BYDAY=" + ",".join(RRULE_DAYS[day] for day in days)


_RRULE_PART = re.compile(r"^([A-Z]+)=([A-Z0-9,+-]+)$")


def parse_weekly_rrule(rule: str, first_day: int) -> frozenset[int]:
    """Weekdays of a daily or weekly rule; anything a weekly timer cannot do is refused.

    ``first_day`` is the weekday of the event's start (a weekly rule without BYDAY repeats on
    it). COUNT, UNTIL, an INTERVAL other than 1 and any BY-part but BYDAY cannot be kept by a
    timer that simply repeats every week, so they raise :class:`ScheduleMappingError`.
    """
    parts: dict[str, str] = {}
    for part in rule.upper().removeprefix("RRULE:").split(";"):
        match = _RRULE_PART.match(part.strip())
        if match is None:
            raise ScheduleMappingError("schedule_recurrence_not_weekly", rrule=rule)
        parts[match.group(1)] = match.group(2)
    frequency = parts.pop("FREQ", None)
    parts.pop("WKST", None)
    if parts.pop("INTERVAL", "1") != "1" or frequency not in ("DAILY", "WEEKLY"):
        raise ScheduleMappingError("schedule_recurrence_not_weekly", rrule=rule)
    by_day = parts.pop("BYDAY", None)
    if parts:
        raise ScheduleMappingError("schedule_recurrence_not_weekly", rrule=rule)
    if by_day is None:
        return EVERY_WEEKDAY if frequency == "DAILY" else frozenset({first_day})
    try:
        days = frozenset(RRULE_DAYS.index(day) for day in by_day.split(","))
    except ValueError:
        # "1MO" (the first Monday of a month) and the like are not weekly.
        raise ScheduleMappingError("schedule_recurrence_not_weekly", rrule=rule) from None
    if frequency == "DAILY" and days != EVERY_WEEKDAY:
        raise ScheduleMappingError("schedule_recurrence_not_weekly", rrule=rule)
    return days


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduleRequest:
    """A calendar event as a schedule entry: what a source writes to its device."""

    summary: str
    start: time
    length: timedelta
    weekdays: frozenset[int]
    """The weekdays it repeats on; for a one-off, the weekday of ``once``."""
    once: date | None
    """The date of a one-off event; None when it repeats weekly."""

    def first_start(self, zone: tzinfo) -> datetime:
        """When a one-off request starts."""
        if self.once is None:
            raise ValueError("a weekly request has no single start")
        return localize(datetime.combine(self.once, self.start), zone)


def schedule_request(
    *,
    summary: str,
    start: datetime,
    end: datetime,
    rrule: str | None,
    zone: tzinfo,
    max_length: timedelta,
) -> ScheduleRequest:
    """Map a calendar event (start and end aware) to a schedule request in the device's zone."""
    local_start = start.astimezone(zone)
    local_end = end.astimezone(zone)
    # The wall-clock length, as the device counts it (the same in both zones but across DST).
    length = local_end.replace(tzinfo=None) - local_start.replace(tzinfo=None)
    if length <= timedelta(0) or length > max_length:
        raise ScheduleMappingError(
            "schedule_length_out_of_range",
            minimum="1 s",
            maximum=_format_length(max_length),
        )
    weekday = local_start.weekday()
    if rrule:
        return ScheduleRequest(
            summary=summary,
            start=local_start.time().replace(microsecond=0, tzinfo=None),
            length=length,
            weekdays=parse_weekly_rrule(rrule, weekday),
            once=None,
        )
    return ScheduleRequest(
        summary=summary,
        start=local_start.time().replace(microsecond=0, tzinfo=None),
        length=length,
        weekdays=frozenset({weekday}),
        once=local_start.date(),
    )


def _format_length(length: timedelta) -> str:
    seconds = int(length.total_seconds())
    if seconds % 86400 == 0:
        return f"{seconds // 86400} d"
    if seconds % 3600 == 0:
        return f"{seconds // 3600} h"
    if seconds % 60 == 0:
        return f"{seconds // 60} min"
    return f"{seconds} s"


def find_occurrence(
    found: Sequence[Occurrence], uid: str, recurrence_id: str | None
) -> Occurrence | None:
    """Return the occurrence of ``uid`` named by ``recurrence_id`` (the first when None)."""
    for item in found:
        if item.entry.uid == uid and (recurrence_id is None or item.recurrence_id == recurrence_id):
            return item
    return None
