"""Diagnostics of a charger entry, with every secret and identifier redacted."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Final

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant

from .const import CONF_MDNS_ID
from .runtime import ChargerConfigEntry

# Entry data and options.
_ENTRY_SECRETS: Final = {CONF_HOST, CONF_USERNAME, CONF_PASSWORD, CONF_MDNS_ID, "unique_id"}
# /config and /status keys: credentials, network names, serials and addresses.
_DEVICE_SECRETS: Final = {
    "ssid", "pass", "ap_ssid", "ap_pass", "www_username", "www_password", "hostname",
    "wifi_serial", "evse_serial", "macaddress", "ipaddress", "ipv6address",
    "emoncms_server", "emoncms_node", "emoncms_apikey", "emoncms_fingerprint",
    "mqtt_server", "mqtt_user", "mqtt_pass", "mqtt_topic", "mqtt_announce_topic",
    "mqtt_broker_ip", "ocpp_server", "ocpp_chargeBoxId", "ocpp_authkey", "ocpp_idtag",
    "ohm", "tesla_access_token", "tesla_refresh_token", "tesla_vehicle_id",
    "tesla_vehicle_name", "rfid_storage", "rfid_auth", "server_secret",
}  # fmt: skip


def _seconds_ago(hass: HomeAssistant, since: float | None) -> float | None:
    return None if since is None else round(hass.loop.time() - since, 1)


async def async_get_charger_diagnostics(
    hass: HomeAssistant, entry: ChargerConfigEntry
) -> dict[str, Any]:
    """Return what support needs to understand a charger, without anything personal."""
    runtime = entry.runtime_data
    coordinator = runtime.coordinator
    data = coordinator.data
    health = runtime.client.websocket_health
    return {
        "entry": async_redact_data(
            {"data": dict(entry.data), "options": dict(entry.options), "title": entry.title},
            _ENTRY_SECRETS,
        ),
        "firmware": str(data.config.firmware_version),
        "features": asdict(data.features),
        "status": async_redact_data(dict(data.status.raw), _DEVICE_SECRETS),
        "config": async_redact_data(dict(data.config.raw), _DEVICE_SECRETS),
        "override": dict(data.override.raw) if data.override else None,
        "claim_target": dict(data.claim_target.raw) if data.claim_target else None,
        "own_claim": dict(data.own_claim.raw) if data.own_claim else None,
        "limit": dict(data.limit.raw) if data.limit else None,
        "coordinator": {
            "last_update_success": coordinator.last_update_success,
            "update_interval": str(coordinator.update_interval),
            "push_connected": data.push_connected,
            "last_background_refresh_error": (
                str(runtime.client.background_error) if runtime.client.background_error else None
            ),
            # Failed requests the entities are riding out (or gave up on): shown at once.
            "failing_for_seconds": _seconds_ago(hass, coordinator.trouble.since),
            "failure": coordinator.trouble.error,
            "reboot_expected": coordinator.trouble.restart_expected(hass.loop.time()),
        },
        "websocket": asdict(health) if health is not None else None,
        "feeds": {
            "entities": sorted(runtime.feeds.entities.values()),
            "recently_sent": runtime.feeds.sent,
        },
        "plan": runtime.plan.diagnostics(),
    }
