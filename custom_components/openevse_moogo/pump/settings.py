"""Writing a pump's cloud settings: the one path every settings entity and the repair take.

The cloud refuses every settings write of a pump whose stored time zone is empty or a POSIX
rule, until a write sets an IANA zone. While the time zone repair issue of a pump is open, other
writes are refused here with an error that names the repair, instead of the cloud's refusal.
"""

from __future__ import annotations

from homeassistant.exceptions import HomeAssistantError

from ..clients.moogo import MoogoConfigUpdate
from ..const import DOMAIN
from .const import REQUEST_TIMEOUT
from .coordinator import PumpCoordinator
from .readers import PART_CONFIG
from .time_zone import time_zone_needs_repair


async def async_write_settings(
    coordinator: PumpCoordinator, pump_id: str, update: MoogoConfigUpdate
) -> None:
    """Write the changed settings (only keys the cloud accepts), then re-read them."""
    pump = coordinator.pump(pump_id)
    if update.time_zone is None and time_zone_needs_repair(coordinator.hass, pump_id):
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="moogo_time_zone_needs_repair",
            translation_placeholders={"name": pump.name},
        )
    client = coordinator.client
    await coordinator.async_change(
        pump_id,
        PART_CONFIG,
        lambda: client.update_device_config(pump_id, update, request_timeout=REQUEST_TIMEOUT),
    )
