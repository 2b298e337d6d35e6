"""The soak benchmark's probe: the event loop's asyncio task count and Python's live heap.

Loaded from the soak's own configuration (``soak_probe:`` in configuration.yaml), never by the
integration. Every few seconds it writes ``len(asyncio.all_tasks())`` as the state of
``sensor.soak_probe_asyncio_tasks``. Every two minutes it runs a full garbage collection and
writes ``sys.getallocatedblocks()`` right after it as ``sensor.soak_probe_python_heap``: the
blocks Python's own allocator holds for objects still alive (none of a C library's memory such
as SQLite's page cache). Read without the collection, the count swings by a few per cent with
the collector's own rhythm (garbage not yet collected), which a slope fitted over half an hour
reads as growth or shrinkage that is neither. The attributes say how many measurements were
taken and how long the collection paused the loop. The benchmark reads both over the REST API.
"""

from __future__ import annotations

import asyncio
import gc
import sys
import time
from datetime import datetime, timedelta

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.typing import ConfigType

DOMAIN = "soak_probe"
ENTITY_ID = "sensor.soak_probe_asyncio_tasks"
HEAP_ENTITY_ID = "sensor.soak_probe_python_heap"
INTERVAL = timedelta(seconds=5)
HEAP_INTERVAL = timedelta(minutes=2)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Start publishing the task count and the live heap."""
    measurements = 0

    @callback
    def publish(_now: datetime | None = None) -> None:
        hass.states.async_set(ENTITY_ID, str(len(asyncio.all_tasks())))

    @callback
    def measure_heap(_now: datetime | None = None) -> None:
        nonlocal measurements
        started = time.perf_counter()
        gc.collect()
        pause_ms = (time.perf_counter() - started) * 1000
        measurements += 1
        hass.states.async_set(
            HEAP_ENTITY_ID,
            str(sys.getallocatedblocks()),
            {"measurements": measurements, "pause_ms": round(pause_ms, 1)},
        )

    publish()
    measure_heap()
    async_track_time_interval(hass, publish, INTERVAL, cancel_on_shutdown=True)
    async_track_time_interval(hass, measure_heap, HEAP_INTERVAL, cancel_on_shutdown=True)
    return True
