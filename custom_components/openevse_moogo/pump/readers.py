"""The fixed-cadence readers of one Moogo account: its device list, catalogue, and each pump.

The account has two readers (the device list every 15 minutes, the concentrate catalogue once a
day); each pump has one per part: its status (the idle interval, 60 s by default), schedules
(30 min), settings (1 h), firmware (6 h) and spray history (2 h). Each cadence is fixed; see
``reader``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Protocol

from homeassistant.core import CALLBACK_TYPE, HomeAssistant
from homeassistant.util import dt as dt_util

from ..clients.moogo import (
    MoogoDevice,
    MoogoDeviceConfig,
    MoogoDeviceStatus,
    MoogoLiquidType,
    MoogoOtaInfo,
    MoogoSchedules,
)
from .cloud import AccountCloud
from .const import (
    CONF_POLL_INTERVAL,
    CONFIG_INTERVAL,
    DEFAULT_POLL_INTERVAL,
    DEVICE_LIST_INTERVAL,
    FIRMWARE_INTERVAL,
    HISTORY_INTERVAL,
    LIQUIDS_INTERVAL,
    REQUEST_TIMEOUT,
    SCHEDULES_INTERVAL,
)
from .data import SprayDay
from .reader import CloudReader

if TYPE_CHECKING:
    from datetime import datetime

    from .runtime import PumpConfigEntry

# The parts of a pump, each read by its own reader (entity descriptions name the part they show).
PART_STATUS = "status"
PART_SCHEDULES = "schedules"
PART_CONFIG = "config"
PART_FIRMWARE = "firmware"
PART_HISTORY = "history"


class Reader(Protocol):
    """What the account does with any of its readers, whatever it reads."""

    name: str
    error: Exception | None
    failing_since: float | None
    tried_at: float | None

    @property
    def read_ok(self) -> bool:
        """Whether the last read was answered."""

    @property
    def usable(self) -> bool:
        """Whether entities may show the reader's data."""

    @property
    def update_interval(self) -> timedelta | None:
        """The fixed cadence."""

    async def async_refresh(self) -> None:
        """Read now."""

    async def async_config_entry_first_refresh(self) -> None:
        """Read for the first time while the entry sets up."""

    async def async_shutdown(self) -> None:
        """Stop reading."""

    def async_add_listener(
        self, update_callback: CALLBACK_TYPE, context: object = None
    ) -> Callable[[], None]:
        """Call ``update_callback`` whenever the reader has news."""

    def read_once_by(self, when: datetime | None) -> None:
        """Read once more no later than ``when``."""


def status_interval(entry: PumpConfigEntry) -> timedelta:
    """Return the status cadence of every pump of the account, from the entry's options."""
    return timedelta(seconds=entry.options.get(CONF_POLL_INTERVAL, DEFAULT_POLL_INTERVAL))


@dataclass
class AccountReaders:
    """The readers of what belongs to the account rather than to one pump."""

    devices: CloudReader[list[MoogoDevice]]
    liquids: CloudReader[tuple[MoogoLiquidType, ...]]

    def all(self) -> tuple[Reader, ...]:
        """Every reader, in the order a full refresh reads them."""
        return (self.devices, self.liquids)


@dataclass
class PumpReaders:
    """The readers of one pump, one per part."""

    status: CloudReader[MoogoDeviceStatus]
    schedules: CloudReader[MoogoSchedules]
    config: CloudReader[MoogoDeviceConfig]
    firmware: CloudReader[MoogoOtaInfo]
    history: CloudReader[SprayDay]
    by_part: dict[str, Reader] = field(init=False)

    def __post_init__(self) -> None:
        """Index the readers by the part they read."""
        self.by_part = {
            PART_STATUS: self.status,
            PART_SCHEDULES: self.schedules,
            PART_CONFIG: self.config,
            PART_FIRMWARE: self.firmware,
            PART_HISTORY: self.history,
        }

    def all(self) -> tuple[Reader, ...]:
        """Every reader, status first (a pump is known once its status was read)."""
        return tuple(self.by_part.values())


def account_readers(
    hass: HomeAssistant, entry: PumpConfigEntry, cloud: AccountCloud
) -> AccountReaders:
    """Build the account's readers (no name carries the account's e-mail)."""
    client = cloud.client

    async def devices() -> list[MoogoDevice]:
        return await cloud.call(client.get_devices, request_timeout=REQUEST_TIMEOUT)

    async def liquids() -> tuple[MoogoLiquidType, ...]:
        return tuple(await cloud.call(client.get_liquid_types, request_timeout=REQUEST_TIMEOUT))

    return AccountReaders(
        devices=CloudReader(
            hass, entry, cloud, name="Moogo account", interval=DEVICE_LIST_INTERVAL, read=devices
        ),
        liquids=CloudReader(
            hass, entry, cloud, name="Moogo concentrates", interval=LIQUIDS_INTERVAL, read=liquids
        ),
    )


def pump_readers(
    hass: HomeAssistant,
    entry: PumpConfigEntry,
    cloud: AccountCloud,
    device: MoogoDevice,
    status_every: timedelta,
) -> PumpReaders:
    """Build the readers of one pump (named by the pump's name, never by an account id)."""
    client, device_id = cloud.client, device.device_id

    async def status() -> MoogoDeviceStatus:
        return await cloud.call(
            client.get_device_status, device_id, request_timeout=REQUEST_TIMEOUT
        )

    async def schedules() -> MoogoSchedules:
        return await cloud.call(client.get_schedules, device_id, request_timeout=REQUEST_TIMEOUT)

    async def config() -> MoogoDeviceConfig:
        return await cloud.call(
            client.get_device_config, device_id, request_timeout=REQUEST_TIMEOUT
        )

    async def firmware() -> MoogoOtaInfo:
        return await cloud.call(
            client.check_firmware_update, device_id, request_timeout=REQUEST_TIMEOUT
        )

    async def history() -> SprayDay:
        # The cloud dates its rows in the pump's zone; asking for the days either side covers
        # a pump whose zone is behind or ahead of Home Assistant's, and the day is then cut in
        # Home Assistant's zone (still one request).
        now = dt_util.now()
        records = await cloud.call(
            client.get_spray_history,
            device_id,
            start=now.date() - timedelta(days=1),
            end=now.date() + timedelta(days=1),
            request_timeout=REQUEST_TIMEOUT,
        )
        return SprayDay.of(records, now.date(), dt_util.get_default_time_zone())

    def reader[T](
        part: str, interval: timedelta, read: Callable[[], Awaitable[T]]
    ) -> CloudReader[T]:
        name = f"Moogo {device.name or 'pump'} {part}"
        return CloudReader(hass, entry, cloud, name=name, interval=interval, read=read)

    return PumpReaders(
        status=reader(PART_STATUS, status_every, status),
        schedules=reader(PART_SCHEDULES, SCHEDULES_INTERVAL, schedules),
        config=reader(PART_CONFIG, CONFIG_INTERVAL, config),
        firmware=reader(PART_FIRMWARE, FIRMWARE_INTERVAL, firmware),
        history=reader(PART_HISTORY, HISTORY_INTERVAL, history),
    )
