"""Charger binary sensors: plug, charging, fault, claims in force, push channel and links."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, override

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..clients.openevse.models import EvseState
from .data import ChargerData
from .entity import ChargerEntity, async_add_supported
from .runtime import ChargerConfigEntry


@dataclass(frozen=True, kw_only=True)
class ChargerBinarySensorDescription(BinarySensorEntityDescription):
    """How one charger binary sensor reads its value and whether this charger has it."""

    is_on_fn: Callable[[ChargerData], bool | None]
    exists_fn: Callable[[ChargerData], bool] = lambda _: True
    reports_connection: bool = False
    """Reports our own connection to the charger: available (and off) while it is unreachable."""


def _is_fault(data: ChargerData) -> bool | None:
    state = data.status.state
    return None if state is None else state.is_error


def _is_charging(data: ChargerData) -> bool | None:
    state = data.status.state
    return None if state is None else state is EvseState.CHARGING


def _link(
    key: str, raw_key: str, is_on_fn: Callable[[ChargerData], bool | None], *, enabled: bool
) -> ChargerBinarySensorDescription:
    """Describe the state of one of the charger's own connections (diagnostic)."""
    return ChargerBinarySensorDescription(
        key=key,
        translation_key=key,
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=enabled,
        is_on_fn=is_on_fn,
        exists_fn=lambda data: raw_key in data.status.raw,
    )


BINARY_SENSORS: Final[tuple[ChargerBinarySensorDescription, ...]] = (
    ChargerBinarySensorDescription(
        key="vehicle_plugged_in",
        translation_key="vehicle_plugged_in",
        device_class=BinarySensorDeviceClass.PLUG,
        is_on_fn=lambda data: data.status.vehicle_connected,
    ),
    ChargerBinarySensorDescription(
        key="charging",
        translation_key="charging",
        device_class=BinarySensorDeviceClass.BATTERY_CHARGING,
        is_on_fn=_is_charging,
    ),
    ChargerBinarySensorDescription(
        key="fault",
        translation_key="fault",
        device_class=BinarySensorDeviceClass.PROBLEM,
        is_on_fn=_is_fault,
    ),
    ChargerBinarySensorDescription(
        key="manual_override",
        translation_key="manual_override",
        is_on_fn=lambda data: data.status.manual_override,
        exists_fn=lambda data: "manual_override" in data.status.raw,
    ),
    ChargerBinarySensorDescription(
        key="divert_active",
        translation_key="divert_active",
        is_on_fn=lambda data: data.status.divert_active,
        exists_fn=lambda data: data.features.solar_divert,
    ),
    ChargerBinarySensorDescription(
        key="shaper_active",
        translation_key="shaper_active",
        is_on_fn=lambda data: data.status.shaper_enabled,
        exists_fn=lambda data: data.features.current_shaper,
    ),
    ChargerBinarySensorDescription(
        key="limit_active",
        translation_key="limit_active",
        is_on_fn=lambda data: data.status.limit_active,
        exists_fn=lambda data: data.features.limits,
    ),
    ChargerBinarySensorDescription(
        key="push_connection",
        translation_key="push_connection",
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
        entity_category=EntityCategory.DIAGNOSTIC,
        is_on_fn=lambda data: data.push_connected,
        reports_connection=True,
    ),
    # The charger's own links; MQTT is the one most set up, the others are rarely wanted.
    _link("mqtt_connected", "mqtt_connected", lambda d: d.status.mqtt_connected, enabled=True),
    _link("ocpp_connected", "ocpp_connected", lambda d: d.status.ocpp_connected, enabled=False),
    _link(
        "emoncms_connected",
        "emoncms_connected",
        lambda d: d.status.emoncms_connected,
        enabled=False,
    ),
    _link(
        "ethernet_connected", "eth_connected", lambda d: d.status.ethernet_connected, enabled=False
    ),
)


class ChargerBinarySensor(ChargerEntity, BinarySensorEntity):
    """A charger binary sensor driven by its description."""

    entity_description: ChargerBinarySensorDescription

    @property
    @override
    def available(self) -> bool:
        """A connection entity says "off" when the charger is gone; the others go unavailable."""
        return self.entity_description.reports_connection or super().available

    @property
    @override
    def is_on(self) -> bool | None:
        """The sensor's value from the latest snapshot (off for a connection that failed)."""
        if self.entity_description.reports_connection and not self.coordinator.last_update_success:
            return False
        return self.entity_description.is_on_fn(self.data)

    @override
    def _render_inputs(self) -> tuple[object, ...]:
        return (self.is_on,)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ChargerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the binary sensors this charger can provide."""
    async_add_supported(entry, async_add_entities, ChargerBinarySensor, BINARY_SENSORS)
