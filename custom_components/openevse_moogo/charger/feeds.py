"""Home Assistant values pushed to the charger: divert, voltage, house load, vehicle data.

The user picks the entities in the options flow. Their states are converted to the firmware's
units (W, V, %, km or miles as the charger is set, seconds), coalesced (only the latest value of
each feed is sent) and rate limited: the charger is a single-threaded ESP32, so at most one
batch goes out per ``FEED_MIN_INTERVAL``, as one ``POST /status``. Unknown, unavailable and
non-numeric states are skipped. Everything stops when the entry unloads.

The firmware applies vehicle values only when its vehicle data source is HTTP. When the user
feeds vehicle data and the charger takes it from elsewhere (none, Tesla, MQTT), the source is
switched to HTTP once, right before the first vehicle values go out after start; it is never
written otherwise (a later change made on the charger is respected until the next start).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from homeassistant.components.sensor import SensorDeviceClass
from homeassistant.const import (
    ATTR_DEVICE_CLASS,
    ATTR_UNIT_OF_MEASUREMENT,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    UnitOfElectricPotential,
    UnitOfLength,
    UnitOfPower,
    UnitOfTime,
)
from homeassistant.core import (
    CALLBACK_TYPE,
    Event,
    EventStateChangedData,
    HomeAssistant,
    State,
    callback,
)
from homeassistant.helpers.event import async_call_later, async_track_state_change_event
from homeassistant.util import dt as dt_util
from homeassistant.util.unit_conversion import (
    BaseUnitConverter,
    DistanceConverter,
    DurationConverter,
    ElectricPotentialConverter,
    PowerConverter,
)

from ..clients.openevse import (
    OpenEVSE,
    OpenEVSEError,
    VehicleDataSource,
)
from ..const import LOGGER
from .const import (
    CONF_GRID_SENSOR,
    CONF_HOME_BATTERY_POWER_SENSOR,
    CONF_HOME_BATTERY_SOC_SENSOR,
    CONF_INVERT_GRID,
    CONF_LIVE_POWER_SENSOR,
    CONF_SOLAR_SENSOR,
    CONF_VEHICLE_ETA_SENSOR,
    CONF_VEHICLE_LIMIT_SENSOR,
    CONF_VEHICLE_RANGE_SENSOR,
    CONF_VEHICLE_SOC_SENSOR,
    CONF_VOLTAGE_SENSOR,
    FEED_MIN_INTERVAL,
    REQUEST_TIMEOUT,
)


def _number(state: State) -> float | None:
    if state.state in (STATE_UNKNOWN, STATE_UNAVAILABLE):
        return None
    try:
        return float(state.state)
    except ValueError:
        return None


def _in_unit(
    converter: type[BaseUnitConverter], target: str, default: str
) -> Callable[[State], float | None]:
    """Read a numeric state and convert it from its own unit (``default`` when it has none)."""

    def convert(state: State) -> float | None:
        value = _number(state)
        if value is None:
            return None
        unit = state.attributes.get(ATTR_UNIT_OF_MEASUREMENT) or default
        if unit not in converter.VALID_UNITS:
            return None
        return converter.convert(value, unit, target)

    return convert


_watts = _in_unit(PowerConverter, UnitOfPower.WATT, UnitOfPower.WATT)
_volts = _in_unit(ElectricPotentialConverter, UnitOfElectricPotential.VOLT, "V")


def _percent(state: State) -> float | None:
    value = _number(state)
    return value if value is not None and 0 <= value <= 100 else None


def _seconds_to_full(state: State) -> float | None:
    """Read seconds to full from a duration (minutes if no unit) or a timestamp."""
    if state.attributes.get(ATTR_DEVICE_CLASS) == SensorDeviceClass.TIMESTAMP:
        when = dt_util.parse_datetime(state.state)
        if when is None:
            return None
        return max(0.0, (when - dt_util.utcnow()).total_seconds())
    return _in_unit(DurationConverter, UnitOfTime.SECONDS, UnitOfTime.MINUTES)(state)


@dataclass(frozen=True, kw_only=True)
class Feed:
    """One option: which firmware key it feeds and how a state converts to its unit."""

    option: str
    key: str
    convert: Callable[[State, bool], float | None]
    """(state, charger wants miles) -> value in the firmware's unit, None to skip."""


FEEDS: Final = (
    Feed(option=CONF_GRID_SENSOR, key="grid_ie", convert=lambda state, _: _watts(state)),
    Feed(option=CONF_SOLAR_SENSOR, key="solar", convert=lambda state, _: _watts(state)),
    Feed(option=CONF_VOLTAGE_SENSOR, key="voltage", convert=lambda state, _: _volts(state)),
    Feed(option=CONF_LIVE_POWER_SENSOR, key="shaper_live_pwr", convert=lambda s, _: _watts(s)),
    Feed(option=CONF_VEHICLE_SOC_SENSOR, key="battery_level", convert=lambda s, _: _percent(s)),
    Feed(
        option=CONF_VEHICLE_RANGE_SENSOR,
        key="battery_range",
        convert=lambda state, miles: _in_unit(
            DistanceConverter,
            UnitOfLength.MILES if miles else UnitOfLength.KILOMETERS,
            UnitOfLength.KILOMETERS,
        )(state),
    ),
    Feed(
        option=CONF_VEHICLE_ETA_SENSOR,
        key="time_to_full_charge",
        convert=lambda state, _: _seconds_to_full(state),
    ),
    # Newer firmware only; older firmware ignores keys it does not know.
    Feed(
        option=CONF_VEHICLE_LIMIT_SENSOR,
        key="vehicle_charge_limit",
        convert=lambda s, _: _percent(s),
    ),
    Feed(
        option=CONF_HOME_BATTERY_SOC_SENSOR,
        key="home_battery_soc",
        convert=lambda s, _: _percent(s),
    ),
    Feed(
        option=CONF_HOME_BATTERY_POWER_SENSOR,
        key="home_battery_power",
        convert=lambda s, _: _watts(s),
    ),
)
_VEHICLE_KEYS: Final = (
    "battery_level",
    "battery_range",
    "time_to_full_charge",
    "vehicle_charge_limit",
)


class ChargerFeeds:
    """Pushes the chosen entities' values to one charger, batched and rate limited."""

    def __init__(
        self,
        hass: HomeAssistant,
        client: OpenEVSE,
        options: Mapping[str, Any],
        *,
        min_interval: float | None = None,
    ) -> None:
        """Prepare the feeds chosen in the options (nothing runs before :meth:`start`)."""
        self._hass = hass
        self._client = client
        self._invert_grid = bool(options.get(CONF_INVERT_GRID, False))
        self._min_interval = FEED_MIN_INTERVAL if min_interval is None else min_interval
        self._feeds: dict[str, Feed] = {
            options[feed.option]: feed for feed in FEEDS if options.get(feed.option)
        }
        self._pending: dict[str, float] = {}
        self._unsubscribe: CALLBACK_TYPE | None = None
        self._timer: CALLBACK_TYPE | None = None
        self._task: asyncio.Task[None] | None = None
        self._last_sent = 0.0
        self._failing = False
        # Whether the charger's vehicle data source still has to be switched to HTTP.
        self._select_http_source = False
        self.sent: list[dict[str, float]] = []
        """Batches sent since start (newest last, at most a few kept), for diagnostics."""

    @property
    def entities(self) -> dict[str, str]:
        """Fed entity id -> firmware key."""
        return {entity_id: feed.key for entity_id, feed in self._feeds.items()}

    @callback
    def start(self) -> None:
        """Send the current values (together, in one batch), then every change."""
        if not self._feeds:
            return
        source = self._client.config_data.vehicle_data_source
        self._select_http_source = (
            any(feed.key in _VEHICLE_KEYS for feed in self._feeds.values())
            # An unknown source (no such config key) is left alone.
            and source is not None
            and source != VehicleDataSource.HTTP
        )
        self._unsubscribe = async_track_state_change_event(
            self._hass, list(self._feeds), self._handle_event
        )
        for entity_id in self._feeds:
            if (state := self._hass.states.get(entity_id)) is not None:
                self._queue(entity_id, state)
        if self._pending:
            self._schedule()

    async def stop(self) -> None:
        """Stop listening and drop what was not sent yet."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._timer is not None:
            self._timer()
            self._timer = None
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            await asyncio.wait({task})
        self._pending.clear()

    @callback
    def _handle_event(self, event: Event[EventStateChangedData]) -> None:
        if (state := event.data["new_state"]) is not None and self._queue(
            event.data["entity_id"], state
        ):
            self._schedule()

    @callback
    def _queue(self, entity_id: str, state: State) -> bool:
        """Keep the state's value for the next batch; False when there is nothing to send."""
        feed = self._feeds[entity_id]
        value = feed.convert(state, bool(self._client.config_data.vehicle_range_miles))
        if value is None:
            return False
        if feed.key == "grid_ie" and self._invert_grid:
            value = -value
        self._pending[feed.key] = round(value, 2)
        return True

    @callback
    def _schedule(self) -> None:
        if self._timer is not None or (self._task is not None and not self._task.done()):
            return  # a send is already due; it takes the latest values
        wait = self._last_sent + self._min_interval - self._hass.loop.time()
        if wait <= 0:
            self._send_now()
        else:
            self._timer = async_call_later(self._hass, wait, self._timer_fired)

    @callback
    def _timer_fired(self, _now: datetime) -> None:
        self._timer = None
        self._send_now()

    @callback
    def _send_now(self) -> None:
        self._task = self._hass.async_create_background_task(
            self._async_send(), "openevse feeds", eager_start=True
        )

    async def _async_send(self) -> None:
        batch, self._pending = self._pending, {}
        self._last_sent = self._hass.loop.time()
        try:
            await self._post(batch)
        except (OpenEVSEError, TimeoutError) as err:
            if not self._failing:
                LOGGER.warning("Could not feed values to the charger: %s", err)
            self._failing = True
        else:
            if self._failing:
                LOGGER.info("Feeding values to the charger works again")
            self._failing = False
            self.sent = [*self.sent[-4:], batch]
        if self._pending:
            self._task = None
            self._schedule()

    async def _post(self, batch: dict[str, float]) -> None:
        """Send one batch in one request, under its own deadline (``request_timeout``)."""
        client = self._client
        if self._select_http_source and not batch.keys().isdisjoint(_VEHICLE_KEYS):
            # Without it the firmware ignores the vehicle values (one config write).
            if client.config_data.vehicle_data_source != VehicleDataSource.HTTP:
                LOGGER.info("Switching the charger's vehicle data source to HTTP")
                await client.set_vehicle_data_source(
                    VehicleDataSource.HTTP, request_timeout=REQUEST_TIMEOUT
                )
            self._select_http_source = False
        await client.post_status_feeds(**batch, request_timeout=REQUEST_TIMEOUT)
