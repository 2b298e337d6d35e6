"""The charger's firmware update entity: the installed build against the project's releases.

The installed version is what the gateway reports, shown as it is. The latest release comes from
the firmware project's GitHub releases through the instance's shared, cached check; it is offered
only when it carries an image for the charger's build environment. Development builds
(``master_a5938d0c``, ``v5.1.5_modified``, ...) are never told to "update" to a release: their
owner chose to run them. Nothing is installed unless the user asks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, override

from homeassistant.components.update import (
    UpdateDeviceClass,
    UpdateEntity,
    UpdateEntityDescription,
    UpdateEntityFeature,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_track_time_interval

from ..const import DOMAIN
from .const import RELEASE_LOOK_INTERVAL
from .coordinator import ChargerCoordinator
from .data import ChargerData
from .entity import ChargerEntity
from .firmware import FirmwareInstall
from .releases import FirmwareRelease, FirmwareReleases, firmware_releases
from .runtime import ChargerConfigEntry

# Home Assistant shows at most this many characters of a release summary.
_SUMMARY_LENGTH = 255


@dataclass(frozen=True, kw_only=True)
class ChargerUpdateEntityDescription(UpdateEntityDescription):
    """Describes the charger's firmware update entity."""


FIRMWARE = ChargerUpdateEntityDescription(
    key="firmware",
    device_class=UpdateDeviceClass.FIRMWARE,
    entity_category=EntityCategory.CONFIG,
)


@dataclass(frozen=True, slots=True)
class _Offer:
    """A release this charger can install, and the image it would flash."""

    release: FirmwareRelease
    image_url: str


def _offer(data: ChargerData, release: FirmwareRelease | None) -> _Offer | None:
    """Return what to offer: nothing to development builds or without a matching image."""
    if release is None or data.config.firmware_version.is_dev:
        return None
    image_url = release.image_for(data.config.build_env)
    return None if image_url is None else _Offer(release, image_url)


class ChargerFirmwareUpdate(ChargerEntity, UpdateEntity):
    """Offers the newest firmware release for the charger and installs it on request."""

    _attr_supported_features = (
        UpdateEntityFeature.INSTALL
        | UpdateEntityFeature.PROGRESS
        | UpdateEntityFeature.RELEASE_NOTES
    )

    def __init__(
        self,
        coordinator: ChargerCoordinator,
        description: ChargerUpdateEntityDescription,
        releases: FirmwareReleases,
    ) -> None:
        """Bind the entity to the charger and the instance's release check."""
        super().__init__(coordinator, description)
        self._releases = releases
        self._release = releases.release
        self._installing = False
        self._progress: int | None = None

    @override
    async def async_added_to_hass(self) -> None:
        """Look at the release check now and then (it asks GitHub only a few times a day)."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_track_time_interval(self.hass, self._async_look, RELEASE_LOOK_INTERVAL)
        )
        self.coordinator.config_entry.async_create_background_task(
            self.hass, self._async_look(), "openevse firmware release check"
        )

    async def _async_look(self, _now: datetime | None = None) -> None:
        release = await self._releases.async_latest()
        if release != self._release:
            self._release = release
            self._handle_coordinator_update()

    @property
    def installed_version(self) -> str | None:
        """The gateway firmware as it reports itself."""
        return self.data.config.firmware_version.raw

    @property
    def latest_version(self) -> str | None:
        """The release offered; the installed build when there is nothing for this charger.

        Unknown (None) only while a release build's check has not been answered yet.
        """
        if self.data.config.firmware_version.is_dev:
            return self.installed_version
        if self._release is None:
            return None
        offered = self._offered()
        return self.installed_version if offered is None else offered.version

    @property
    def release_url(self) -> str | None:
        """The release's page, when a release is offered."""
        offered = self._offered()
        return None if offered is None else offered.url

    @property
    def release_summary(self) -> str | None:
        """The release's title."""
        offered = self._offered()
        if offered is None or offered.title is None:
            return None
        return offered.title[:_SUMMARY_LENGTH]

    @property
    def in_progress(self) -> bool:
        """Whether an install started here is running."""
        return self._installing

    @property
    def update_percentage(self) -> int | None:
        """How much of the image the charger has written (None before it reports)."""
        return self._progress if self._installing else None

    def _offered(self) -> FirmwareRelease | None:
        offer = _offer(self.data, self._release)
        return None if offer is None else offer.release

    async def async_release_notes(self) -> str | None:
        """Return the release notes of the offered release (Markdown)."""
        offered = self._offered()
        return offered.notes if offered else None

    async def async_install(self, version: str | None, backup: bool, **kwargs: Any) -> None:
        """Have the charger download and flash the offered release, following its progress."""
        offer = _offer(self.data, self._release)
        if offer is None:
            # Home Assistant offers the install only when a release is offered; this is the
            # charger changing its firmware (or the check its answer) meanwhile.
            raise ServiceValidationError(
                translation_domain=DOMAIN, translation_key="charger_update_unavailable"
            )
        if not self.data.push_connected:
            # Progress and the outcome only ever arrive on the websocket.
            raise HomeAssistantError(
                translation_domain=DOMAIN, translation_key="charger_update_needs_push"
            )
        self._installing, self._progress = True, None
        self._handle_coordinator_update()
        try:
            await FirmwareInstall(self.coordinator, self._set_progress).async_run(
                offer.image_url, offer.release.version
            )
        finally:
            self._installing = False
            self._handle_coordinator_update()

    @callback
    def _set_progress(self, percent: int | None) -> None:
        self._progress = percent
        self._handle_coordinator_update()


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ChargerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the charger's firmware update entity."""
    releases = firmware_releases(hass)
    async_add_entities([ChargerFirmwareUpdate(entry.runtime_data.coordinator, FIRMWARE, releases)])
