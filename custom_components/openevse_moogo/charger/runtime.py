"""What a charger config entry holds while it is loaded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry

from ..clients.openevse import OpenEVSE

if TYPE_CHECKING:
    from .coordinator import ChargerCoordinator
    from .feeds import ChargerFeeds


@dataclass(kw_only=True)
class ChargerRuntimeData:
    """The charger's client, its coordinator and the feeds pushing Home Assistant values to it."""

    client: OpenEVSE
    coordinator: ChargerCoordinator
    feeds: ChargerFeeds


type ChargerConfigEntry = ConfigEntry[ChargerRuntimeData]
