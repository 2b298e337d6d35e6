"""Points the charger's firmware release check at a stand-in release server (demo only).

Loaded by `scripts/develop --firmware-release` and the browser check from their own
configuration (``openevse_moogo_release_mirror: {url: ...}`` in configuration.yaml), never by
the integration. The integration asks GitHub through one shared release check; whoever stores a
check first decides its URL, so this stores one for the stand-in server
(`tests/simulators/github_releases`) while Home Assistant starts, before any charger entry is
added.
"""

from __future__ import annotations

import voluptuous as vol
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.typing import ConfigType

from custom_components.openevse_moogo.charger.releases import RELEASES_KEY, FirmwareReleases

DOMAIN = "openevse_moogo_release_mirror"
CONF_URL = "url"
CONFIG_SCHEMA = vol.Schema(
    {DOMAIN: vol.Schema({vol.Required(CONF_URL): cv.url})}, extra=vol.ALLOW_EXTRA
)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Store the release check for the stand-in server's latest-release URL."""
    url: str = config[DOMAIN][CONF_URL]
    hass.data[RELEASES_KEY] = FirmwareReleases(async_get_clientsession(hass), url)
    return True
