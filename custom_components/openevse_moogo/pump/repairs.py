"""The fix flow of a pump's time zone issue: write Home Assistant's zone to the pump."""

from __future__ import annotations

from typing import TYPE_CHECKING

import probatio as vol
from homeassistant.components.repairs import RepairsFlow, RepairsFlowResult
from homeassistant.config_entries import ConfigEntryState
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util

from ..clients.moogo import MoogoConfigUpdate
from .settings import async_write_settings
from .time_zone import ISSUE_DATA_ENTRY_ID, ISSUE_DATA_PUMP_ID

if TYPE_CHECKING:
    from .coordinator import PumpCoordinator


class PumpTimeZoneRepairFlow(RepairsFlow):
    """Ask the user to confirm, then set the pump's time zone to Home Assistant's."""

    def __init__(self, data: dict[str, str | int | float | None] | None) -> None:
        """Fix the pump named in the issue's data."""
        data = data or {}
        self._entry_id = str(data.get(ISSUE_DATA_ENTRY_ID, ""))
        self._pump_id = str(data.get(ISSUE_DATA_PUMP_ID, ""))

    def _coordinator(self) -> PumpCoordinator | None:
        entry = self.hass.config_entries.async_get_entry(self._entry_id)
        if entry is None or entry.state is not ConfigEntryState.LOADED:
            return None
        coordinator: PumpCoordinator = entry.runtime_data.coordinator
        return coordinator

    async def async_step_init(self, user_input: dict[str, str] | None = None) -> RepairsFlowResult:
        """Start with the confirmation."""
        return await self.async_step_confirm()

    async def async_step_confirm(
        self, user_input: dict[str, str] | None = None
    ) -> RepairsFlowResult:
        """Show what will be written; write it once the user confirms."""
        coordinator = self._coordinator()
        if coordinator is None:
            return self.async_abort(reason="entry_not_loaded")
        pump = coordinator.data.pumps.get(self._pump_id)
        if pump is None:
            return self.async_abort(reason="pump_gone")
        home_zone = self.hass.config.time_zone
        errors: dict[str, str] = {}
        error = ""
        if user_input is not None:
            # A loaded zone needs no (blocking) lookup when the client checks it is IANA.
            zone = await dt_util.async_get_time_zone(home_zone)
            try:
                await async_write_settings(
                    coordinator, self._pump_id, MoogoConfigUpdate(time_zone=zone or home_zone)
                )
            except HomeAssistantError as err:
                errors["base"] = "write_failed"
                error = str(err)
            else:
                return self.async_create_entry(data={})
        return self.async_show_form(
            step_id="confirm",
            data_schema=vol.Schema({}),
            errors=errors,
            description_placeholders={
                "name": pump.name,
                "zone": (pump.config.time_zone if pump.config else None) or "",
                "home_zone": home_zone,
                "error": error,
            },
        )
