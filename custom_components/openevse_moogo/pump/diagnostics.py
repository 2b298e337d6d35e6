"""Diagnostics of a Moogo account: pumps, schedules, settings, login guard, requests, readers."""

from __future__ import annotations

import time
from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_EMAIL, CONF_PASSWORD
from homeassistant.core import HomeAssistant

from .const import CONF_TOKEN, CONF_USER_ID
from .data import PumpData
from .readers import Reader
from .runtime import PumpConfigEntry

# Secrets and identifiers of the account and its pumps; the time zone is kept (it explains
# schedule times), ids are not.
TO_REDACT = {
    CONF_EMAIL,
    CONF_PASSWORD,
    CONF_TOKEN,
    CONF_USER_ID,
    "email",
    "userId",
    "deviceId",
    "device_id",
    "id",
    "token",
    "unique_id",
    "title",
}


def _pump(pump: PumpData) -> dict[str, Any]:
    return {
        "device": dict(pump.device.raw),
        "status": dict(pump.status.raw),
        "schedules": dict(pump.schedules.raw) if pump.schedules else None,
        "config": dict(pump.config.raw) if pump.config else None,
        "firmware": dict(pump.firmware.raw) if pump.firmware else None,
        "last_spray_end": pump.last_spray_end.isoformat() if pump.last_spray_end else None,
        "history": None
        if pump.history is None
        else {
            "day": pump.history.day.isoformat(),
            "sprays": pump.history.sprays,
            "seconds": pump.history.seconds,
            "last": None if pump.history.last is None else dict(pump.history.last.raw),
        },
    }


def _reader(reader: Reader) -> dict[str, Any]:
    """Describe a reader's cadence and health (a failed read shows here at once)."""
    return {
        "name": reader.name,
        "interval": reader.update_interval.total_seconds() if reader.update_interval else None,
        "last_read_ok": reader.read_ok,
        "usable": reader.usable,
        "error": None if reader.error is None else type(reader.error).__name__,
        "failing_for": (
            None
            if reader.failing_since is None
            else round(time.monotonic() - reader.failing_since, 1)
        ),
    }


async def async_get_pump_diagnostics(hass: HomeAssistant, entry: PumpConfigEntry) -> dict[str, Any]:
    """Return the account's redacted diagnostics."""
    coordinator = entry.runtime_data.coordinator
    client = entry.runtime_data.client
    guard = client.login_guard
    data = coordinator.data
    return async_redact_data(
        {
            "entry": {
                "title": entry.title,
                "data": dict(entry.data),
                "options": dict(entry.options),
            },
            "cloud": {
                "base_url": str(client.base_url),
                "authenticated": client.is_authenticated,
                "token_expires_at": (
                    client.token_expires_at.isoformat() if client.token_expires_at else None
                ),
            },
            "login_guard": {
                "max_per_hour": guard.max_per_hour,
                "attempts_in_last_hour": guard.attempts_in_window,
                "daily_cap_hit_at": (
                    guard.daily_cap_hit_at.isoformat() if guard.daily_cap_hit_at else None
                ),
                "credentials_rejected_at": (
                    guard.credentials_rejected_at.isoformat()
                    if guard.credentials_rejected_at
                    else None
                ),
            },
            "requests": asdict(coordinator.cloud.stats),
            "readers": [_reader(reader) for reader in coordinator.readers()],
            "liquids": [dict(liquid.raw) for liquid in data.liquids],
            "pumps": [_pump(pump) for pump in data.pumps.values()],
        },
        TO_REDACT,
    )
