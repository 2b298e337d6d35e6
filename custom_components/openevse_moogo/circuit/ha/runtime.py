"""What a charging circuit's config entry holds while it is loaded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry

if TYPE_CHECKING:
    from .controller import CircuitController


@dataclass(kw_only=True)
class CircuitRuntimeData:
    """The circuit's loop (it owns no connection: its members' entries do)."""

    controller: CircuitController


type CircuitConfigEntry = ConfigEntry[CircuitRuntimeData]
