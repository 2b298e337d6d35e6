"""Firmware profiles: the /status and /config field sets each firmware generation reports.

The key sets follow the OpenEVSE WiFi gateway firmware (ESP32) per release; the values are
our own, shaped like a real unit that is idle and waiting for a car.
"""

from __future__ import annotations

from typing import Any, Final

PROFILES: Final = ("v5", "v4", "dev", "master")

FIRMWARE_VERSIONS: Final = {
    "v5": "v5.1.5",  # release builds carry the tag, with a leading "v" since 4.2
    "v4": "4.1.7",  # older releases had no "v"
    "dev": "master_a5938d0c",  # CI builds: <branch>_<8 hex of the commit>
    "master": "master_1797b7a3",  # the development branch's API (login, throttle, ws auth)
}

# Keys the 4.x firmware does not send yet (added in 4.2.0 / 5.0.0); 4.1.7's status builder
# (web_server.cpp buildStatus, input.cpp) has no session_elapsed and no total_switches either.
_NOT_IN_V4: Final = (
    "session_elapsed",
    "total_switches",
    "power",
    "limit",
    "limit_version",
    "local_time",
    "uptime",
    "macaddress",
    "max_current",
    "total_day",
    "total_week",
    "total_month",
    "total_year",
)


def default_status(profile: str, serial: str) -> dict[str, Any]:
    """Return the /status object of an idle charger with no car connected."""
    mac = ":".join(serial[i : i + 2] for i in range(0, 12, 2))
    status: dict[str, Any] = {
        "mode": "STA",
        "wifi_client_connected": 1,
        "eth_connected": 0,
        "net_connected": 1,
        "ipaddress": "192.168.1.77",
        "macaddress": mac,
        "emoncms_connected": 0,
        "packets_sent": 0,
        "packets_success": 0,
        "mqtt_connected": 0,
        "ocpp_connected": 0,
        "rfid_failure": 0,
        "ohm_hour": "NotConnected",
        "free_heap": 171204,
        "comm_sent": 0,
        "comm_success": 0,
        "rapi_connected": 1,
        "evse_connected": 1,
        "amp": 0,
        "voltage": 240,
        "power": 0,
        "pilot": 32,
        "max_current": 32,
        "temp": 251,
        "temp_max": 412,
        "temp1": False,
        "temp2": 251,
        "temp3": False,
        "temp4": 318.5,
        "state": 1,
        "status": "active",
        "flags": 0,
        "vehicle": 0,
        "colour": 2,
        "manual_override": 0,
        "freeram": 171204,
        "divertmode": 1,
        "srssi": -61,
        "time": "",
        "local_time": "",
        "offset": "+0000",
        "uptime": 0,
        "session_elapsed": 0,
        "session_energy": 0,
        "total_energy": 3512.481,
        "total_day": 0,
        "total_week": 18.294,
        "total_month": 96.113,
        "total_year": 1204.77,
        "total_switches": 612,
        "elapsed": 0,
        "wattsec": 0,
        "watthour": 3512481.0,
        "gfcicount": 0,
        "nogndcount": 0,
        "stuckcount": 0,
        "solar": 0,
        "grid_ie": 0,
        "charge_rate": 0,
        "divert_update": 0,
        "divert_active": False,
        "shaper": 0,
        "shaper_live_pwr": 0,
        "shaper_cur": 0,
        "shaper_updated": False,
        "service_level": 2,
        "limit": False,
        "ota_update": 0,
        "config_version": 1,
        "claims_version": 1,
        "override_version": 1,
        "schedule_version": 1,
        "schedule_plan_version": 1,
        "limit_version": 1,
        "vehicle_state_update": 0,
        "tesla_vehicle_count": False,
        "tesla_vehicle_id": False,
        "tesla_vehicle_name": False,
    }
    if profile == "v4":
        for key in _NOT_IN_V4:
            del status[key]
        # 4.1.x still sent the lifetime energy as "wh" next to "watthour".
        status["wh"] = status["watthour"]
    elif profile in ("dev", "master"):
        status |= {"littlefs_free": 1_482_752, "littlefs_used": 94_208, "tsdb_ready": 1}
    return status


def default_config(profile: str, serial: str) -> dict[str, Any]:
    """Return the /config object (secrets already masked as the firmware masks them)."""
    short = serial[-4:].lower()
    config: dict[str, Any] = {
        "mqtt_supported_protocols": ["mqtt", "mqtts"],
        "http_supported_protocols": ["http"],
        "buildenv": "openevse_wifi_v1",
        "version": FIRMWARE_VERSIONS[profile],
        "wifi_serial": serial,
        "protocol": "-",
        "espinfo": "ESP32r3 2 core WiFi BLE BT",
        "espflash": 4194304,
        "firmware": "8.2.3.T2",
        "evse_serial": "",
        "diode_check": True,
        "gfci_check": True,
        "ground_check": True,
        "relay_check": True,
        "vent_check": True,
        "temp_check": True,
        "max_current_soft": 32,
        "service": 2,
        "scale": 220,
        "offset": 0,
        "min_current_hard": 6,
        "max_current_hard": 32,
        "ssid": "garage-iot",
        "pass": "_DUMMY_PASSWORD",
        "ap_ssid": "",
        "ap_pass": "",
        "lang": "en",
        "www_username": "",
        "www_password": "",
        "www_certificate_id": "",
        "hostname": f"openevse-{short}",
        "sntp_hostname": "pool.ntp.org",
        "time_zone": "Europe/Berlin|CET-1CEST,M3.5.0,M10.5.0/3",
        "limit_default_type": "",
        "limit_default_value": 0,
        "emoncms_server": "",
        "emoncms_node": "",
        "emoncms_apikey": "",
        "emoncms_fingerprint": "",
        "mqtt_server": "",
        "mqtt_port": 1883,
        "mqtt_topic": "openevse",
        "mqtt_user": "",
        "mqtt_pass": "",
        "mqtt_certificate_id": "",
        "mqtt_solar": "",
        "mqtt_grid_ie": "",
        "mqtt_vrms": "",
        "mqtt_live_pwr": "",
        "mqtt_vehicle_soc": "",
        "mqtt_vehicle_range": "",
        "mqtt_vehicle_eta": "",
        "mqtt_announce_topic": f"openevse/announce/{short}",
        "ocpp_server": "",
        "ocpp_chargeBoxId": "",
        "ocpp_authkey": "",
        "ocpp_idtag": "DefaultIdTag",
        "ohm": "",
        "divert_type": -1,
        "divert_PV_ratio": 1.1,
        "divert_attack_smoothing_time": 20,
        "divert_decay_smoothing_time": 600,
        "divert_min_charge_time": 600,
        "current_shaper_max_pwr": 0,
        "current_shaper_smoothing_time": 60,
        "current_shaper_min_pause_time": 300,
        "current_shaper_data_maxinterval": 120,
        "vehicle_data_src": 0,
        "tesla_access_token": "",
        "tesla_refresh_token": "",
        "tesla_created_at": 18446744073709551615,
        "tesla_expires_in": 18446744073709551615,
        "tesla_vehicle_id": "",
        "rfid_storage": "",
        "led_brightness": 125,
        "scheduler_start_window": 600,
        "flags": 1048832,
        "flags_changed": 0,
        "emoncms_enabled": False,
        "mqtt_enabled": False,
        "mqtt_reject_unauthorized": True,
        "mqtt_retained": False,
        "ohm_enabled": False,
        "sntp_enabled": True,
        "tesla_enabled": False,
        "divert_enabled": False,
        "current_shaper_enabled": False,
        "pause_uses_disabled": False,
        "mqtt_vehicle_range_miles": False,
        "ocpp_enabled": False,
        "ocpp_auth_auto": False,
        "ocpp_auth_offline": False,
        "ocpp_suspend_evse": False,
        "ocpp_energize_plug": False,
        "rfid_enabled": False,
        "factory_write_lock": True,
        "is_threephase": False,
        "wizard_passed": True,
        "default_state": True,
        "mqtt_protocol": "mqtt",
        "charge_mode": "fast",
    }
    if profile == "v4":
        # 4.1.7 has no divert_type (the MQTT topics choose the feed) and smooths by factors
        # (4.1.7 app_config.cpp:81-84, 166-169).
        v5_only = (
            "limit_default_type",
            "limit_default_value",
            "mqtt_supported_protocols",
            "divert_type",
            "divert_attack_smoothing_time",
            "divert_decay_smoothing_time",
        )
        for key in v5_only:
            del config[key]
        config |= {"divert_attack_smoothing_factor": 0.4, "divert_decay_smoothing_factor": 0.05}
        config["firmware"] = "7.1.3"
    elif profile in ("dev", "master"):
        config |= {"www_http_port": 80, "www_https_port": 443, "temp_unit": "c"}
    return config


# Configuration keys the firmware reports but never accepts from POST /config.
READ_ONLY_CONFIG_KEYS: Final = frozenset(
    {
        "mqtt_supported_protocols",
        "http_supported_protocols",
        "buildenv",
        "version",
        "wifi_serial",
        "protocol",
        "espinfo",
        "espflash",
        "firmware",
        "evse_serial",
        "min_current_hard",
        "max_current_hard",
        "flags_changed",
    }
)

# Secrets are write-only: GET /config shows this marker when set and "" when unset.
SECRET_CONFIG_KEYS: Final = frozenset(
    {
        "pass",
        "ap_pass",
        "www_password",
        "emoncms_apikey",
        "mqtt_pass",
        "ocpp_authkey",
        "tesla_access_token",
        "tesla_refresh_token",
    }
)
SECRET_MARKER: Final = "_DUMMY_PASSWORD"
