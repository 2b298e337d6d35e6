"""How a charger entry's settings become a client, and the test call the flows make."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from ..clients.openevse import (
    ChargerConfig,
    OpenEVSE,
    OpenEVSEInvalidResponseError,
    WebsocketOptions,
)
from .const import REQUEST_TIMEOUT

# Reconnect quickly after a drop, and never wait more than this between attempts, so states are
# fresh again soon after the charger returns (a refused attempt costs the charger one request).
# A charger is a local device: retrying every 1.5 s at most costs nothing, and brings push
# back within 2 s of the charger returning however long it was away.
# A reboot nobody announced is a silent socket that only the keepalive notices: a ping every
# 5 s, answered within 5 s, finds it within 5 s of the charger's return (what reaches the
# rebooted charger is reset). The gateway's own server pings an idle websocket as often
# (Mongoose 6, every 5 s), so this doubles a cost the charger already carries: two tiny frames.
WEBSOCKET_OPTIONS = WebsocketOptions(
    keepalive_interval=5.0, pong_timeout=5.0, reconnect_delay=0.5, max_reconnect_delay=1.5
)


class NotOpenEVSEError(OpenEVSEInvalidResponseError):
    """The host answered, but not like an OpenEVSE WiFi gateway (no serial in its config)."""


@dataclass(frozen=True, kw_only=True)
class ChargerSettings:
    """Where and how to reach a charger, as stored in the entry's data."""

    host: str
    port: int | None = None
    ssl: bool = False
    verify_ssl: bool = True
    username: str = ""
    password: str = ""

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> ChargerSettings:
        """Read the settings from entry data or form input."""
        port = data.get(CONF_PORT)
        return cls(
            host=str(data[CONF_HOST]).strip(),
            port=int(port) if port else None,
            ssl=bool(data.get(CONF_SSL, False)),
            verify_ssl=bool(data.get(CONF_VERIFY_SSL, True)),
            username=str(data.get(CONF_USERNAME) or ""),
            password=str(data.get(CONF_PASSWORD) or ""),
        )

    def as_data(self) -> dict[str, Any]:
        """Return the settings as entry data."""
        data: dict[str, Any] = {CONF_HOST: self.host, CONF_SSL: self.ssl}
        if self.port:
            data[CONF_PORT] = self.port
        if self.ssl:
            data[CONF_VERIFY_SSL] = self.verify_ssl
        if self.username or self.password:
            data[CONF_USERNAME] = self.username
            data[CONF_PASSWORD] = self.password
        return data

    def with_credentials(self, username: str, password: str) -> ChargerSettings:
        """Return the same charger with other credentials."""
        return ChargerSettings(
            host=self.host,
            port=self.port,
            ssl=self.ssl,
            verify_ssl=self.verify_ssl,
            username=username,
            password=password,
        )


def create_client(hass: HomeAssistant, settings: ChargerSettings) -> OpenEVSE:
    """Build the client on Home Assistant's shared session (never closed by the client)."""
    return OpenEVSE(
        settings.host,
        settings.username,
        settings.password,
        session=async_get_clientsession(hass, verify_ssl=settings.verify_ssl),
        port=settings.port,
        ssl=settings.ssl,
        verify_ssl=settings.verify_ssl,
        websocket_options=WEBSOCKET_OPTIONS,
    )


async def async_probe(hass: HomeAssistant, settings: ChargerSettings) -> ChargerConfig:
    """Read the charger's config: proves it is reachable, an OpenEVSE, and the credentials work."""
    client = create_client(hass, settings)
    config = await client.get_config(request_timeout=REQUEST_TIMEOUT)
    if not config.wifi_serial:
        raise NotOpenEVSEError("the device reports no OpenEVSE serial")
    return config
