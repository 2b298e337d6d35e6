"""Whole runs of Home Assistant in one test, so a restart is a real restart.

Each run is a new ``HomeAssistant`` object from the harness (new event bus, new shared aiohttp
session, new ``hass.data``, so nothing held in memory survives), which loads its config entries
from the harness's mocked storage (``hass_storage``) exactly as Home Assistant reads
``core.config_entries`` at start-up, and writes them back when it stops.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from homeassistant import loader
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import frame
from pytest_homeassistant_custom_component.common import async_test_home_assistant


@asynccontextmanager
async def home_assistant_run() -> AsyncIterator[HomeAssistant]:
    """Start Home Assistant with the stored config entries; stop it (final write) at the end."""
    async with async_test_home_assistant(asyncio.get_running_loop()) as hass:
        frame.async_setup(hass)
        # What the harness's enable_custom_integrations fixture does for its one instance.
        hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)
        await hass.config_entries.async_initialize()
        try:
            yield hass
        finally:
            # Like the harness's own teardown: unload first, so nothing lingers, then stop,
            # which flushes the delayed writes of the config entries to storage.
            for entry in hass.config_entries.async_entries():
                if entry.state is ConfigEntryState.LOADED:
                    await hass.config_entries.async_unload(entry.entry_id)
            await hass.async_stop(force=True)
