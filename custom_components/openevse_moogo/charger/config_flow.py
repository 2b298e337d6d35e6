"""Adding, re-authenticating and reconfiguring a charger, and choosing the values fed to it.

Every path ends with a real call to the charger (its ``/config``) before anything is stored, and
the charger's WiFi serial is the entry's unique id, so one charger is never added twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import probatio as vol
from homeassistant.config_entries import (
    SOURCE_ZEROCONF,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
)
from homeassistant.helpers.selector import (
    BooleanSelector,
    EntitySelector,
    EntitySelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo

from ..clients.openevse import (
    ChargerConfig,
    OpenEVSEAuthenticationError,
    OpenEVSECommandError,
    OpenEVSEError,
    OpenEVSEInvalidResponseError,
    OpenEVSENotFoundError,
    OpenEVSERateLimitError,
)
from ..const import CONF_FAMILY, FAMILY_CHARGER, LOGGER
from .connection import ChargerSettings, async_probe
from .const import (
    CONF_GRID_SENSOR,
    CONF_HOME_BATTERY_POWER_SENSOR,
    CONF_HOME_BATTERY_SOC_SENSOR,
    CONF_INVERT_GRID,
    CONF_LIVE_POWER_SENSOR,
    CONF_MDNS_ID,
    CONF_MIN_RUN,
    CONF_PRICE_CEILING,
    CONF_PRICE_ENTITY,
    CONF_SOLAR_SENSOR,
    CONF_VEHICLE_ETA_SENSOR,
    CONF_VEHICLE_LIMIT_SENSOR,
    CONF_VEHICLE_RANGE_SENSOR,
    CONF_VEHICLE_SOC_SENSOR,
    CONF_VOLTAGE_SENSOR,
    DEFAULT_MIN_RUN_MINUTES,
)
from .runtime import ChargerConfigEntry

BASE: Final = "base"
DEFAULT_HTTP_PORT: Final = 80
DEFAULT_HTTPS_PORT: Final = 443

_TEXT = TextSelector()
_PASSWORD = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
_PORT = NumberSelector(NumberSelectorConfig(min=1, max=65535, mode=NumberSelectorMode.BOX))
_BOOL = BooleanSelector()


def _host_schema(defaults: Mapping[str, Any], *, credentials: bool = False) -> vol.Schema:
    """Host, optional port and HTTPS (and credentials when reconfiguring)."""
    fields: dict[vol.Marker, Any] = {
        vol.Required(CONF_HOST, default=defaults.get(CONF_HOST, vol.UNDEFINED)): _TEXT,
        vol.Optional(CONF_PORT, description={"suggested_value": defaults.get(CONF_PORT)}): _PORT,
        vol.Required(CONF_SSL, default=defaults.get(CONF_SSL, False)): _BOOL,
        vol.Required(CONF_VERIFY_SSL, default=defaults.get(CONF_VERIFY_SSL, True)): _BOOL,
    }
    if credentials:
        fields |= _credentials_fields(defaults)
    return vol.Schema(fields)


def _credentials_fields(defaults: Mapping[str, Any]) -> dict[vol.Marker, Any]:
    return {
        vol.Optional(CONF_USERNAME, default=defaults.get(CONF_USERNAME, "")): _TEXT,
        vol.Optional(CONF_PASSWORD, default=""): _PASSWORD,
    }


def _error_key(err: Exception) -> tuple[str, str]:
    """Return the form field and translated error for a failed test call."""
    if isinstance(err, OpenEVSEAuthenticationError):
        return CONF_PASSWORD, "charger_invalid_auth"
    if isinstance(err, OpenEVSERateLimitError):
        return BASE, "rate_limited"
    if isinstance(err, OpenEVSEInvalidResponseError | OpenEVSENotFoundError | OpenEVSECommandError):
        return CONF_HOST, "not_openevse"
    if isinstance(err, OpenEVSEError | TimeoutError):
        return CONF_HOST, "cannot_connect"
    LOGGER.exception("Unexpected error while testing the charger")
    return BASE, "unknown"


def _identity(config: ChargerConfig) -> tuple[str, str]:
    """Return the charger's (serial, entry title) from its config."""
    serial = config.wifi_serial or ""
    return serial, config.hostname or f"OpenEVSE {serial}"


class ChargerConfigFlow(ConfigFlow):
    """The charger steps of the integration's config flow."""

    # What the earlier steps of this flow learnt (class defaults until they ran).
    _settings: ChargerSettings = ChargerSettings(host="")
    _mdns_id: str | None = None
    _discovered: tuple[str, str] = ("", "")
    """(serial, title) of the discovered charger."""

    # --- adding a charger by hand ----------------------------------------------------------

    async def async_step_charger(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask where the charger is; go to the credentials step only when it asks for them."""
        errors: dict[str, str] = {}
        if user_input is not None:
            settings = ChargerSettings.from_mapping(user_input)
            try:
                config = await async_probe(self.hass, settings)
            except OpenEVSEAuthenticationError:
                self._settings = settings
                return await self.async_step_charger_auth()
            except Exception as err:  # noqa: BLE001 - every failure becomes a form error
                field, key = _error_key(err)
                errors[field] = key
            else:
                return await self._async_create_charger(settings, _identity(config))
        return self.async_show_form(
            step_id="charger",
            data_schema=self.add_suggested_values_to_schema(_host_schema({}), user_input),
            errors=errors,
        )

    async def async_step_charger_auth(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the charger's web user name and password."""
        errors: dict[str, str] = {}
        if user_input is not None:
            settings = self._settings.with_credentials(
                user_input.get(CONF_USERNAME, ""), user_input.get(CONF_PASSWORD, "")
            )
            try:
                config = await async_probe(self.hass, settings)
            except Exception as err:  # noqa: BLE001
                field, key = _error_key(err)
                errors[field] = key
            else:
                return await self._async_create_charger(settings, _identity(config))
        return self.async_show_form(
            step_id="charger_auth",
            data_schema=vol.Schema(_credentials_fields(user_input or {})),
            errors=errors,
            description_placeholders={"host": self._settings.host},
        )

    async def _async_create_charger(
        self, settings: ChargerSettings, identity: tuple[str, str]
    ) -> ConfigFlowResult:
        serial, title = identity
        await self.async_set_unique_id(serial, raise_on_progress=False)
        if self.source == SOURCE_ZEROCONF:
            self._abort_if_unique_id_configured(updates=_address(settings))
        else:
            self._abort_if_unique_id_configured()
        data = {CONF_FAMILY: FAMILY_CHARGER, **settings.as_data()}
        if self._mdns_id:
            data[CONF_MDNS_ID] = self._mdns_id
        return self.async_create_entry(title=title, data=data)

    # --- discovery -------------------------------------------------------------------------

    async def async_step_zeroconf(self, discovery_info: ZeroconfServiceInfo) -> ConfigFlowResult:
        """Handle a charger's announcement: update a known one's address, or offer to add it."""
        mdns_id = str(
            discovery_info.properties.get("id") or discovery_info.properties.get("serial") or ""
        ).strip()
        if not mdns_id:
            return self.async_abort(reason="not_openevse")
        ssl = discovery_info.port == DEFAULT_HTTPS_PORT
        port = (
            None
            if discovery_info.port in (None, DEFAULT_HTTP_PORT, DEFAULT_HTTPS_PORT)
            else (discovery_info.port)
        )
        settings = ChargerSettings(host=discovery_info.host, port=port, ssl=ssl)
        for entry in self._async_current_entries(include_ignore=False):
            if mdns_id in (entry.data.get(CONF_MDNS_ID), entry.unique_id):
                return self.async_update_reload_and_abort(
                    entry,
                    data_updates=_address(settings),
                    reason="already_configured",
                    reload_even_if_entry_is_unchanged=False,
                )
        # Guards against two flows for the same announcement until the serial is known.
        await self.async_set_unique_id(mdns_id)
        self._abort_if_unique_id_configured()
        self._mdns_id = mdns_id
        self._settings = settings
        self.context["title_placeholders"] = {"name": discovery_info.name.split(".")[0]}
        try:
            config = await async_probe(self.hass, settings)
        except OpenEVSEAuthenticationError:
            return await self.async_step_charger_auth()
        except OpenEVSEError, TimeoutError:
            return self.async_abort(reason="cannot_connect")
        await self.async_set_unique_id(config.wifi_serial, raise_on_progress=False)
        self._abort_if_unique_id_configured(updates=_address(settings))
        self._discovered = _identity(config)
        return await self.async_step_charger_discovery_confirm()

    async def async_step_charger_discovery_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Let the user confirm adding the discovered charger."""
        if user_input is not None:
            return await self._async_create_charger(self._settings, self._discovered)
        self._set_confirm_only()
        return self.async_show_form(
            step_id="charger_discovery_confirm",
            description_placeholders={
                "name": self._discovered[1],
                "host": self._settings.host,
            },
        )

    # --- re-authentication -----------------------------------------------------------------

    async def async_step_charger_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """Start re-authentication: the charger rejected the stored credentials."""
        return await self.async_step_charger_reauth_confirm()

    async def async_step_charger_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for new credentials and test them before storing them."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            settings = ChargerSettings.from_mapping(entry.data).with_credentials(
                user_input.get(CONF_USERNAME, ""), user_input.get(CONF_PASSWORD, "")
            )
            result = await self._async_test_same_charger(entry, settings, errors)
            if result is not None:
                return result
        return self.async_show_form(
            step_id="charger_reauth_confirm",
            data_schema=vol.Schema(_credentials_fields(user_input or entry.data)),
            errors=errors,
            description_placeholders={"name": entry.title},
        )

    # --- reconfiguration -------------------------------------------------------------------

    async def async_step_charger_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the charger's address or credentials (the same charger only)."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            values = dict(user_input)
            if not values.get(CONF_PASSWORD):
                # An empty password field keeps the stored one.
                values[CONF_PASSWORD] = entry.data.get(CONF_PASSWORD, "")
            settings = ChargerSettings.from_mapping(values)
            result = await self._async_test_same_charger(entry, settings, errors)
            if result is not None:
                return result
        return self.async_show_form(
            step_id="charger_reconfigure",
            data_schema=_host_schema(user_input or entry.data, credentials=True),
            errors=errors,
            description_placeholders={"name": entry.title},
        )

    async def _async_test_same_charger(
        self, entry: ChargerConfigEntry, settings: ChargerSettings, errors: dict[str, str]
    ) -> ConfigFlowResult | None:
        """Test the settings; store them when they reach the entry's charger, else fill errors."""
        try:
            config = await async_probe(self.hass, settings)
        except Exception as err:  # noqa: BLE001
            field, key = _error_key(err)
            errors[field] = key
            return None
        await self.async_set_unique_id(config.wifi_serial, raise_on_progress=False)
        self._abort_if_unique_id_mismatch(reason="different_charger")
        data = {
            key: value
            for key, value in entry.data.items()
            if key not in (CONF_PORT, CONF_VERIFY_SSL, CONF_USERNAME, CONF_PASSWORD)
        }
        return self.async_update_reload_and_abort(entry, data=data | settings.as_data())


def _address(settings: ChargerSettings) -> dict[str, Any]:
    """Return the parts of the entry data discovery may update."""
    return {CONF_HOST: settings.host, CONF_PORT: settings.port, CONF_SSL: settings.ssl}


# --- options: Home Assistant values fed to the charger --------------------------------------

_POWER = EntitySelector(EntitySelectorConfig(domain="sensor", device_class="power"))
_VOLTAGE = EntitySelector(EntitySelectorConfig(domain="sensor", device_class="voltage"))
_SENSOR = EntitySelector(EntitySelectorConfig(domain="sensor"))
_BATTERY = EntitySelector(EntitySelectorConfig(domain="sensor", device_class="battery"))
# Octopus Energy publishes its rates on event entities, the others on sensors.
_PRICES = EntitySelector(EntitySelectorConfig(domain=["sensor", "event"]))
_CEILING = NumberSelector(NumberSelectorConfig(mode=NumberSelectorMode.BOX, step="any"))
_MIN_RUN = NumberSelector(
    NumberSelectorConfig(
        min=0, max=240, step=5, mode=NumberSelectorMode.BOX, unit_of_measurement="min"
    )
)

_FEED_FIELDS: Final = (
    (CONF_GRID_SENSOR, _POWER),
    (CONF_SOLAR_SENSOR, _POWER),
    (CONF_VOLTAGE_SENSOR, _VOLTAGE),
    (CONF_LIVE_POWER_SENSOR, _POWER),
    (CONF_VEHICLE_SOC_SENSOR, _SENSOR),
    (CONF_VEHICLE_RANGE_SENSOR, _SENSOR),
    (CONF_VEHICLE_ETA_SENSOR, _SENSOR),
    (CONF_VEHICLE_LIMIT_SENSOR, _SENSOR),
    (CONF_HOME_BATTERY_SOC_SENSOR, _BATTERY),
    (CONF_HOME_BATTERY_POWER_SENSOR, _POWER),
)


class ChargerOptionsFlow(OptionsFlowWithReload):
    """Pick the entities whose values are pushed to the charger, and the charge plan's prices."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show the charger's feeds form."""
        return await self.async_step_charger(user_input)

    async def async_step_charger(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """One form with every feed; an empty field feeds nothing."""
        errors: dict[str, str] = {}
        if user_input is not None:
            if user_input.get(CONF_GRID_SENSOR) and user_input.get(CONF_SOLAR_SENSOR):
                # The firmware applies only one of the two; make the user choose.
                errors[CONF_SOLAR_SENSOR] = "grid_and_solar"
            else:
                return self.async_create_entry(data=user_input)
        current = user_input if user_input is not None else self.config_entry.options
        fields: dict[vol.Marker, Any] = {}
        for key, selector in _FEED_FIELDS:
            fields[vol.Optional(key, description={"suggested_value": current.get(key)})] = selector
            if key == CONF_GRID_SENSOR:
                fields[
                    vol.Required(CONF_INVERT_GRID, default=current.get(CONF_INVERT_GRID, False))
                ] = _BOOL
        fields[
            vol.Optional(
                CONF_PRICE_ENTITY, description={"suggested_value": current.get(CONF_PRICE_ENTITY)}
            )
        ] = _PRICES
        fields[
            vol.Optional(
                CONF_PRICE_CEILING,
                description={"suggested_value": current.get(CONF_PRICE_CEILING)},
            )
        ] = _CEILING
        fields[
            vol.Required(CONF_MIN_RUN, default=current.get(CONF_MIN_RUN, DEFAULT_MIN_RUN_MINUTES))
        ] = _MIN_RUN
        return self.async_show_form(
            step_id="charger", data_schema=vol.Schema(fields), errors=errors
        )
