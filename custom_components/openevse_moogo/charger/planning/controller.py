"""The plan loop of one charger: plan, carry it out through our claim, keep it across restarts.

Re-planned when prices arrive (the price entity changes), the car is plugged in or out, its
state of charge or measured power changes, a setting changes, and at each of the plan's
boundaries. Carried out by our own claim's ``state`` (active inside a planned run, disabled
outside; priority 500, never written to EEPROM), changed only when the plan's wanted state
changes: a hand-made change of the Charging switch therefore stands until the plan's next
boundary. Who wins, from the top: the charger's own services above us (limit, OCPP, RFID,
errors), its manual override, our claim (the plan, or the Charging switch until the next
boundary), the charger's schedule, its default. The "controlled by" sensors show which. On a
charging circuit the plan asks the circuit's guard first, as the switch does: the last of the
two decides our claim's state, the circuit its current (and the plan plans with that share).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Final

from homeassistant.core import (
    CALLBACK_TYPE,
    Event,
    EventStateChangedData,
    HomeAssistant,
    callback,
)
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.event import (
    async_track_point_in_utc_time,
    async_track_state_change_event,
    async_track_time_interval,
)
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from ...clients.openevse.models import ChargeState, EvseState
from ...const import DOMAIN, LOGGER
from ..const import CONF_MIN_RUN, CONF_PRICE_CEILING, CONF_PRICE_ENTITY, DEFAULT_MIN_RUN_MINUTES
from ..coordinator import ChargerCoordinator
from ..data import ChargerData
from ..plan import ChargePlan, PlanStatus, PriceError, plan_charge, plan_status
from ..session_events import CHARGER_EVENT, EVENT_PLAN_COMPLETED, EVENT_PLAN_STARTED
from .prices import PriceSource
from .settings import PlanSettings
from .stored import PlanMemory

STORE_VERSION: Final = 1
# The charger stays available this long before departure when "preconditioning" is on.
PRECONDITION_LEAD: Final = timedelta(minutes=30)
# Re-plan at least this often: the session's progress, an action's prices, a departure passing.
REFRESH_INTERVAL: Final = timedelta(minutes=15)
RETRY_APPLY: Final = timedelta(minutes=1)
# The car's power is learnt from samples above this (below: ramping up or topping off).
MIN_MEASURED_W: Final = 300.0
LEARN_WEIGHT: Final = 0.2  # weight of a new sample in the learnt power
POWER_CHANGE: Final = 0.1  # re-plan when the learnt power moves this share away from the plan's
DEFAULT_VOLTAGE: Final = 230.0
SAVE_DELAY: Final = 1.0


class PlanController:
    """One charger's charge plan: its settings, the plan, and carrying it out."""

    def __init__(
        self, hass: HomeAssistant, coordinator: ChargerCoordinator, options: dict[str, Any]
    ) -> None:
        """Prepare the loop; :meth:`async_start` loads what was stored and starts it."""
        self._hass = hass
        self._coordinator = coordinator
        entry = coordinator.config_entry
        self._entry = entry
        entity_id = options.get(CONF_PRICE_ENTITY)
        self._source = PriceSource(hass, entity_id) if entity_id else None
        ceiling = options.get(CONF_PRICE_CEILING)
        self._ceiling = float(ceiling) if ceiling is not None else None
        self._min_run = timedelta(minutes=float(options.get(CONF_MIN_RUN, DEFAULT_MIN_RUN_MINUTES)))
        self._store: Store[dict[str, Any]] = Store(
            hass, STORE_VERSION, f"{DOMAIN}.plan.{entry.entry_id}"
        )
        self._memory = PlanMemory()
        self.status: PlanStatus = PlanStatus.OFF
        self.power_kw: float | None = None
        self.power_share_kw: float | None = None
        self.price_error: str | None = None
        self._listeners: list[Callable[[], None]] = []
        self._unsubscribe: list[CALLBACK_TYPE] = []
        self._timer: CALLBACK_TYPE | None = None
        self._fingerprint: tuple[object, ...] | None = None
        self._task: asyncio.Task[None] | None = None
        self._read_prices = False
        self._again = False
        self._force_apply = False
        self._previous: ChargerData = coordinator.data

    # --- what the entities read ------------------------------------------------------------

    @property
    def settings(self) -> PlanSettings:
        """The plan's settings as the entities show them."""
        return self._memory.settings

    @property
    def plan(self) -> ChargePlan | None:
        """The plan in force; None while the plan is off."""
        return self._memory.plan

    @property
    def planned_slots(self) -> list[tuple[datetime, datetime]]:
        """The planned runs still to come or running, as (start, end) in UTC (for a calendar)."""
        plan, now = self._memory.plan, dt_util.utcnow()
        if plan is None:
            return []
        return [(run.start, run.end) for run in plan.intervals if run.end > now]

    def diagnostics(self) -> dict[str, Any]:
        """Return what support needs to see why the plan acts as it does (nothing personal)."""
        memory = self._memory
        return {
            "status": str(self.status),
            "settings": memory.settings.as_dict(),
            "power_kw": self.power_kw,
            "learned_power_kw": memory.learned_power_kw,
            "power_share_kw": self.power_share_kw,
            "applied": memory.applied,
            "price_error": self.price_error,
            "prices_known": len(memory.prices),
            "prices_until": memory.prices[-1].end.isoformat() if memory.prices else None,
            "slots": [[start.isoformat(), end.isoformat()] for start, end in self.planned_slots],
        }

    @callback
    def async_add_listener(self, listener: Callable[[], None]) -> CALLBACK_TYPE:
        """Call ``listener`` after every re-plan; returns the function that removes it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    # --- lifecycle -------------------------------------------------------------------------

    async def async_start(self) -> None:
        """Restore what was stored, follow the charger and the prices, plan once."""
        stored = await self._store.async_load()
        if stored is not None:
            self._memory = PlanMemory.from_dict(stored)
        self.status = self._status(dt_util.utcnow())
        self._unsubscribe.append(self._coordinator.async_add_listener(self._on_charger))
        if self._source is not None:
            self._unsubscribe.append(
                async_track_state_change_event(self._hass, self._source.entity_id, self._on_prices)
            )
        self._unsubscribe.append(
            async_track_time_interval(self._hass, self._on_refresh, REFRESH_INTERVAL)
        )
        self._request(read_prices=True)

    async def async_stop(self) -> None:
        """Stop following everything (the entry unloads) and store the plan at once."""
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        self._cancel_timer()
        if self._task is not None:
            self._task.cancel()
        await self._store.async_save(self._memory.as_dict())

    async def async_wait_idle(self) -> None:
        """Wait until the running update (if any) finished (tests and actions rely on it)."""
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)

    # --- inputs ----------------------------------------------------------------------------

    async def async_update_settings(self, **changes: Any) -> None:
        """Change settings (from an entity or action) and re-plan at once."""
        before = self._memory.settings
        self._memory.settings = before.changed(**changes)
        if before.enabled != self._memory.settings.enabled:
            self._force_apply = True
        self._request(read_prices=False)
        await self.async_wait_idle()

    async def async_set_power_share(self, power_kw: float | None) -> None:
        """Cap the plan's power at the circuit's share for this charger in kW (None: no circuit)."""
        self.power_share_kw = power_kw
        self._request(read_prices=False)
        await self.async_wait_idle()

    @callback
    def _on_prices(self, _event: Event[EventStateChangedData]) -> None:
        self._request(read_prices=True)

    @callback
    def _on_refresh(self, _now: datetime) -> None:
        self._request(read_prices=True)

    @callback
    def _on_boundary(self, _now: datetime) -> None:
        self._timer = None
        self._request(read_prices=False)

    @callback
    def _on_charger(self) -> None:
        """Follow the charger: learn the car's power, re-plan when what the plan uses moved."""
        data, old = self._coordinator.data, self._previous
        self._previous = data
        if (
            data.status.vehicle_connected != old.status.vehicle_connected
            or data.boot_time != old.boot_time
        ):
            # The charger drops our auto-release claim at unplug and all claims at a reboot.
            self._force_apply = True
        self._learn(data)
        fingerprint = self._fingerprint_of(data)
        if fingerprint != self._fingerprint:
            self._request(read_prices=data.status.vehicle_connected != old.status.vehicle_connected)

    def _learn(self, data: ChargerData) -> None:
        power = data.status.charging_power
        if data.status.state is not EvseState.CHARGING or power is None:
            return
        if power < MIN_MEASURED_W:
            return
        sample = power / 1000
        learned = self._memory.learned_power_kw
        self._memory.learned_power_kw = (
            sample if learned is None else learned + LEARN_WEIGHT * (sample - learned)
        )

    def _fingerprint_of(self, data: ChargerData) -> tuple[object, ...]:
        """Return what the plan uses from the charger, coarse enough not to re-plan each delta."""
        soc = data.status.vehicle_soc
        power = self._power(data)
        used = self.power_kw or power
        return (
            data.status.vehicle_connected,
            None if soc is None else round(soc),
            data.status.state is EvseState.CHARGING,
            self._energy_wanted(data) <= 0,
            round(power / used / POWER_CHANGE) if used else None,
        )

    # --- the update: read, plan, carry out, remember ---------------------------------------

    @callback
    def _request(self, *, read_prices: bool) -> None:
        """Run an update soon; updates never overlap, a request during one runs one more."""
        self._read_prices |= read_prices
        if self._task is not None and not self._task.done():
            self._again = True
            return
        self._task = self._entry.async_create_background_task(
            self._hass, self._async_run(), f"openevse plan {self._entry.title}"
        )

    async def _async_run(self) -> None:
        while True:
            self._again = False
            read, self._read_prices = self._read_prices, False
            await self._async_update(read_prices=read)
            if not self._again:
                return

    async def _async_update(self, *, read_prices: bool) -> None:
        if read_prices and self._source is not None:
            try:
                prices = await self._source.async_read()
            except PriceError as err:
                # Known prices stay valid: keep planning with them and say what went wrong.
                if self.price_error != str(err):
                    LOGGER.warning("Charge plan of %s: prices not read: %s", self._entry.title, err)
                self.price_error = str(err)
            else:
                self.price_error = None
                now = dt_util.utcnow()
                self._memory.prices = [slot for slot in prices if slot.end > now]
        now = dt_util.utcnow()
        self._replan(now)
        applied = await self._async_apply(now)
        self._announce(now)
        self._schedule(now, retry=not applied)
        self._store.async_delay_save(self._memory.as_dict, SAVE_DELAY)
        for listener in list(self._listeners):
            listener()

    def _departure(self, now: datetime) -> datetime:
        """Return the next departure: the one-off one while it is ahead, else the daily time."""
        settings = self._memory.settings
        if settings.one_off_departure is not None:
            if settings.one_off_departure > now:
                return settings.one_off_departure.astimezone(dt_util.UTC)
            self._memory.settings = settings.changed(one_off_departure=None)
        zone = dt_util.get_default_time_zone()
        today = dt_util.as_local(now).date()
        for day in (today, today + timedelta(days=1), today + timedelta(days=2)):
            moment = datetime.combine(day, self._memory.settings.departure, tzinfo=zone)
            if moment > now:
                return moment.astimezone(dt_util.UTC)
        raise AssertionError("a daily time always lies within two days")  # pragma: no cover

    def _energy_wanted(self, data: ChargerData) -> float:
        """Return the energy (kWh) still to add.

        Up to the target SoC when the SoC and the capacity are known, else the target energy
        less what this plan cycle has charged.
        """
        settings = self._memory.settings
        soc = data.status.vehicle_soc
        if soc is not None and settings.battery_capacity_kwh:
            return max(0.0, (settings.target_soc - soc) / 100 * settings.battery_capacity_kwh)
        return max(0.0, settings.target_energy_kwh - self._charged_kwh(data))

    def _charged_kwh(self, data: ChargerData) -> float:
        session = data.status.session_energy or 0.0
        if not data.status.vehicle_connected:
            return 0.0  # the next session starts from nothing
        return max(0.0, session - self._memory.baseline_wh) / 1000

    def _power(self, data: ChargerData) -> float:
        """Return the power the car draws in kW: learnt, at most what the charger allows."""
        status = data.status
        amps = status.max_current or status.pilot or data.config.max_current_hard or 32
        phases = 3 if data.config.is_threephase else 1
        allowed = (status.voltage or DEFAULT_VOLTAGE) * amps * phases / 1000
        learned = self._memory.learned_power_kw
        power = allowed if learned is None else min(learned, allowed)
        if self.power_share_kw is not None:
            power = min(power, max(0.0, self.power_share_kw))
        return power

    def _replan(self, now: datetime) -> None:
        memory, data = self._memory, self._coordinator.data
        if not memory.settings.enabled:
            memory.plan, self.power_kw = None, None
            self.status = PlanStatus.OFF
            self._fingerprint = self._fingerprint_of(data)
            return
        departure = self._departure(now)
        if memory.cycle_departure != departure:
            if memory.cycle_departure is not None and memory.cycle_departure <= now:
                # The previous departure passed with the car still plugged in: a new cycle.
                memory.baseline_wh = data.status.session_energy or 0.0
            memory.cycle_departure = departure
        session = data.status.session_energy or 0.0
        if not data.status.vehicle_connected or session < memory.baseline_wh:
            memory.baseline_wh = 0.0  # a new session (the charger restarts its count)
        wanted = self._energy_wanted(data)
        minimum = max(0.0, memory.settings.minimum_kwh - self._charged_kwh(data))
        self.power_kw = self._power(data)
        memory.plan = plan_charge(
            memory.prices,
            now=now,
            departure=departure,
            energy_kwh=wanted,
            power_kw=self.power_kw,
            minimum_now_kwh=min(minimum, wanted),
            price_ceiling=self._ceiling,
            mode=memory.settings.mode,
            min_run=self._min_run,
            precondition=PRECONDITION_LEAD if memory.settings.precondition else None,
        )
        self._fingerprint = self._fingerprint_of(data)
        self.status = self._status(now)

    def _status(self, now: datetime) -> PlanStatus:
        if not self._memory.settings.enabled:
            return PlanStatus.OFF
        data = self._coordinator.data
        charging = data.status.state is EvseState.CHARGING
        status = plan_status(self._memory.plan, now, car_charging=charging)
        if status is PlanStatus.CHARGING and not data.status.vehicle_connected:
            return PlanStatus.WAITING  # a run planned for a car not plugged in yet
        return status

    def _wanted_state(self, now: datetime) -> ChargeState | None:
        """Our claim's state the plan wants now; None: the plan leaves it alone (plan off)."""
        memory = self._memory
        if not memory.settings.enabled:
            return None
        plan = memory.plan
        if plan is None:
            return ChargeState.DISABLED
        if plan.interval_at(now) is not None:
            return ChargeState.ACTIVE
        if plan.available_from is not None and plan.available_from <= now < plan.departure:
            return ChargeState.ACTIVE
        return ChargeState.DISABLED

    async def _async_apply(self, now: datetime) -> bool:
        """Set our claim's state when the plan's wanted state changed (or the claim was lost).

        Returns False when the charger refused or could not be reached (tried again soon).
        """
        if not self._coordinator.data.features.claims:
            return True
        wanted = self._wanted_state(now)
        applied = self._memory.applied
        wanted_value = None if wanted is None else wanted.value
        if wanted_value == applied and not self._force_apply:
            return True
        if wanted is None and applied is None:
            self._force_apply = False
            return True  # the plan never held the claim: nothing of ours to give back
        try:
            # Through the same guard as the Charging switch: on a charging circuit the last of
            # the two to ask decides our claim's state, the circuit only its current.
            self._coordinator.check_request(active=wanted is not ChargeState.DISABLED)
        except ServiceValidationError:
            # The circuit gives this charger no current now: it lifted the plan's pause and
            # starts the car when it has current for it. Nothing more of ours to set.
            self._memory.applied = wanted_value
            self._force_apply = False
            return True
        try:
            await self._coordinator.async_set_own_claim(state=wanted_value)
        except HomeAssistantError as err:
            LOGGER.warning("Charge plan of %s: claim not set: %s", self._entry.title, err)
            return False
        self._memory.applied = wanted_value
        self._force_apply = False
        return True

    def _announce(self, now: datetime) -> None:
        """Fire the Charging session event's plan start and completion (once per departure)."""
        plan, memory = self._memory.plan, self._memory
        data = self._coordinator.data
        if plan is None or not data.status.vehicle_connected:
            return
        key = plan.departure.isoformat()
        if plan.interval_at(now) is not None and memory.announced.get("started") != key:
            memory.announced["started"] = key
            self._fire(
                EVENT_PLAN_STARTED,
                energy=round(plan.energy_kwh, 3),
                cost=round(plan.cost, 4),
                departure=key,
            )
        if (
            self.status is PlanStatus.DONE
            and memory.announced.get("started") == key
            and memory.announced.get("completed") != key
        ):
            memory.announced["completed"] = key
            self._fire(
                EVENT_PLAN_COMPLETED,
                energy=round(self._charged_kwh(data), 3),
                departure=key,
            )

    def _fire(self, happening: str, **extra: object) -> None:
        data = self._coordinator.data
        device = dr.async_get(self._hass).async_get_device_by_identifier(
            (DOMAIN, data.serial), self._entry.entry_id
        )
        if device is None:
            return
        event_data: dict[str, object] = {"device_id": device.id, "type": happening} | extra
        self._hass.bus.async_fire(CHARGER_EVENT, event_data)

    def _schedule(self, now: datetime, *, retry: bool) -> None:
        """Wake at the plan's next boundary, or sooner to try a refused claim again.

        Boundaries: a run's start or end, preconditioning, the deadline rule, departure.
        """
        self._cancel_timer()
        plan = self._memory.plan
        moments = [now + RETRY_APPLY] if retry else []
        if plan is not None:
            moments += [moment for run in plan.intervals for moment in (run.start, run.end)]
            moments += [plan.departure]
            moments += [m for m in (plan.available_from, plan.latest_start) if m is not None]
        ahead = [moment for moment in moments if moment > now]
        if ahead:
            self._timer = async_track_point_in_utc_time(self._hass, self._on_boundary, min(ahead))

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer()
            self._timer = None
