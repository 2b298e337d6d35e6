"""The charger simulator, instrumented for the benchmark.

``BenchCharger`` is the project's ``ChargerSimulator`` with three additions, none of which changes
what a client sees on the wire:

* every websocket frame it pushes is stamped (wall clock and process CPU clock) just before it is
  written to the sockets, so the bench can measure from "the charger sent the delta";
* the CPU time its HTTP handlers spend answering requests is summed up: on a real charger that
  work runs on the charger, so the bench takes it out of Home Assistant's CPU time;
* every websocket handshake is stamped;
* each charging delta carries exactly one device second (current, voltage, power, energy and
  elapsed time move as in a 1 s tick of the real firmware), however often the simulator is told
  to tick. The bench sends these 1 s deltas faster than one per second to gather many in a short
  run; what each delta contains is what the firmware sends once per second.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, override

from aiohttp import web

from tests.simulators.openevse import ChargerSimulator

# The firmware pushes charging progress once per second.
DEVICE_SECONDS_PER_DELTA = 1.0


@dataclass(frozen=True, slots=True)
class Push:
    """One websocket frame the charger sent to at least one client."""

    sent: float
    """``time.time()`` just before the frame was written (Home Assistant stamps events so)."""
    cpu: float
    """``time.process_time()`` at the same moment."""
    http_cpu: float
    """The charger's ``http_cpu`` at the same moment."""
    keys: frozenset[str]


class BenchCharger(ChargerSimulator):
    """A simulated charger that records when it pushed what."""

    def __init__(self, **options: Any) -> None:
        """Create the charger; options as for ``ChargerSimulator``."""
        super().__init__(**options)
        self.pushes: list[Push] = []
        self.handshakes: list[float] = []
        self.http_cpu = 0.0
        """Process CPU seconds spent in the HTTP handlers (the websocket's excluded)."""
        handle = self._api.handle

        async def timed_handle(request: web.Request) -> web.StreamResponse:
            if request.path == "/ws":  # runs as long as the connection: not a request's cost
                return await handle(request)
            started = time.process_time()
            try:
                # Without fault switches a handler never suspends: this is its own CPU time.
                return await handle(request)
            finally:
                self.http_cpu += time.process_time() - started

        self._api.handle = timed_handle  # type: ignore[method-assign]

    @override
    async def broadcast(self, payload: dict[str, Any]) -> None:
        if payload and not self.faults.half_open and self._sockets:
            stamp = Push(time.time(), time.process_time(), self.http_cpu, frozenset(payload))
            self.pushes.append(stamp)
        await super().broadcast(payload)

    @override
    async def serve_websocket(self, request: web.Request) -> web.WebSocketResponse:
        self.handshakes.append(time.time())
        return await super().serve_websocket(request)

    @override
    def _charging_step(self) -> dict[str, Any]:
        # The step scales current, energy and elapsed time by the tick; give it one second.
        tick, self.tick = self.tick, DEVICE_SECONDS_PER_DELTA
        try:
            return super()._charging_step()
        finally:
            self.tick = tick

    def requests_since(self, mark: int) -> list[tuple[str, str]]:
        """The HTTP requests (handshakes excluded) received since ``len(requests)`` was ``mark``."""
        return [request for request in self.requests[mark:] if request != ("GET", "/ws")]
