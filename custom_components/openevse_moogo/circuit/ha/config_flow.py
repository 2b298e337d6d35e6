"""The "Charging circuit" branch of the config flow, and its options flow.

Three forms, the same when adding a circuit and when changing it: the circuit (name, breaker
limit, phases, members, other loads, margin), on a three-phase circuit which phase each member
is on, and the fallback with the user's consent (the one write to the chargers' stored
settings, see :mod:`.fallback_setup`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import Any, cast

import probatio as vol
from homeassistant.config_entries import (
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlow,
)
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.selector import (
    BooleanSelector,
    EntitySelector,
    EntitySelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
)

from ...const import CONF_FAMILY, DOMAIN, FAMILY_CHARGER, FAMILY_CIRCUIT
from ..fallback import FallbackMode, static_shares
from .const import (
    CONF_CHARGERS,
    CONF_CONSENT,
    CONF_FALLBACK_MODE,
    CONF_FALLBACK_PREVIOUS,
    CONF_LIMIT,
    CONF_LOAD_CURRENT,
    CONF_LOAD_POWER,
    CONF_MARGIN,
    CONF_MEMBERS,
    CONF_PHASES,
    CONF_SHARES,
    DEFAULT_MARGIN,
    MEMBER_ENTRY_ID,
    MEMBER_PHASE,
    PHASE_ALL,
)
from .fallback_setup import async_apply_fallback, async_release_shares, async_restore_fallback
from .members import member_coordinator, read_member
from .settings import CircuitSettings

# The phase form: one multiple choice of chargers per phase, and one for three-phase chargers.
PHASE_FIELDS = {"phase_1": "1", "phase_2": "2", "phase_3": "3", "phase_all": PHASE_ALL}

_LIMIT = NumberSelector(
    NumberSelectorConfig(
        min=6, max=400, step=1, mode=NumberSelectorMode.BOX, unit_of_measurement="A"
    )
)
_MARGIN = NumberSelector(
    NumberSelectorConfig(
        min=0, max=50, step=0.5, mode=NumberSelectorMode.BOX, unit_of_measurement="A"
    )
)
_PHASES = SelectSelector(SelectSelectorConfig(options=["1", "3"], translation_key="circuit_phases"))
_FALLBACK = SelectSelector(
    SelectSelectorConfig(
        options=[mode.value for mode in (FallbackMode.PAUSE, FallbackMode.STATIC_SHARE)],
        translation_key="circuit_fallback_mode",
    )
)
_CURRENT_SENSORS = EntitySelector(
    EntitySelectorConfig(domain="sensor", device_class="current", multiple=True)
)
_POWER_SENSOR = EntitySelector(EntitySelectorConfig(domain="sensor", device_class="power"))


def _chargers(hass: HomeAssistant) -> list[SelectOptionDict]:
    """Return the charger entries of this integration, by title."""
    return [
        SelectOptionDict(value=entry.entry_id, label=entry.title)
        for entry in hass.config_entries.async_entries(DOMAIN)
        if entry.data.get(CONF_FAMILY) == FAMILY_CHARGER
    ]


def _charger_select(options: list[SelectOptionDict]) -> SelectSelector:
    return SelectSelector(
        SelectSelectorConfig(options=options, multiple=True, mode=SelectSelectorMode.LIST)
    )


def circuit_schema(hass: HomeAssistant, current: Mapping[str, Any]) -> vol.Schema:
    """Return the circuit form, filled with ``current``."""

    def suggested(key: str) -> dict[str, Any]:
        return {"suggested_value": current.get(key)}

    return vol.Schema(
        {
            vol.Required(CONF_NAME, default=current.get(CONF_NAME, "")): TextSelector(),
            vol.Required(CONF_LIMIT, default=current.get(CONF_LIMIT, 32)): _LIMIT,
            vol.Required(CONF_PHASES, default=str(current.get(CONF_PHASES, "1"))): _PHASES,
            vol.Required(CONF_CHARGERS, default=list(current.get(CONF_CHARGERS, []))): (
                _charger_select(_chargers(hass))
            ),
            vol.Optional(CONF_LOAD_CURRENT, description=suggested(CONF_LOAD_CURRENT)): (
                _CURRENT_SENSORS
            ),
            vol.Optional(CONF_LOAD_POWER, description=suggested(CONF_LOAD_POWER)): _POWER_SENSOR,
            vol.Required(CONF_MARGIN, default=current.get(CONF_MARGIN, DEFAULT_MARGIN)): _MARGIN,
        }
    )


def validate_circuit(
    hass: HomeAssistant, user_input: Mapping[str, Any], own_entry_id: str | None
) -> dict[str, str]:
    """Return the circuit form's errors (translated keys under ``config.error``)."""
    errors: dict[str, str] = {}
    if float(user_input[CONF_MARGIN]) >= float(user_input[CONF_LIMIT]):
        errors[CONF_MARGIN] = "circuit_margin_too_large"
    chargers: list[str] = list(user_input.get(CONF_CHARGERS, []))
    taken = {
        member[MEMBER_ENTRY_ID]
        for entry in hass.config_entries.async_entries(DOMAIN)
        if entry.data.get(CONF_FAMILY) == FAMILY_CIRCUIT and entry.entry_id != own_entry_id
        for member in entry.data.get(CONF_MEMBERS, [])
    }
    if not chargers:
        errors[CONF_CHARGERS] = "circuit_no_members"
    elif taken & set(chargers):
        errors[CONF_CHARGERS] = "circuit_charger_taken"
    elif any(member_coordinator(hass, entry_id) is None for entry_id in chargers):
        errors[CONF_CHARGERS] = "circuit_charger_not_loaded"
    elif any(
        not cast("Any", member_coordinator(hass, entry_id)).data.features.claims
        for entry_id in chargers
    ):
        errors[CONF_CHARGERS] = "circuit_charger_no_claims"
    sensors = list(user_input.get(CONF_LOAD_CURRENT) or [])
    if sensors and len(sensors) not in (1, int(user_input[CONF_PHASES])):
        errors[CONF_LOAD_CURRENT] = "circuit_load_phases"
    if sensors and user_input.get(CONF_LOAD_POWER):
        errors[CONF_LOAD_POWER] = "circuit_load_twice"
    return errors


def phases_schema(
    hass: HomeAssistant, chargers: list[str], current: Mapping[str, str]
) -> vol.Schema:
    """Which phase each member is on; ``current`` maps entry id to its phase so far."""
    options = [o for o in _chargers(hass) if o["value"] in chargers]
    return vol.Schema(
        {
            vol.Optional(
                field, default=[i for i in chargers if current.get(i) == phase]
            ): _charger_select(options)
            for field, phase in PHASE_FIELDS.items()
        }
    )


def read_phases(chargers: list[str], user_input: Mapping[str, Any]) -> dict[str, str] | None:
    """Map each member to its phase; None unless every member is on exactly one choice."""
    chosen: dict[str, str] = {}
    for field, phase in PHASE_FIELDS.items():
        for entry_id in user_input.get(field, []):
            if entry_id in chosen:
                return None
            chosen[entry_id] = phase
    return chosen if set(chosen) == set(chargers) else None


def default_phases(hass: HomeAssistant, chargers: list[str]) -> dict[str, str]:
    """Put a three-phase charger on all phases, the others on phase 1, until the user says."""
    phases: dict[str, str] = {}
    for entry_id in chargers:
        coordinator = member_coordinator(hass, entry_id)
        three = coordinator is not None and bool(coordinator.data.config.is_threephase)
        phases[entry_id] = PHASE_ALL if three else "1"
    return phases


def compute_shares(
    hass: HomeAssistant, data: Mapping[str, Any], mode: FallbackMode
) -> dict[str, int]:
    """Each member's static share under the circuit as set in ``data``."""
    settings = CircuitSettings.from_mapping({**data, CONF_FALLBACK_MODE: mode.value})
    members = [
        read_member(
            member,
            member_coordinator(hass, member.entry_id),
            draw_age_s=0.0,
            confirmed=None,
            commanded=None,
            fallback_amps=0,
        )
        for member in settings.members
    ]
    return static_shares(settings.circuit, members, mode).shares


def consent_schema(mode: str) -> vol.Schema:
    """Return the fallback form: the mode, and the consent to write it to the chargers."""
    return vol.Schema(
        {
            vol.Required(CONF_FALLBACK_MODE, default=mode): _FALLBACK,
            vol.Required(CONF_CONSENT, default=False): BooleanSelector(),
        }
    )


def shares_text(hass: HomeAssistant, shares: Mapping[str, int]) -> str:
    """Return the shares as the consent form lists them."""
    titles = {o["value"]: o["label"] for o in _chargers(hass)}
    return ", ".join(f"{titles.get(i, i)}: {amps} A" for i, amps in shares.items())


class CircuitSteps(ABC):
    """The steps both flows share; ``_finish`` differs (create or update the entry)."""

    hass: HomeAssistant
    _circuit: dict[str, Any]
    _own_entry_id: str | None = None
    _previous: dict[str, dict[str, Any]]

    def _start(self, data: Mapping[str, Any]) -> None:
        self._circuit = dict(data)
        self._previous = dict(data.get(CONF_FALLBACK_PREVIOUS, {}))

    async def _circuit_form(
        self, step_id: str, user_input: dict[str, Any] | None
    ) -> ConfigFlowResult:
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = validate_circuit(self.hass, user_input, self._own_entry_id)
            if not errors:
                self._circuit |= user_input
                self._circuit[CONF_LOAD_CURRENT] = list(user_input.get(CONF_LOAD_CURRENT) or [])
                self._circuit[CONF_LOAD_POWER] = user_input.get(CONF_LOAD_POWER)
                if str(user_input[CONF_PHASES]) == "3":
                    return await self.async_step_circuit_phases()
                self._set_members(dict.fromkeys(user_input[CONF_CHARGERS], "1"))
                return await self.async_step_circuit_consent()
        return self._show(step_id, circuit_schema(self.hass, user_input or self._circuit), errors)

    def _set_members(self, phases: Mapping[str, str]) -> None:
        self._circuit[CONF_MEMBERS] = [
            {MEMBER_ENTRY_ID: entry_id, MEMBER_PHASE: phases[entry_id]}
            for entry_id in self._circuit[CONF_CHARGERS]
        ]

    async def async_step_circuit_phases(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """On a three-phase circuit: which phase each charger is on."""
        chargers: list[str] = list(self._circuit[CONF_CHARGERS])
        errors: dict[str, str] = {}
        if user_input is not None:
            phases = read_phases(chargers, user_input)
            if phases is not None:
                self._set_members(phases)
                return await self.async_step_circuit_consent()
            errors["base"] = "circuit_phase_assignment"
        known = {m[MEMBER_ENTRY_ID]: m[MEMBER_PHASE] for m in self._circuit.get(CONF_MEMBERS, [])}
        current = default_phases(self.hass, chargers) | known
        return self._show("circuit_phases", phases_schema(self.hass, chargers, current), errors)

    async def async_step_circuit_consent(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show the static shares and ask before writing the fallback to the chargers."""
        mode = FallbackMode(
            (user_input or {}).get(CONF_FALLBACK_MODE)
            or self._circuit.get(CONF_FALLBACK_MODE, FallbackMode.PAUSE)
        )
        shares = compute_shares(self.hass, self._circuit, mode)
        errors: dict[str, str] = {}
        if user_input is not None:
            if not user_input[CONF_CONSENT]:
                errors[CONF_CONSENT] = "circuit_consent_required"
            else:
                try:
                    leaving = set(self._previous) - set(shares)
                    await async_release_shares(self.hass, leaving)
                    previous = await async_restore_fallback(
                        self.hass, str(self._circuit[CONF_NAME]), self._previous
                    )
                    previous = await async_apply_fallback(self.hass, mode, shares, previous)
                except HomeAssistantError:
                    errors["base"] = "circuit_fallback_failed"
                else:
                    self._circuit |= {
                        CONF_FALLBACK_MODE: mode.value,
                        CONF_SHARES: shares,
                        CONF_FALLBACK_PREVIOUS: previous,
                    }
                    self._circuit.pop(CONF_CONSENT, None)
                    return self._finish()
        return self._show(
            "circuit_consent",
            consent_schema(mode.value),
            errors,
            placeholders={
                "shares": shares_text(self.hass, shares),
                "limit": str(self._circuit[CONF_LIMIT]),
            },
        )

    # Both flow classes have it (FlowHandler's), with different generic parameters.
    async_show_form: Callable[..., ConfigFlowResult]

    def _show(
        self,
        step_id: str,
        schema: vol.Schema,
        errors: dict[str, str],
        placeholders: dict[str, str] | None = None,
    ) -> ConfigFlowResult:
        return self.async_show_form(
            step_id=step_id,
            data_schema=schema,
            errors=errors,
            description_placeholders=placeholders,
        )

    @abstractmethod
    def _finish(self) -> ConfigFlowResult:
        """Create the entry (config flow) or update it (options flow)."""


class CircuitConfigFlow(CircuitSteps, ConfigFlow):
    """Add a charging circuit (the config flow's "Charging circuit" choice)."""

    async def async_step_circuit(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show the circuit form."""
        if user_input is None:
            if not _chargers(self.hass):
                return self.async_abort(reason="circuit_no_chargers")
            self._start({})
        return await self._circuit_form("circuit", user_input)

    def _finish(self) -> ConfigFlowResult:
        return self.async_create_entry(
            title=str(self._circuit[CONF_NAME]), data={CONF_FAMILY: FAMILY_CIRCUIT} | self._circuit
        )


class CircuitOptionsFlow(CircuitSteps, OptionsFlow):
    """Change any of a circuit's settings; the fallback is written again with consent."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show the circuit form, filled with the circuit as it is."""
        self._start(self.config_entry.data)
        self._own_entry_id = self.config_entry.entry_id
        return await self.async_step_circuit()

    async def async_step_circuit(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Take the changed circuit form."""
        return await self._circuit_form("circuit", user_input)

    def _finish(self) -> ConfigFlowResult:
        entry = self.config_entry
        self.hass.config_entries.async_update_entry(
            entry, title=str(self._circuit[CONF_NAME]), data=self._circuit
        )
        # The settings are the entry's data, not its options: reload for the loop to take them.
        self.hass.config_entries.async_schedule_reload(entry.entry_id)
        return self.async_create_entry(data={})
