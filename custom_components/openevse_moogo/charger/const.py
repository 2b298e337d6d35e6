"""Constants of the charger family: entry keys, options keys, deadlines and cadences."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from ..clients.openevse.models import EvseState

# Options: Home Assistant entities whose values are pushed to the charger.
CONF_GRID_SENSOR: Final = "grid_power_entity"
CONF_INVERT_GRID: Final = "invert_grid"
CONF_SOLAR_SENSOR: Final = "solar_power_entity"
CONF_VOLTAGE_SENSOR: Final = "voltage_entity"
CONF_LIVE_POWER_SENSOR: Final = "house_load_entity"
CONF_VEHICLE_SOC_SENSOR: Final = "vehicle_soc_entity"
CONF_VEHICLE_RANGE_SENSOR: Final = "vehicle_range_entity"
CONF_VEHICLE_ETA_SENSOR: Final = "vehicle_time_to_full_entity"
# Firmware after 5.1.5 (web_server.cpp POST /status on master): the vehicle's charge limit and,
# for its display, the home battery.
CONF_VEHICLE_LIMIT_SENSOR: Final = "vehicle_charge_limit_entity"
CONF_HOME_BATTERY_SOC_SENSOR: Final = "home_battery_soc_entity"
CONF_HOME_BATTERY_POWER_SENSOR: Final = "home_battery_power_entity"
# Options of the charge plan: where its prices come from, the highest price it pays, and the
# shortest run it starts (contactor protection).
CONF_PRICE_ENTITY: Final = "price_entity"
CONF_PRICE_CEILING: Final = "price_ceiling"
CONF_MIN_RUN: Final = "minimum_run_minutes"
DEFAULT_MIN_RUN_MINUTES: Final = 15


# Every call to the charger gets its own deadline: the shared session's timeout is long and a
# hung single-threaded ESP32 must never stall Home Assistant.
REQUEST_TIMEOUT: Final = 10.0
# The websocket pushes every change; this slow poll only notices a dead push channel and
# resynchronises what a missed delta could have left stale.
FALLBACK_POLL_INTERVAL: Final = timedelta(minutes=5)
# Options feeds: at most one POST /status per this many seconds, latest values win.
FEED_MIN_INTERVAL: Final = 5.0

# Firmware updates: the gateway acknowledges a download before it starts and reports only on the
# websocket; a download that never starts is dropped silently (http_update.cpp:18-94). These
# bound how long an install waits for the first sign of life and between two progress reports,
# and how long it follows the reboot into the new firmware.
OTA_START_DEADLINE: Final = 90.0
OTA_STALL_DEADLINE: Final = 60.0
OTA_REBOOT_DEADLINE: Final = 300.0
# How often the update entities look at the shared release check (which asks GitHub only when
# its cached answer is hours old, see releases.py).
RELEASE_LOOK_INTERVAL: Final = timedelta(hours=1)

# Firmware older than this has no claims API: pause/resume and current control cannot work.
MINIMUM_FIRMWARE: Final = "4.1.0"

# The id the charger announces over mDNS (TXT "id"), kept to recognise it when rediscovered.
CONF_MDNS_ID: Final = "mdns_id"


# Controller state -> the status sensor's option (translated in en.json).
STATUS_OPTIONS: Final[dict[EvseState, str]] = {
    EvseState.STARTING: "starting",
    EvseState.NOT_CONNECTED: "not_connected",
    EvseState.CONNECTED: "connected",
    EvseState.CHARGING: "charging",
    EvseState.VENT_REQUIRED: "vent_required",
    EvseState.DIODE_CHECK_FAILED: "diode_check_failed",
    EvseState.GFCI_FAULT: "gfci_fault",
    EvseState.NO_EARTH_GROUND: "no_ground",
    EvseState.STUCK_RELAY: "stuck_relay",
    EvseState.GFCI_SELF_TEST_FAILED: "gfci_self_test_failed",
    EvseState.OVER_TEMPERATURE: "over_temperature",
    EvseState.OVER_CURRENT: "over_current",
    EvseState.SLEEPING: "sleeping",
    EvseState.DISABLED: "disabled",
}
# The service level the status reports -> the service level sensor's option.
SERVICE_LEVEL_OPTIONS: Final = {1: "level_1", 2: "level_2"}

# J1772 allows 6 A to 80 A: the bounds of a charge current when the charger reports none.
J1772_MIN_CURRENT: Final = 6
J1772_MAX_CURRENT: Final = 80
