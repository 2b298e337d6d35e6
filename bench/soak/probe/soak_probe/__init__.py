"""The soak benchmark's probe: publishes the asyncio task count of Home Assistant's event loop.

Loaded from the soak's own configuration (``soak_probe:`` in configuration.yaml), never by the
integration: it only reads ``asyncio.all_tasks()`` every few seconds and writes the count as the
state of ``sensor.soak_probe_asyncio_tasks``, which the benchmark reads over the REST API.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.typing import ConfigType

DOMAIN = "soak_probe"
ENTITY_ID = "sensor.soak_probe_asyncio_tasks"
INTERVAL = timedelta(seconds=5)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Start publishing the task count."""

    @callback
    def publish(_now: datetime | None = None) -> None:
        hass.states.async_set(ENTITY_ID, str(len(asyncio.all_tasks())))

    publish()
    async_track_time_interval(hass, publish, INTERVAL, cancel_on_shutdown=True)
    return True
