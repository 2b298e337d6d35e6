"""Fix flows of the integration's repair issues, handed to the family that raised the issue."""

from __future__ import annotations

from homeassistant.components.repairs import RepairsFlow
from homeassistant.core import HomeAssistant

from .pump.const import ISSUE_TIME_ZONE
from .pump.repairs import PumpTimeZoneRepairFlow


async def async_create_fix_flow(
    hass: HomeAssistant,
    issue_id: str,
    data: dict[str, str | int | float | None] | None,
) -> RepairsFlow:
    """Create the fix flow of a fixable issue (only the pump time zone issue is fixable)."""
    if issue_id.startswith(ISSUE_TIME_ZONE):
        return PumpTimeZoneRepairFlow(data)
    raise ValueError(f"No fix flow for the issue {issue_id}")
