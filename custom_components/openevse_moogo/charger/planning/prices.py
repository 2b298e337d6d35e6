"""Where a plan's prices come from: the chosen price entity, or the action behind it.

Integrations that publish their prices as attributes (Nord Pool from HACS, ENTSO-e, Energi Data
Service, Octopus Energy, the generic ``prices`` list) are read from the entity's state. The core
integrations that publish only the current price on the entity and the rest through an action
(core Nord Pool: ``nordpool.get_prices_for_date``; Tibber: ``tibber.get_prices``) are asked
through that action; both reach the vendor's servers, so the answer is kept and asked again
only when it is old or lacks tomorrow's prices at a time they may have arrived.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Final

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util

from ..plan import (
    PriceError,
    PriceSlot,
    PricesUnavailableError,
    UnknownPriceFormatError,
    merge_series,
    parse_price_entity,
    parse_price_response,
)

NORDPOOL: Final = "nordpool"
TIBBER: Final = "tibber"
# Core Nord Pool answers in 15-minute products since the day-ahead market moved to them.
NORDPOOL_RESOLUTION: Final = 15
# An action's answer is asked again after this long, or sooner when tomorrow is missing and
# the day-ahead auction may have published it (results come out around noon in Europe).
ACTION_MAX_AGE: Final = timedelta(hours=6)
ACTION_RETRY: Final = timedelta(minutes=30)
TOMORROW_EXPECTED_HOUR: Final = 12


class PriceSource:
    """Read the slots of one price entity, by its attributes or through its integration's action."""

    def __init__(self, hass: HomeAssistant, entity_id: str) -> None:
        """Remember the entity; nothing is read yet."""
        self._hass = hass
        self.entity_id = entity_id
        self._cached: list[PriceSlot] | None = None
        self._fetched: datetime | None = None

    async def async_read(self) -> list[PriceSlot]:
        """Return the known slots, sorted; raise a :class:`..plan.PriceError` when unreadable."""
        state = self._hass.states.get(self.entity_id)
        if state is None:
            raise PricesUnavailableError(f"{self.entity_id} does not exist")
        try:
            return list(parse_price_entity(state.state, state.attributes).slots)
        except UnknownPriceFormatError:
            entry = er.async_get(self._hass).async_get(self.entity_id)
            if entry is None or entry.platform not in (NORDPOOL, TIBBER):
                raise
            return await self._async_from_action(entry)

    async def _async_from_action(self, entry: er.RegistryEntry) -> list[PriceSlot]:
        now = dt_util.utcnow()
        cached, fetched = self._cached, self._fetched
        if cached is not None and fetched is not None and not _stale(cached, fetched, now):
            return cached
        if entry.platform == NORDPOOL:
            slots = await self._async_nordpool(entry)
        else:
            slots = await self._async_tibber()
        self._cached, self._fetched = slots, now
        return slots

    async def _async_nordpool(self, entry: er.RegistryEntry) -> list[PriceSlot]:
        """Today's and tomorrow's prices; tomorrow is simply absent before the auction."""
        today = dt_util.now().date()
        area = (entry.unique_id or "").split("-")[0] or None
        series = [await self._async_nordpool_day(entry, today, area, required=True)]
        series.append(
            await self._async_nordpool_day(entry, today + timedelta(days=1), area, required=False)
        )
        return merge_series(*series)

    async def _async_nordpool_day(
        self, entry: er.RegistryEntry, day: date, area: str | None, *, required: bool
    ) -> list[PriceSlot]:
        try:
            response = await self._hass.services.async_call(
                NORDPOOL,
                "get_prices_for_date",
                {
                    "config_entry": entry.config_entry_id,
                    "date": day.isoformat(),
                    "resolution": NORDPOOL_RESOLUTION,
                },
                blocking=True,
                return_response=True,
            )
            response = response or {}
            choose = area if area is not None and len(response) > 1 else None
            return list(parse_price_response(response, choose=choose).slots)
        except (HomeAssistantError, PriceError) as err:
            if required:
                raise PricesUnavailableError(f"nordpool.get_prices_for_date: {err}") from err
            return []  # tomorrow's prices are not out yet

    async def _async_tibber(self) -> list[PriceSlot]:
        try:
            response = await self._hass.services.async_call(
                TIBBER, "get_prices", {}, blocking=True, return_response=True
            )
        except HomeAssistantError as err:
            raise PricesUnavailableError(f"tibber.get_prices: {err}") from err
        return list(parse_price_response(response or {}).slots)


def _stale(cached: list[PriceSlot], fetched: datetime, now: datetime) -> bool:
    """Whether an action's answer is to be asked again: old, or tomorrow may be out now."""
    age = now - fetched
    if age >= ACTION_MAX_AGE:
        return True
    local = dt_util.as_local(now)
    tomorrow_end = dt_util.start_of_local_day(local.date() + timedelta(days=2))
    known_until = cached[-1].end if cached else None
    missing_tomorrow = known_until is None or known_until < tomorrow_end
    return missing_tomorrow and local.hour >= TOMORROW_EXPECTED_HOUR and age >= ACTION_RETRY
