"""What a loaded Moogo account entry holds at runtime."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.config_entries import ConfigEntry

from ..clients.moogo import MoogoClient
from .coordinator import PumpCoordinator


@dataclass
class PumpRuntimeData:
    """The account's client and the coordinator polling its pumps."""

    client: MoogoClient
    coordinator: PumpCoordinator


type PumpConfigEntry = ConfigEntry[PumpRuntimeData]
