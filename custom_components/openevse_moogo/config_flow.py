"""The integration's one config flow: the first step asks which device family to add.

The family-specific steps live in `charger/config_flow.py` (host, auth, zeroconf, ...) and
`pump/config_flow.py` (Moogo account) and `circuit/ha/config_flow.py` (charging circuit);
this class combines them and routes reauth, reconfigure and options to the family of the
entry concerned.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, override

from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
from homeassistant.core import callback

from .charger.config_flow import ChargerConfigFlow, ChargerOptionsFlow
from .circuit.ha.config_flow import CircuitConfigFlow, CircuitOptionsFlow
from .const import CONF_FAMILY, DOMAIN, FAMILY_CHARGER, FAMILY_CIRCUIT
from .pump.config_flow import PumpConfigFlow, PumpOptionsFlow
from .runtime import OpenEVSEMoogoConfigEntry


class OpenEVSEMoogoConfigFlow(ChargerConfigFlow, PumpConfigFlow, CircuitConfigFlow, domain=DOMAIN):
    """Add an OpenEVSE charger, a Moogo account or a charging circuit."""

    VERSION = 1
    # 1.2: Moogo account entries are titled without the e-mail (see pump.account.account_title).
    MINOR_VERSION = 2

    @override
    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask which kind of device the user adds."""
        return self.async_show_menu(step_id="user", menu_options=["charger", "moogo", "circuit"])

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
        if config_entry.data[CONF_FAMILY] == FAMILY_CIRCUIT:
            return CircuitOptionsFlow()
        return PumpOptionsFlow()
