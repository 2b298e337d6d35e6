"""Constants of the charger family: entry keys, options keys, deadlines and cadences."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

# Options: Home Assistant entities whose values are pushed to the charger.
CONF_GRID_SENSOR: Final = "grid_power_entity"
CONF_INVERT_GRID: Final = "invert_grid"
CONF_SOLAR_SENSOR: Final = "solar_power_entity"
CONF_VOLTAGE_SENSOR: Final = "voltage_entity"
CONF_LIVE_POWER_SENSOR: Final = "house_load_entity"
CONF_VEHICLE_SOC_SENSOR: Final = "vehicle_soc_entity"
CONF_VEHICLE_RANGE_SENSOR: Final = "vehicle_range_entity"
CONF_VEHICLE_ETA_SENSOR: Final = "vehicle_time_to_full_entity"


# Every call to the charger gets its own deadline: the shared session's timeout is long and a
# hung single-threaded ESP32 must never stall Home Assistant.
REQUEST_TIMEOUT: Final = 10.0
# The websocket pushes every change; this slow poll only notices a dead push channel and
# resynchronises what a missed delta could have left stale.
FALLBACK_POLL_INTERVAL: Final = timedelta(minutes=5)
# Options feeds: at most one POST /status per this many seconds, latest values win.
FEED_MIN_INTERVAL: Final = 5.0

# Firmware older than this has no claims API: pause/resume and current control cannot work.
MINIMUM_FIRMWARE: Final = "4.1.0"

# The id the charger announces over mDNS (TXT "id"), kept to recognise it when rediscovered.
CONF_MDNS_ID: Final = "mdns_id"
