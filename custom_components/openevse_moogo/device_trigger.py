"""Device triggers: a charger's session happenings and status changes.

Pumps have none (their "spray" event entity covers automations); a device is offered the
charger's triggers only when it belongs to a charger entry.
"""

from __future__ import annotations

from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.trigger import TriggerActionType, TriggerInfo
from homeassistant.helpers.typing import ConfigType

from .charger.device_trigger import (
    TRIGGER_SCHEMA,
    async_attach_charger_trigger,
    async_get_charger_triggers,
    async_validate_charger_trigger_config,
)
from .const import CONF_FAMILY, FAMILY_CHARGER

__all__ = ["TRIGGER_SCHEMA"]


def _is_charger(hass: HomeAssistant, device_id: str) -> bool:
    device = dr.async_get(hass).async_get(device_id)
    if device is None:
        return False
    entry = hass.config_entries.async_get_entry(device.config_entry_id)
    return entry is not None and entry.data.get(CONF_FAMILY) == FAMILY_CHARGER


async def async_get_triggers(hass: HomeAssistant, device_id: str) -> list[dict[str, Any]]:
    """List the triggers a device offers."""
    if not _is_charger(hass, device_id):
        return []
    return await async_get_charger_triggers(hass, device_id)


async def async_validate_trigger_config(hass: HomeAssistant, config: ConfigType) -> ConfigType:
    """Validate a trigger's configuration."""
    return await async_validate_charger_trigger_config(hass, config)


async def async_attach_trigger(
    hass: HomeAssistant,
    config: ConfigType,
    action: TriggerActionType,
    trigger_info: TriggerInfo,
) -> CALLBACK_TYPE:
    """Attach a trigger."""
    return await async_attach_charger_trigger(hass, config, action, trigger_info)
