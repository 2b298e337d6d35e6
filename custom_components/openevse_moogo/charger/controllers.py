"""Who decides the charger's state and currents: the owner of each winning claim, by name.

The firmware resolves every property (state, charge current, maximum current) to the claim of
highest priority that sets it, and ``/claims/target`` names the client id that won each one. The
firmware's own services use fixed ids (``(vendor << 16) | n``, ``evse_man.h``); ids outside that
table are HTTP clients such as this integration (our own claim slot) or another program.
"""

from __future__ import annotations

from typing import Final

from homeassistant.core import HomeAssistant
from homeassistant.helpers.translation import async_get_translations

from ..const import DOMAIN
from .data import ChargerData

# Options of the "controlled by" sensors (translated in en.json), in the order users meet them.
CONTROLLER_DEFAULT: Final = "default"
CONTROLLER_THIS_INTEGRATION: Final = "this_integration"
CONTROLLER_HTTP_CLIENT: Final = "http_client"

# Solar divert's client id, and the priority its claim has while a timer window of the
# development branch holds eco (EvseManager_Priority_TimerFeature, master evse_man.h:55): above
# the timer (100) and API claims like ours (500), below the manual override (1000).
DIVERT_CLIENT: Final = 0x00010002
TIMER_FEATURE_PRIORITY: Final = 900

# The firmware's fixed client ids -> option.
FIRMWARE_CONTROLLERS: Final[dict[int, str]] = {
    0x00010001: "manual_override",
    DIVERT_CLIENT: "solar_divert",
    0x00010003: "boost",
    0x00010004: "schedule",
    0x00010006: "limit",
    0x00010007: "error",
    0x00010008: "ohm",
    0x00010009: "ocpp",
    0x0001000A: "rfid",
    0x0001000B: "mqtt",
    0x0001000C: "current_shaper",
    0x0001000D: "temperature_throttle",
    0x00020001: "demand_shaper",
}

CONTROLLER_OPTIONS: Final[list[str]] = [
    CONTROLLER_DEFAULT,
    *FIRMWARE_CONTROLLERS.values(),
    CONTROLLER_THIS_INTEGRATION,
    CONTROLLER_HTTP_CLIENT,
]

# The claim properties a "controlled by" sensor is made for, and the state one's translation key.
CONTROLLED_PROPERTIES: Final = ("state", "charge_current", "max_current")
STATE_CONTROLLED_BY: Final = "state_controlled_by"


def controller_option(client: int | None, own_client_id: int) -> str:
    """Name a claim's owner by its option; the charger's default when no claim decides."""
    if client is None:
        return CONTROLLER_DEFAULT
    if client == own_client_id:
        return CONTROLLER_THIS_INTEGRATION
    return FIRMWARE_CONTROLLERS.get(client, CONTROLLER_HTTP_CLIENT)


def controlled_by(data: ChargerData, prop: str) -> str | None:
    """Which client decides ``prop`` right now; None (unknown) before the claims were read."""
    if data.claim_target is None:
        return None
    return controller_option(data.claim_target.owners.get(prop), data.own_client_id)


async def async_controller_name(hass: HomeAssistant, option: str) -> str:
    """Return the option's name in the user's language, as the "controlled by" sensors show it."""
    translations = await async_get_translations(hass, hass.config.language, "entity", {DOMAIN})
    key = f"component.{DOMAIN}.entity.sensor.{STATE_CONTROLLED_BY}.state.{option}"
    return translations.get(key, option)
