"""OpenEVSE chargers: everything the integration does for a charger entry.

The shared skeleton routes to :data:`CHARGER_FAMILY` for every entry whose family is
``charger``: set-up and unload, the platforms, diagnostics, device removal and the actions.
"""

from __future__ import annotations

from collections.abc import Callable

from homeassistant.const import EVENT_HOMEASSISTANT_STOP, Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.device_registry import DeviceEntry

from ..const import DOMAIN, FAMILY_CHARGER
from ..family import Family
from . import binary_sensor, button, calendar, event, light, number, select, sensor, switch, update
from .connection import ChargerSettings, create_client
from .const import MINIMUM_FIRMWARE
from .coordinator import ChargerCoordinator
from .diagnostics import async_get_charger_diagnostics
from .feeds import ChargerFeeds
from .planning import entities as plan_entities
from .planning.controller import PlanController
from .runtime import ChargerConfigEntry, ChargerRuntimeData
from .services import async_register_charger_services
from .session_events import ChargingSessionEvents, log_store


async def async_setup_charger_entry(
    hass: HomeAssistant, entry: ChargerConfigEntry
) -> ChargerRuntimeData:
    """Connect to the charger, read everything once, then keep it current by push."""
    client = create_client(hass, ChargerSettings.from_mapping(entry.data))
    coordinator = ChargerCoordinator(hass, entry, client)
    # The first refresh reads the last session from the event log, the tracker where the log
    # ends: one read of each of its resources serves both.
    with coordinator.event_log.shared_reads():
        # Unreachable -> ConfigEntryNotReady (retried), rejected credentials -> reauth flow.
        await coordinator.async_config_entry_first_refresh()
        _check_firmware(hass, entry, coordinator)
        entry.async_on_unload(
            coordinator.async_add_listener(_firmware_follower(hass, entry, coordinator))
        )
        tracker = ChargingSessionEvents(hass, coordinator)
        # Before the push channel starts, so each line of the event log is either missed (read
        # now) or seen live. Saved at unload before the push channel stops (reverse order).
        await tracker.async_read_missed()
    # Cancelled (and the websocket stopped) by Home Assistant when the entry unloads.
    entry.async_create_background_task(
        hass, coordinator.async_run_push(), f"openevse push {entry.title}"
    )
    entry.async_on_unload(coordinator.async_add_listener(tracker.async_update))
    entry.async_on_unload(tracker.async_save_position)
    # Home Assistant stops without unloading its entries.
    entry.async_on_unload(
        hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, tracker.async_save_position)
    )
    feeds = ChargerFeeds(hass, client, entry.options)
    feeds.start()
    entry.async_on_unload(feeds.stop)
    plan = PlanController(hass, coordinator, dict(entry.options))
    await plan.async_start()
    entry.async_on_unload(plan.async_stop)
    return ChargerRuntimeData(client=client, coordinator=coordinator, feeds=feeds, plan=plan)


def _firmware_follower(
    hass: HomeAssistant, entry: ChargerConfigEntry, coordinator: ChargerCoordinator
) -> Callable[[], None]:
    """Keep the device's firmware versions and the firmware repair issue in step.

    A charger updated or rebooted into other firmware announces a new config; the listener
    compares the two versions only, so the pushes in between cost nothing.
    """
    seen = (coordinator.data.config.firmware_version, coordinator.data.config.controller_firmware)

    @callback
    def follow() -> None:
        nonlocal seen
        config = coordinator.data.config
        current = (config.firmware_version, config.controller_firmware)
        if current == seen:
            return
        seen = current
        registry = dr.async_get(hass)
        device = registry.async_get_device_by_identifier(
            (DOMAIN, coordinator.data.serial), entry.entry_id
        )
        if device is not None:
            registry.async_update_device(
                device.id,
                sw_version=str(config.firmware_version),
                hw_version=config.controller_firmware or device.hw_version,
            )
        _check_firmware(hass, entry, coordinator)

    return follow


def _check_firmware(
    hass: HomeAssistant, entry: ChargerConfigEntry, coordinator: ChargerCoordinator
) -> None:
    """Raise a repair issue when the firmware is too old for pause/resume and current control."""
    version = coordinator.data.config.firmware_version
    issue_id = _firmware_issue_id(entry)
    if version.known and not version.at_least(MINIMUM_FIRMWARE):
        ir.async_create_issue(
            hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="charger_firmware_too_old",
            translation_placeholders={
                "name": entry.title,
                "version": str(version),
                "minimum": MINIMUM_FIRMWARE,
            },
            learn_more_url="https://github.com/OpenEVSE/openevse_esp32_firmware/releases",
        )
    else:
        ir.async_delete_issue(hass, DOMAIN, issue_id)


def _firmware_issue_id(entry: ChargerConfigEntry) -> str:
    return f"charger_firmware_too_old_{entry.entry_id}"


async def async_remove_charger_device(
    hass: HomeAssistant, entry: ChargerConfigEntry, device: DeviceEntry
) -> bool:
    """Only a device that is no longer this entry's charger may be deleted."""
    return (DOMAIN, entry.unique_id or "") not in device.identifiers


async def async_remove_charger_entry(hass: HomeAssistant, entry: ChargerConfigEntry) -> None:
    """Drop the firmware repair issue and the event log position of a removed charger."""
    ir.async_delete_issue(hass, DOMAIN, _firmware_issue_id(entry))
    await log_store(hass, entry.entry_id).async_remove()


CHARGER_FAMILY: Family[ChargerRuntimeData] = Family(
    key=FAMILY_CHARGER,
    platforms={
        Platform.BINARY_SENSOR: binary_sensor.async_setup_entry,
        Platform.BUTTON: button.async_setup_entry,
        Platform.CALENDAR: calendar.async_setup_entry,
        Platform.EVENT: event.async_setup_entry,
        Platform.LIGHT: light.async_setup_entry,
        Platform.NUMBER: number.async_setup_entry,
        Platform.SELECT: select.async_setup_entry,
        Platform.SENSOR: sensor.async_setup_entry,
        Platform.SWITCH: switch.async_setup_entry,
        Platform.UPDATE: update.async_setup_entry,
        Platform.TIME: plan_entities.async_setup_entry,
    },
    setup_entry=async_setup_charger_entry,
    get_diagnostics=async_get_charger_diagnostics,
    remove_device=async_remove_charger_device,
    remove_entry=async_remove_charger_entry,
    register_services=async_register_charger_services,
)
