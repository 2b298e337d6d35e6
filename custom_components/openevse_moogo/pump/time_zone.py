"""Finding pumps whose cloud settings hold no IANA time zone, and raising their repair issue.

Some pumps report an empty or POSIX time zone (``CET-1CEST,M3.5.0,M10.5.0/3``); the cloud then
refuses every settings write until an IANA name is written. Each settings read (on the
coordinator's own cadence) is checked; a pump with such a zone gets a fixable repair issue of its
own, removed once its zone is an IANA name, when it leaves the account or the entry unloads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from ..clients.moogo import (
    MoogoValidationError,
    iana_time_zone_name,
)
from ..const import DOMAIN
from .const import ISSUE_TIME_ZONE

if TYPE_CHECKING:
    from .coordinator import PumpCoordinator
    from .data import PumpData
    from .runtime import PumpConfigEntry

# Keys of the issue's data, read back by the fix flow.
ISSUE_DATA_ENTRY_ID = "entry_id"
ISSUE_DATA_PUMP_ID = "pump_id"


def time_zone_issue_id(pump_id: str) -> str:
    """Return the id of a pump's time zone repair issue."""
    return f"{ISSUE_TIME_ZONE}_{pump_id}"


@callback
def time_zone_needs_repair(hass: HomeAssistant, pump_id: str) -> bool:
    """Whether the pump's time zone repair issue is open."""
    issue = ir.async_get(hass).async_get_issue(DOMAIN, time_zone_issue_id(pump_id))
    return issue is not None


def _is_iana(zone: str | None) -> bool:
    """Tell whether the cloud accepts the zone, by the client's rule (may read the zone files)."""
    if not zone:
        return False
    try:
        iana_time_zone_name(zone)
    except MoogoValidationError:
        return False
    return True


@callback
def async_watch_time_zones(
    hass: HomeAssistant, entry: PumpConfigEntry, coordinator: PumpCoordinator
) -> None:
    """Check each pump's time zone whenever a settings read brings a new one."""
    checked: dict[str, str | None] = {}  # pump id -> the zone last checked

    async def _judge(pump: PumpData, zone: str | None) -> None:
        valid = await hass.async_add_executor_job(_is_iana, zone)
        if pump.device_id not in checked or checked[pump.device_id] != zone:
            return  # a newer zone arrived meanwhile; its own check decides
        issue_id = time_zone_issue_id(pump.device_id)
        if valid:
            ir.async_delete_issue(hass, DOMAIN, issue_id)
            return
        ir.async_create_issue(
            hass,
            DOMAIN,
            issue_id,
            is_fixable=True,
            is_persistent=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=ISSUE_TIME_ZONE,
            translation_placeholders={
                "name": pump.name,
                "zone": zone or "",
                "home_zone": hass.config.time_zone,
            },
            data={ISSUE_DATA_ENTRY_ID: entry.entry_id, ISSUE_DATA_PUMP_ID: pump.device_id},
        )

    @callback
    def _check() -> None:
        pumps = coordinator.data.pumps
        for pump_id in [pump_id for pump_id in checked if pump_id not in pumps]:
            del checked[pump_id]
            ir.async_delete_issue(hass, DOMAIN, time_zone_issue_id(pump_id))
        for pump_id, pump in pumps.items():
            if pump.config is None:
                continue
            zone = pump.config.time_zone
            if pump_id in checked and checked[pump_id] == zone:
                continue
            checked[pump_id] = zone
            entry.async_create_task(hass, _judge(pump, zone), f"moogo time zone {pump_id}")

    @callback
    def _forget() -> None:
        for pump_id in checked:
            ir.async_delete_issue(hass, DOMAIN, time_zone_issue_id(pump_id))
        checked.clear()

    _check()
    entry.async_on_unload(coordinator.async_add_listener(_check))
    entry.async_on_unload(_forget)
