"""The Moogo client of an account, built from what the config entry stores.

The entry keeps the token, user id and expiry of the last login, so setting up and restarting
Home Assistant cost no login at all; the client logs in again (with the stored password, within
its login guard's budget) only when the cloud rejects the token, and the new token is written
back to the entry without reloading it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from homeassistant.const import CONF_EMAIL, CONF_PASSWORD, CONF_URL
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from ..clients.moogo import LoginGuard, MoogoAuthToken, MoogoClient
from .const import (
    CLOUD_URL,
    CONF_TOKEN,
    CONF_TOKEN_EXPIRES_AT,
    CONF_USER_ID,
    DATA_LOGIN_GUARDS,
)
from .runtime import PumpConfigEntry


def token_data(auth: MoogoAuthToken) -> dict[str, Any]:
    """Return the entry data that lets a later client reuse this login."""
    return {
        CONF_TOKEN: auth.token,
        CONF_USER_ID: auth.user_id,
        CONF_TOKEN_EXPIRES_AT: auth.expires_at.isoformat() if auth.expires_at else None,
    }


def _stored_expiry(data: Mapping[str, Any]) -> datetime | None:
    value = data.get(CONF_TOKEN_EXPIRES_AT)
    return datetime.fromisoformat(value) if value else None


def login_guard(hass: HomeAssistant, entry_id: str) -> LoginGuard:
    """Return the account's login budget, kept across reloads of the entry."""
    guards = hass.data.setdefault(DATA_LOGIN_GUARDS, {})
    return guards.setdefault(entry_id, LoginGuard())


def forget_login_guard(hass: HomeAssistant, entry_id: str) -> None:
    """Drop the account's login budget (the user confirmed new credentials, or removed it)."""
    hass.data.get(DATA_LOGIN_GUARDS, {}).pop(entry_id, None)


def login_client(hass: HomeAssistant, data: Mapping[str, Any]) -> MoogoClient:
    """Build a client for a config flow's single login, on Home Assistant's shared session."""
    return MoogoClient(
        email=data[CONF_EMAIL],
        password=data[CONF_PASSWORD],
        session=async_get_clientsession(hass),
        base_url=data.get(CONF_URL) or CLOUD_URL,
    )


def entry_client(hass: HomeAssistant, entry: PumpConfigEntry) -> MoogoClient:
    """Build the client of a set-up entry: the stored login restored, new ones persisted."""

    @callback
    def _persist(auth: MoogoAuthToken) -> None:
        # No update listener is registered, so this write never reloads the entry.
        hass.config_entries.async_update_entry(entry, data={**entry.data, **token_data(auth)})

    data = entry.data
    return MoogoClient(
        email=data[CONF_EMAIL],
        password=data[CONF_PASSWORD],
        session=async_get_clientsession(hass),
        base_url=data.get(CONF_URL) or CLOUD_URL,
        token=data.get(CONF_TOKEN),
        user_id=data.get(CONF_USER_ID),
        token_expires_at=_stored_expiry(data),
        login_guard=login_guard(hass, entry.entry_id),
        on_token_refresh=_persist,
    )
