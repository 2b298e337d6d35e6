"""Writing the fallback to the member chargers once, and putting their settings back.

This is the one place the circuit writes a charger's stored settings (its EEPROM), and only
with the user's consent in the config flow: never in the loop. ``PAUSE`` sets the charger's
``default_state`` to disabled, so a charger that restarted without our claim waits paused;
``STATIC_SHARE`` lowers its soft maximum to its static share (a share of 0 pauses it as
``PAUSE`` does). What each charger had before is kept in the circuit's entry and written
back when the circuit is removed or the charger leaves it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextlib import suppress
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir

from ...charger.const import REQUEST_TIMEOUT
from ...charger.coordinator import ChargerCoordinator
from ...const import DOMAIN, LOGGER
from ..fallback import FallbackMode
from .const import ISSUE_FALLBACK_RESTORE
from .members import member_coordinator

type Previous = dict[str, dict[str, Any]]


def fallback_values(mode: FallbackMode, share: int) -> dict[str, Any]:
    """Return the charger settings that hold the fallback for one member."""
    if mode is FallbackMode.STATIC_SHARE and share > 0:
        return {"max_current_soft": share}
    return {"default_state": False}


async def _write(coordinator: ChargerCoordinator, values: Mapping[str, Any]) -> None:
    await coordinator.async_command(
        lambda client: client.set_config(values, request_timeout=REQUEST_TIMEOUT)
    )


async def async_apply_fallback(
    hass: HomeAssistant, mode: FallbackMode, shares: Mapping[str, int], previous: Previous
) -> Previous:
    """Write every member's fallback; return what each had before (``previous`` kept).

    Every original is read before anything is written, and a charger refusing its write puts
    back the ones already written, so a failed attempt leaves the chargers as they were.
    Raises HomeAssistantError (translated) when a charger is not loaded or refuses the write.
    """
    kept: Previous = dict(previous)
    writes: list[tuple[ChargerCoordinator, dict[str, Any], dict[str, Any]]] = []
    for member_id, share in shares.items():
        coordinator = member_coordinator(hass, member_id)
        if coordinator is None:
            raise HomeAssistantError(
                translation_domain=DOMAIN, translation_key="circuit_charger_not_loaded"
            )
        values = fallback_values(mode, share)
        config = coordinator.data.config.raw
        original = kept.get(member_id, {})
        kept[member_id] = {key: original.get(key, config.get(key)) for key in values} | {
            key: value for key, value in original.items() if key not in values
        }
        before = {key: config.get(key) for key in values if config.get(key) is not None}
        writes.append((coordinator, values, before))
    done: list[tuple[ChargerCoordinator, dict[str, Any]]] = []
    try:
        for coordinator, values, before in writes:
            await _write(coordinator, values)
            done.append((coordinator, before))
    except HomeAssistantError:
        for coordinator, before in done:
            with suppress(HomeAssistantError):
                await _write(coordinator, before)
        raise
    return kept


async def async_restore_fallback(hass: HomeAssistant, title: str, previous: Previous) -> Previous:
    """Put back what the fallback replaced; return what could not be (with a repair issue)."""
    left: Previous = {}
    for member_id, values in previous.items():
        writable = {key: value for key, value in values.items() if value is not None}
        coordinator = member_coordinator(hass, member_id)
        try:
            if coordinator is not None and writable:
                await _write(coordinator, writable)
        except HomeAssistantError as err:
            LOGGER.warning("Could not put back the settings of charger %s: %s", member_id, err)
            coordinator = None
        if coordinator is None:
            entry = hass.config_entries.async_get_entry(member_id)
            ir.async_create_issue(
                hass,
                DOMAIN,
                f"{ISSUE_FALLBACK_RESTORE}_{member_id}",
                is_fixable=False,
                severity=ir.IssueSeverity.WARNING,
                translation_key=ISSUE_FALLBACK_RESTORE,
                translation_placeholders={
                    "charger": entry.title if entry is not None else member_id,
                    "circuit": title,
                    "settings": ", ".join(f"{k}={v}" for k, v in writable.items()),
                },
            )
            left[member_id] = values
    return left


async def async_release_shares(hass: HomeAssistant, member_ids: Iterable[str]) -> None:
    """Drop the circuit's share (and pause) from the claims of chargers leaving the circuit."""
    for member_id in member_ids:
        coordinator = member_coordinator(hass, member_id)
        if coordinator is None:
            continue  # its claims went with its restart, or go when it is set up again
        try:
            await coordinator.async_set_own_claim(state=None, max_current=None)
        except HomeAssistantError as err:
            LOGGER.warning("Could not release the circuit's share on %s: %s", member_id, err)
