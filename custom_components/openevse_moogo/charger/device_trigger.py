"""Device triggers of a charger: session happenings and "status changed to ...".

They listen to the same bus event as the charging session event entity, so a UI automation on
the charger device and one on the event entity see the same happenings.
"""

from __future__ import annotations

from typing import Any, Final

import probatio as vol
from homeassistant.components.device_automation import DEVICE_TRIGGER_BASE_SCHEMA
from homeassistant.components.homeassistant.triggers import event as event_trigger
from homeassistant.const import CONF_DEVICE_ID, CONF_DOMAIN, CONF_PLATFORM, CONF_TYPE
from homeassistant.core import CALLBACK_TYPE, HomeAssistant
from homeassistant.helpers.trigger import TriggerActionType, TriggerInfo
from homeassistant.helpers.typing import ConfigType

from ..const import DOMAIN
from .const import STATUS_OPTIONS
from .session_events import CHARGER_EVENT, EVENT_TYPES, STATUS_CHANGED

CONF_SUBTYPE: Final = "subtype"
STATUSES: Final = tuple(STATUS_OPTIONS.values())

TRIGGER_SCHEMA: Final = DEVICE_TRIGGER_BASE_SCHEMA.extend(
    {
        vol.Required(CONF_TYPE): vol.In([*EVENT_TYPES, STATUS_CHANGED]),
        vol.Optional(CONF_SUBTYPE): vol.In(STATUSES),
    }
)


def _trigger(device_id: str, trigger_type: str, **extra: str) -> dict[str, Any]:
    return {
        CONF_PLATFORM: "device",
        CONF_DOMAIN: DOMAIN,
        CONF_DEVICE_ID: device_id,
        CONF_TYPE: trigger_type,
        **extra,
    }


async def async_get_charger_triggers(hass: HomeAssistant, device_id: str) -> list[dict[str, Any]]:
    """List the triggers of a charger device."""
    return [_trigger(device_id, kind) for kind in EVENT_TYPES] + [
        _trigger(device_id, STATUS_CHANGED, subtype=status) for status in STATUSES
    ]


async def async_validate_charger_trigger_config(
    hass: HomeAssistant, config: ConfigType
) -> ConfigType:
    """Validate a charger trigger."""
    validated: ConfigType = TRIGGER_SCHEMA(config)
    if validated[CONF_TYPE] == STATUS_CHANGED and CONF_SUBTYPE not in validated:
        raise vol.Invalid("status_changed needs the status as subtype")
    return validated


async def async_attach_charger_trigger(
    hass: HomeAssistant,
    config: ConfigType,
    action: TriggerActionType,
    trigger_info: TriggerInfo,
) -> CALLBACK_TYPE:
    """Fire the automation when the charger's bus event matches the trigger."""
    event_data: dict[str, Any] = {"device_id": config[CONF_DEVICE_ID], "type": config[CONF_TYPE]}
    if config[CONF_TYPE] == STATUS_CHANGED:
        event_data["status"] = config[CONF_SUBTYPE]
    event_config = event_trigger.TRIGGER_SCHEMA(
        {
            "platform": "event",
            "event_type": CHARGER_EVENT,
            "event_data": event_data,
        }
    )
    return await event_trigger.async_attach_trigger(
        hass, event_config, action, trigger_info, platform_type="device"
    )
