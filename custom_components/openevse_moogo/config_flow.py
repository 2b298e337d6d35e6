"""The integration's one config flow: the first step asks which device family to add.

The family-specific steps live in `charger/config_flow.py` (host, auth, zeroconf, ...) and
`pump/config_flow.py` (Moogo account); this class combines them and routes reauth,
reconfigure and options to the family of the entry concerned.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, override

from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
from homeassistant.core import callback

from .charger.config_flow import ChargerConfigFlow, ChargerOptionsFlow
from .const import CONF_FAMILY, DOMAIN, FAMILY_CHARGER
from .pump.config_flow import PumpConfigFlow, PumpOptionsFlow
from .runtime import OpenEVSEMoogoConfigEntry


class OpenEVSEMoogoConfigFlow(ChargerConfigFlow, PumpConfigFlow, domain=DOMAIN):
    """Add an OpenEVSE charger or a Moogo account."""

    VERSION = 1
    MINOR_VERSION = 1

    @override
    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask which kind of device the user adds."""
        return self.async_show_menu(step_id="user", menu_options=["charger", "moogo"])

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """Route re-authentication to the entry's family."""
        if entry_data[CONF_FAMILY] == FAMILY_CHARGER:
            return await self.async_step_charger_reauth(entry_data)
        return await self.async_step_moogo_reauth(entry_data)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Route reconfiguration to the entry's family."""
        if self._get_reconfigure_entry().data[CONF_FAMILY] == FAMILY_CHARGER:
            return await self.async_step_charger_reconfigure(user_input)
        return await self.async_step_moogo_reconfigure(user_input)

    @staticmethod
    @callback
    @override
    def async_get_options_flow(config_entry: OpenEVSEMoogoConfigEntry) -> OptionsFlow:
        """Return the options flow of the entry's family."""
        if config_entry.data[CONF_FAMILY] == FAMILY_CHARGER:
            return ChargerOptionsFlow()
        return PumpOptionsFlow()
