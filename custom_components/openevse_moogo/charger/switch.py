"""Charger switches: charging (pause/resume through our own claim), solar divert, shaper.

"Allow charging" never touches the charger's own manual override or schedule: it holds our own
claim (priority 500). Off asks the charger to pause; on releases our pause and, only when something
of lower priority (schedule, solar divert in eco mode, "start disabled") still holds it paused,
asks it to charge. The claim is released automatically when the car is unplugged, so the
charger's own rules apply again to the next session. The charger's manual override (its web UI
or button) outranks us; while it decides, the switch refuses with an explanation. Other services
of the charger outrank us too (RFID, OCPP, a charge limit, an error): when the charger's answer
shows one of them still decides, the switch says which; our claim stays and applies once it
lets go. The charge plan shares our claim: it sets the state at its boundaries only, so a change
made here while the plan is on stands until the plan's next boundary (``planning/controller.py``).

Solar divert off is refused while a timer window of the development branch's firmware holds eco
(divert's claim at priority 900): the firmware answers the request as usual and ignores it
(master divert.cpp setMode), so the switch would flip back without a word.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final, override

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..clients.openevse import OpenEVSEError
from ..clients.openevse.models import ChargeState, DivertMode
from ..const import DOMAIN
from ..errors import action_error
from .const import REQUEST_TIMEOUT
from .controllers import (
    DIVERT_CLIENT,
    TIMER_FEATURE_PRIORITY,
    async_controller_name,
    controller_option,
)
from .coordinator import ChargerCoordinator
from .data import ChargerData
from .entity import ChargerEntity, async_add_supported
from .errors import CHARGER_ERRORS
from .planning.entities import async_setup_plan_switches
from .runtime import ChargerConfigEntry


@dataclass(frozen=True, kw_only=True)
class ChargerSwitchDescription(SwitchEntityDescription):
    """How one charger switch reads and sets its state."""

    is_on_fn: Callable[[ChargerData], bool | None]
    set_fn: Callable[[ChargerCoordinator, bool], Awaitable[None]]
    exists_fn: Callable[[ChargerData], bool] = lambda _: True


def _charging_allowed(data: ChargerData) -> bool | None:
    """Whether the charger may charge: its manager state after every claim is resolved."""
    status = data.status.manager_status
    return None if status is None else status is ChargeState.ACTIVE


async def _set_charging(coordinator: ChargerCoordinator, allow: bool) -> None:
    wanted = ChargeState.ACTIVE if allow else ChargeState.DISABLED
    override_state = coordinator.data.override.state if coordinator.data.override else None
    if override_state is not None and override_state is not wanted:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="charger_override_in_force",
            translation_placeholders={"state": override_state.value},
        )
    coordinator.check_request(active=allow)
    if not allow:
        await coordinator.async_set_own_claim(state=ChargeState.DISABLED.value)
    else:
        own = coordinator.data.own_claim
        if own is not None and own.state is ChargeState.DISABLED:
            await coordinator.async_set_own_claim(state=None)
        if (await coordinator.async_read_claim_target()).properties.state is ChargeState.ACTIVE:
            return
        await coordinator.async_set_own_claim(state=ChargeState.ACTIVE.value)
    # Our claim is in place; whether it decides is the charger's answer, not our guess.
    target = await coordinator.async_read_claim_target()
    if target.properties.state is not wanted:
        owner = controller_option(target.owners.get("state"), coordinator.data.own_client_id)
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="charger_outranked",
            translation_placeholders={
                "controller": await async_controller_name(coordinator.hass, owner)
            },
        )


async def _timer_holds_divert(coordinator: ChargerCoordinator) -> bool:
    """Whether a timer window holds eco: divert's claim sits at the timer-feature priority."""
    try:
        claims = await coordinator.client.get_claims(request_timeout=REQUEST_TIMEOUT)
    except (OpenEVSEError, TimeoutError) as err:
        raise action_error(err, CHARGER_ERRORS) from err
    return any(
        claim.client_id == DIVERT_CLIENT and claim.priority == TIMER_FEATURE_PRIORITY
        for claim in claims
    )


async def _set_divert(coordinator: ChargerCoordinator, eco: bool) -> None:
    mode = DivertMode.ECO if eco else DivertMode.FAST
    data = coordinator.data
    if (
        not eco
        and data.features.claims
        and data.status.divert_mode is DivertMode.ECO
        and await _timer_holds_divert(coordinator)
    ):
        raise HomeAssistantError(
            translation_domain=DOMAIN, translation_key="charger_timer_holds_divert"
        )
    await coordinator.async_command(
        lambda client: client.set_divert_mode(mode, request_timeout=REQUEST_TIMEOUT)
    )


async def _set_shaper(coordinator: ChargerCoordinator, enabled: bool) -> None:
    await coordinator.async_command(
        lambda client: client.set_current_shaper(enabled, request_timeout=REQUEST_TIMEOUT)
    )


SWITCHES: Final[tuple[ChargerSwitchDescription, ...]] = (
    ChargerSwitchDescription(
        key="charging_enabled",
        translation_key="charging_enabled",
        is_on_fn=_charging_allowed,
        set_fn=_set_charging,
        exists_fn=lambda data: data.features.claims,
    ),
    ChargerSwitchDescription(
        key="solar_divert",
        translation_key="solar_divert",
        is_on_fn=lambda data: (
            None if data.status.divert_mode is None else data.status.divert_mode is DivertMode.ECO
        ),
        set_fn=_set_divert,
        exists_fn=lambda data: data.features.solar_divert,
    ),
    ChargerSwitchDescription(
        key="current_shaper",
        translation_key="current_shaper",
        is_on_fn=lambda data: data.status.shaper_enabled,
        set_fn=_set_shaper,
        exists_fn=lambda data: data.features.current_shaper,
    ),
)


class ChargerSwitch(ChargerEntity, SwitchEntity):
    """A charger switch driven by its description."""

    entity_description: ChargerSwitchDescription

    @property
    @override
    def is_on(self) -> bool | None:
        """The switch's state from the latest snapshot."""
        return self.entity_description.is_on_fn(self.data)

    @override
    def _render_inputs(self) -> tuple[object, ...]:
        return (self.is_on,)

    @override
    async def async_turn_on(self, **kwargs: Any) -> None:
        """Turn on."""
        await self.entity_description.set_fn(self.coordinator, True)

    @override
    async def async_turn_off(self, **kwargs: Any) -> None:
        """Turn off."""
        await self.entity_description.set_fn(self.coordinator, False)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ChargerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the switches this charger supports."""
    async_add_supported(entry, async_add_entities, ChargerSwitch, SWITCHES)
    await async_setup_plan_switches(hass, entry, async_add_entities)
