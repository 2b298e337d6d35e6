"""The "Moogo account" branch of the integration's config flow, plus its options.

Adding an account costs exactly one login: the token it returns is stored in the entry and
reused by set-up and every restart. Re-authentication and reconfiguration also log in once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import probatio as vol
from homeassistant.config_entries import (
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlow,
)
from homeassistant.const import CONF_EMAIL, CONF_PASSWORD, CONF_URL
from homeassistant.data_entry_flow import section
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from ..clients.moogo import (
    MoogoAuthenticationError,
    MoogoAuthToken,
    MoogoError,
    MoogoLoginLimitError,
)
from ..const import CONF_FAMILY, FAMILY_PUMP, LOGGER
from .account import account_title, forget_login_guard, login_client, token_data
from .const import (
    CLOUD_URL,
    CONF_POLL_INTERVAL,
    DEFAULT_POLL_INTERVAL,
    MAX_POLL_INTERVAL,
    MIN_POLL_INTERVAL,
)

if TYPE_CHECKING:
    from .coordinator import PumpCoordinator

_EMAIL = TextSelector(TextSelectorConfig(type=TextSelectorType.EMAIL, autocomplete="username"))
_PASSWORD = TextSelector(
    TextSelectorConfig(type=TextSelectorType.PASSWORD, autocomplete="current-password")
)
_URL = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))
SECTION_ADVANCED = "advanced"


def _flatten(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Return the form input as entry data (the cloud address comes out of its section)."""
    return {
        CONF_EMAIL: user_input[CONF_EMAIL],
        CONF_PASSWORD: user_input[CONF_PASSWORD],
        CONF_URL: user_input.get(SECTION_ADVANCED, {}).get(CONF_URL) or CLOUD_URL,
    }


async def _login(flow: ConfigFlow, data: Mapping[str, Any]) -> tuple[MoogoAuthToken | None, str]:
    """Log in once; return the token, or None and the error key to show."""
    try:
        client = login_client(flow.hass, data)
    except ValueError:
        return None, "invalid_url"
    try:
        return await client.authenticate(), ""
    except MoogoAuthenticationError:
        return None, "invalid_auth"
    except MoogoLoginLimitError:
        return None, "login_limit_reached"
    except MoogoError as err:
        LOGGER.debug("Moogo login failed: %s", type(err).__name__)
        return None, "cannot_connect"
    except Exception:  # noqa: BLE001 - any other failure is shown as "unknown", and logged
        LOGGER.exception("Unexpected error while logging in to the Moogo cloud")
        return None, "unknown"
    finally:
        await client.close()


class PumpConfigFlow(ConfigFlow):
    """Steps that add, re-authenticate and reconfigure a Moogo account."""

    def _moogo_form_schema(self, email: str | None, url: str) -> vol.Schema:
        """Email and password, and the cloud address in an "Advanced" section.

        The section is collapsed only while it holds the vendor's address: a custom address
        (a test server, the simulator) stays visible and filled in after a failed login, so
        the retry goes to the same server.
        """
        advanced = vol.Schema({vol.Required(CONF_URL, default=CLOUD_URL): _URL})
        schema = vol.Schema(
            {
                vol.Required(CONF_EMAIL): _EMAIL,
                vol.Required(CONF_PASSWORD): _PASSWORD,
                vol.Required(SECTION_ADVANCED): section(advanced, {"collapsed": url == CLOUD_URL}),
            }
        )
        return self.add_suggested_values_to_schema(
            schema, {CONF_EMAIL: email, SECTION_ADVANCED: {CONF_URL: url}}
        )

    async def async_step_moogo(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the account's email and password and log in once."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {CONF_FAMILY: FAMILY_PUMP, **_flatten(user_input)}
            auth, error = await _login(self, data)
            if auth is not None:
                await self.async_set_unique_id(auth.user_id)
                self._abort_if_unique_id_configured()
                return self.async_create_entry(
                    title=account_title(data[CONF_EMAIL]), data={**data, **token_data(auth)}
                )
            errors["base"] = error
        return self.async_show_form(
            step_id="moogo",
            data_schema=self._moogo_form_schema(
                (user_input or {}).get(CONF_EMAIL),
                _flatten(user_input)[CONF_URL] if user_input else CLOUD_URL,
            ),
            errors=errors,
        )

    async def async_step_moogo_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """Start re-authentication: the token was rejected and logging in again failed."""
        return await self.async_step_moogo_reauth_confirm()

    async def async_step_moogo_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the password again and log in once."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {**entry.data, CONF_PASSWORD: user_input[CONF_PASSWORD]}
            auth, error = await _login(self, data)
            if auth is not None:
                await self.async_set_unique_id(auth.user_id)
                self._abort_if_unique_id_mismatch(reason="wrong_account")
                forget_login_guard(self.hass, entry.entry_id)
                return self.async_update_reload_and_abort(entry, data={**data, **token_data(auth)})
            errors["base"] = error
        return self.async_show_form(
            step_id="moogo_reauth_confirm",
            data_schema=vol.Schema({vol.Required(CONF_PASSWORD): _PASSWORD}),
            description_placeholders={"email": entry.data[CONF_EMAIL]},
            errors=errors,
        )

    async def async_step_moogo_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the email, password or cloud address of the account (one login)."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {**entry.data, **_flatten(user_input)}
            auth, error = await _login(self, data)
            if auth is not None:
                await self.async_set_unique_id(auth.user_id)
                self._abort_if_unique_id_mismatch(reason="wrong_account")
                forget_login_guard(self.hass, entry.entry_id)
                return self.async_update_reload_and_abort(
                    entry, title=account_title(data[CONF_EMAIL]), data={**data, **token_data(auth)}
                )
            errors["base"] = error
        return self.async_show_form(
            step_id="moogo_reconfigure",
            data_schema=self._moogo_form_schema(
                (user_input or entry.data)[CONF_EMAIL],
                _flatten(user_input)[CONF_URL]
                if user_input
                else entry.data.get(CONF_URL) or CLOUD_URL,
            ),
            errors=errors,
        )


class PumpOptionsFlow(OptionsFlow):
    """How often the status of each pump is read."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show the pump options."""
        return await self.async_step_moogo()

    async def async_step_moogo(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the poll interval; it applies from the next poll, without a reload."""
        if user_input is not None:
            seconds = int(user_input[CONF_POLL_INTERVAL])
            if self.config_entry.state is ConfigEntryState.LOADED:
                coordinator: PumpCoordinator = self.config_entry.runtime_data.coordinator
                coordinator.apply_poll_interval(timedelta(seconds=seconds))
            return self.async_create_entry(data={CONF_POLL_INTERVAL: seconds})
        current = self.config_entry.options.get(CONF_POLL_INTERVAL, DEFAULT_POLL_INTERVAL)
        return self.async_show_form(
            step_id="moogo",
            data_schema=vol.Schema(
                {
                    vol.Required(CONF_POLL_INTERVAL, default=current): NumberSelector(
                        NumberSelectorConfig(
                            min=MIN_POLL_INTERVAL,
                            max=MAX_POLL_INTERVAL,
                            step=1,
                            mode=NumberSelectorMode.BOX,
                            unit_of_measurement="s",
                        )
                    )
                }
            ),
        )
