"""What Home Assistant did with each pushed delta: state writes, their timing, their CPU cost.

Every ``async_write_ha_state`` of an entity ends in the state machine, which fires
``state_changed`` when the state, an attribute or the availability moved, and
``state_reported`` when the entity wrote exactly what it already showed. Listening to both for
the entities of each integration therefore counts every state write and tells the useful ones
from the idle ones; each event carries the wall-clock moment of the write.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from homeassistant.const import EVENT_STATE_CHANGED, EVENT_STATE_REPORTED
from homeassistant.core import Event, HomeAssistant, callback

from .bench_charger import Push


@dataclass(frozen=True, slots=True)
class Write:
    """One state write of one entity."""

    at: float
    """``time.time()`` of the write (the event's time fired)."""
    entity_id: str
    changed: bool
    """False when the entity wrote what it already showed (``state_reported``)."""
    state: str | None


class StateWrites:
    """Collects the state writes of the entities of several integrations, per integration."""

    def __init__(self, hass: HomeAssistant, entities: Mapping[str, Iterable[str]]) -> None:
        """Watch ``entities``: integration name -> its entity ids."""
        self._hass = hass
        self._owner = {entity_id: name for name, ids in entities.items() for entity_id in ids}
        self.writes: dict[str, list[Write]] = {name: [] for name in entities}
        self._unsubscribe: list[Callable[[], None]] = []

    def start(self) -> None:
        """Start listening (call ``stop`` before the test ends)."""
        bus = self._hass.bus
        self._unsubscribe = [
            bus.async_listen(EVENT_STATE_CHANGED, self._changed, event_filter=self._watched),
            bus.async_listen(EVENT_STATE_REPORTED, self._reported, event_filter=self._watched),
        ]

    def stop(self) -> None:
        """Stop listening."""
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []

    @callback
    def _watched(self, data: Mapping[str, Any]) -> bool:
        return data["entity_id"] in self._owner

    @callback
    def _changed(self, event: Event[Any]) -> None:
        self._record(event, changed=True)

    @callback
    def _reported(self, event: Event[Any]) -> None:
        self._record(event, changed=False)

    def _record(self, event: Event[Any], *, changed: bool) -> None:
        entity_id: str = event.data["entity_id"]
        new_state = event.data["new_state"]
        self.writes[self._owner[entity_id]].append(
            Write(
                event.time_fired_timestamp,
                entity_id,
                changed,
                None if new_state is None else new_state.state,
            )
        )


@dataclass(slots=True)
class DeltaOutcome:
    """What one pushed delta led to in Home Assistant."""

    changed: int
    unchanged: int
    latency: float | None
    """Seconds from the push to the delta's last state write; None when nothing was written."""


def delta_outcomes(
    pushes: Sequence[Push], writes: Sequence[Write], first: int, last: int
) -> list[DeltaOutcome]:
    """Attribute the writes to the deltas ``pushes[first:last]``.

    A write belongs to the latest push before it; ``pushes[last]`` must exist (it closes the
    last delta's window).
    """
    times = [write.at for write in writes]  # in order: the bus fires them as they happen
    outcomes = []
    for index in range(first, last):
        start, end = pushes[index].sent, pushes[index + 1].sent
        mine = writes[bisect_left(times, start) : bisect_left(times, end)]
        changed = sum(1 for write in mine if write.changed)
        latency = max(write.at for write in mine) - start if mine else None
        outcomes.append(DeltaOutcome(changed, len(mine) - changed, latency))
    return outcomes


def cpu_per_delta(pushes: Sequence[Push], first: int, last: int) -> float:
    """Process CPU seconds per delta between the pushes ``first`` and ``last``, without what the
    simulated charger spent answering HTTP requests meanwhile."""
    process = pushes[last].cpu - pushes[first].cpu
    charger = pushes[last].http_cpu - pushes[first].http_cpu
    return (process - charger) / (last - first)
