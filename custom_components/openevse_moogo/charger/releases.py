"""The firmware project's latest release on GitHub, checked a few times a day and shared.

One :class:`FirmwareReleases` serves every charger of a Home Assistant instance: ten chargers
cost the same few requests a day as one. GitHub limits unauthenticated clients to 60 requests
an hour per address, so the reply is cached for :data:`RELEASE_CHECK_INTERVAL` (a failed check
is retried after :data:`RELEASE_RETRY_INTERVAL`), and each check is a conditional request
(``If-None-Match``): an unchanged release is answered 304, which GitHub does not count.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

import aiohttp
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from ..const import LOGGER

RELEASES_URL: Final = (
    "https://api.github.com/repos/OpenEVSE/openevse_esp32_firmware/releases/latest"
)
"""GitHub's "latest release" of the firmware: the newest that is neither draft nor prerelease
(the project's CI uploads every build as a prerelease; a maintainer then publishes it)."""
RELEASE_CHECK_INTERVAL: Final = timedelta(hours=6)
RELEASE_RETRY_INTERVAL: Final = timedelta(hours=1)
_REQUEST_TIMEOUT: Final = 30.0
_HEADERS: Final = {
    "Accept": "application/vnd.github+json",
    "X-GitHub-Api-Version": "2022-11-28",
    "User-Agent": "HomeAssistant-openevse_moogo",
}
RELEASES_KEY: HassKey[FirmwareReleases] = HassKey("openevse_moogo_firmware_releases")


@dataclass(frozen=True, slots=True, kw_only=True)
class FirmwareRelease:
    """A published firmware release: its tag, notes and one image per build environment."""

    version: str
    """The release tag (``v5.1.6``), the same string a charger on it reports."""
    title: str | None
    notes: str | None
    """Release notes in Markdown."""
    url: str | None
    """The release's page."""
    images: Mapping[str, str]
    """Asset name -> download URL."""

    @classmethod
    def from_github(cls, body: Mapping[str, Any]) -> FirmwareRelease | None:
        """Read GitHub's release object; None when it names no tag."""
        tag = body.get("tag_name")
        if not isinstance(tag, str) or not tag:
            return None
        images: dict[str, str] = {}
        assets = body.get("assets")
        for asset in assets if isinstance(assets, list) else ():
            if not isinstance(asset, Mapping) or asset.get("state", "uploaded") != "uploaded":
                continue
            name, url = asset.get("name"), asset.get("browser_download_url")
            if isinstance(name, str) and isinstance(url, str):
                images[name] = url
        return cls(
            version=tag,
            title=_text(body.get("name")),
            notes=_text(body.get("body")),
            url=_text(body.get("html_url")),
            images=images,
        )

    def image_for(self, build_env: str | None) -> str | None:
        """Return the URL of the image for a charger's ``buildenv`` (``<buildenv>.bin``)."""
        if not build_env:
            return None
        return self.images.get(f"{build_env}.bin")


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


class FirmwareReleases:
    """Fetches and caches the latest release for every charger of the instance."""

    def __init__(self, session: aiohttp.ClientSession, url: str = RELEASES_URL) -> None:
        """Check ``url`` (GitHub's latest-release API or a stand-in) through ``session``."""
        self._session = session
        self._url = url
        self._lock = asyncio.Lock()
        self._release: FirmwareRelease | None = None
        self._etag: str | None = None
        self._next_check: datetime | None = None
        self.checks = 0
        """Requests sent so far (for diagnostics and the request-budget benchmark)."""

    @property
    def release(self) -> FirmwareRelease | None:
        """The release last read, without checking again."""
        return self._release

    async def async_latest(self) -> FirmwareRelease | None:
        """Return the latest release, checked again only when the cached answer is old enough."""
        async with self._lock:
            now = dt_util.utcnow()
            if self._next_check is None or now >= self._next_check:
                ok = await self._async_check()
                interval = RELEASE_CHECK_INTERVAL if ok else RELEASE_RETRY_INTERVAL
                self._next_check = now + interval
            return self._release

    async def _async_check(self) -> bool:
        """Ask GitHub once; keep the last answer when it fails. Tell whether it answered."""
        headers = dict(_HEADERS)
        if self._etag is not None:
            headers["If-None-Match"] = self._etag
        self.checks += 1
        try:
            async with self._session.get(
                self._url, headers=headers, timeout=aiohttp.ClientTimeout(total=_REQUEST_TIMEOUT)
            ) as response:
                if response.status == 304:
                    return True
                if response.status != 200:
                    LOGGER.debug(
                        "Firmware release check answered %s: %s",
                        response.status,
                        (await response.text())[:200],
                    )
                    return False
                body = await response.json(content_type=None)
                etag = response.headers.get("ETag")
        except (aiohttp.ClientError, TimeoutError, ValueError) as err:
            LOGGER.debug("Firmware release check failed: %s", err)
            return False
        release = FirmwareRelease.from_github(body) if isinstance(body, Mapping) else None
        if release is None:
            LOGGER.debug("Firmware release check: no release in the reply")
            return False
        self._release, self._etag = release, etag
        return True


def firmware_releases(hass: HomeAssistant) -> FirmwareReleases:
    """Return the instance's shared release check (created on first use, for GitHub).

    Whoever stores another :class:`FirmwareReleases` under :data:`RELEASES_KEY` first (a
    test's stand-in server, a mirror) decides the URL for every charger.
    """
    releases = hass.data.get(RELEASES_KEY)
    if releases is None:
        releases = FirmwareReleases(async_get_clientsession(hass), RELEASES_URL)
        hass.data[RELEASES_KEY] = releases
    return releases
