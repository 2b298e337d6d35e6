"""What a charger config entry holds while it is loaded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry

from ..clients.openevse import OpenEVSE

if TYPE_CHECKING:
    from .coordinator import ChargerCoordinator
    from .feeds import ChargerFeeds
    from .planning.controller import PlanController


@dataclass(kw_only=True)
class ChargerRuntimeData:
    """The charger's client, coordinator, feeds (Home Assistant values pushed) and plan."""

    client: OpenEVSE
    coordinator: ChargerCoordinator
    feeds: ChargerFeeds
    plan: PlanController


type ChargerConfigEntry = ConfigEntry[ChargerRuntimeData]
