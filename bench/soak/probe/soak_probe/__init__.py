"""The soak benchmark's probe: the event loop's asyncio task count and Python's heap.

Loaded from the soak's own configuration (``soak_probe:`` in configuration.yaml), never by the
integration: every few seconds it writes ``len(asyncio.all_tasks())`` as the state of
``sensor.soak_probe_asyncio_tasks`` and ``sys.getallocatedblocks()`` (the blocks Python's own
allocator holds: every Python object, none of a C library's memory such as SQLite's page cache)
as ``sensor.soak_probe_python_blocks``; the benchmark reads both over the REST API.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime, timedelta

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.typing import ConfigType

DOMAIN = "soak_probe"
ENTITY_ID = "sensor.soak_probe_asyncio_tasks"
BLOCKS_ENTITY_ID = "sensor.soak_probe_python_blocks"
INTERVAL = timedelta(seconds=5)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Start publishing the task count and the heap."""

    @callback
    def publish(_now: datetime | None = None) -> None:
        hass.states.async_set(ENTITY_ID, str(len(asyncio.all_tasks())))
        hass.states.async_set(BLOCKS_ENTITY_ID, str(sys.getallocatedblocks()))

    publish()
    async_track_time_interval(hass, publish, INTERVAL, cancel_on_shutdown=True)
    return True
