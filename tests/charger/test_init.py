"""Setting up, retrying, re-authenticating and unloading a charger entry; push and fallback."""

from __future__ import annotations

import pytest
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import CONF_PASSWORD, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openevse_moogo import async_remove_config_entry_device
from custom_components.openevse_moogo.charger import connection
from custom_components.openevse_moogo.clients.openevse import WebsocketOptions
from custom_components.openevse_moogo.const import DOMAIN
from tests.simulators.openevse import ChargerSimulator

from .conftest import PASSWORD, SERIAL, USERNAME, entry_data, state_of, wait_for

STATUS = "sensor.openevse_7c40_status"
PUSH = "binary_sensor.openevse_7c40_push_connection"


async def test_setup_push_and_unload(
    hass: HomeAssistant, charger: ChargerSimulator, loaded: MockConfigEntry
) -> None:
    """Pushed deltas reach the entities; unload stops the websocket, keeps the session open."""
    assert state_of(hass, STATUS) == "not_connected"
    await wait_for(lambda: state_of(hass, PUSH) == "on")
    requests_before = len(charger.requests)
    await charger.start_charging()
    await wait_for(lambda: state_of(hass, STATUS) == "charging")
    await wait_for(lambda: float(state_of(hass, "sensor.openevse_7c40_charging_power")) > 0)
    assert state_of(hass, "binary_sensor.openevse_7c40_charging") == "on"
    assert state_of(hass, "binary_sensor.openevse_7c40_vehicle_plugged_in") == "on"
    # Deltas cause no HTTP request (only a counter that moved would).
    assert [r for r in charger.requests[requests_before:] if r[1] != "/ws"] == []

    assert await hass.config_entries.async_unload(loaded.entry_id)
    await hass.async_block_till_done()
    assert loaded.state is ConfigEntryState.NOT_LOADED
    await wait_for(lambda: charger.ws_connections == 0)
    assert not async_get_clientsession(hass).closed


async def test_fallback_poll_with_healthy_push_costs_one_request(
    hass: HomeAssistant, charger: ChargerSimulator, loaded: MockConfigEntry
) -> None:
    """The safety-net poll reads /status only while push is up: <= 12 requests an hour."""
    await wait_for(lambda: state_of(hass, PUSH) == "on")
    mark = len(charger.requests)
    await loaded.runtime_data.coordinator.async_refresh()
    assert charger.requests[mark:] == [("GET", "/status")]


async def test_setup_retries_when_unreachable(
    hass: HomeAssistant, charger: ChargerSimulator
) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN, unique_id=SERIAL, data=entry_data(charger, **{CONF_PORT: 1})
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert entry.reason is not None


@pytest.mark.parametrize("sim_options", [{"username": USERNAME, "password": PASSWORD}])
async def test_setup_with_wrong_password_starts_reauth(
    hass: HomeAssistant, charger: ChargerSimulator
) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN, unique_id=SERIAL, data=entry_data(charger, **{CONF_PASSWORD: "old"})
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    assert flows[0]["step_id"] == "charger_reauth_confirm"


async def test_websocket_drop_recovers_without_going_unavailable(
    hass: HomeAssistant, charger: ChargerSimulator, loaded: MockConfigEntry
) -> None:
    await wait_for(lambda: charger.ws_connections == 1)
    handshakes = charger.ws_handshakes
    await charger.drop_websockets()
    await wait_for(lambda: charger.ws_handshakes > handshakes and charger.ws_connections == 1)
    await charger.plug_in()
    await wait_for(lambda: state_of(hass, STATUS) == "connected")
    assert state_of(hass, PUSH) == "on"


async def test_reboot_resyncs(
    hass: HomeAssistant,
    charger: ChargerSimulator,
    entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A rebooting charger's websocket just goes silent (no close frame): the keepalive is what
    # notices it, so shrink it to keep the test short.
    fast = WebsocketOptions(keepalive_interval=0.3, pong_timeout=0.3, reconnect_delay=0.1)
    monkeypatch.setattr(connection, "WEBSOCKET_OPTIONS", fast)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await wait_for(lambda: charger.ws_connections == 1)
    handshakes = charger.ws_handshakes
    await charger.reboot(downtime=0.1)
    await wait_for(lambda: charger.ws_handshakes > handshakes, within=5)
    await charger.plug_in()
    await wait_for(lambda: state_of(hass, STATUS) == "connected")
    assert await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.expected_errors(
    (
        "custom_components.openevse_moogo",
        "^Authentication failed while fetching OpenEVSE .* HTTP 429",
    )
)
@pytest.mark.parametrize(
    "sim_options", [{"profile": "master", "username": USERNAME, "password": PASSWORD}]
)
async def test_a_charger_locking_out_logins_is_left_alone_until_reauth(
    hass: HomeAssistant, charger: ChargerSimulator, loaded: MockConfigEntry
) -> None:
    # Newer firmware answers a wrong password with 429 once it has seen ten: every poll would
    # be one more failure, so polling stops and the user is asked for the password again.
    await wait_for(lambda: charger.ws_connections == 1)
    charger.secrets["www_password"] = "changed"
    for _ in range(10):
        charger.auth.failed()
    coordinator = loaded.runtime_data.coordinator
    # The first refusal is confirmed once before the user is asked (it might be a blip).
    await coordinator.async_refresh()
    assert coordinator.last_update_success is True
    assert coordinator.trouble.auth_refusals == 1
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert any(
        flow["context"]["source"] == SOURCE_REAUTH
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    )
    assert coordinator.last_update_success is False
    assert "refuses requests" in str(coordinator.last_exception)
    assert coordinator._unsub_refresh is None  # no next poll is scheduled


@pytest.mark.expected_errors(
    (
        "custom_components.openevse_moogo",
        "^Authentication failed while fetching OpenEVSE .* HTTP 401",
    )
)
@pytest.mark.parametrize("sim_options", [{"username": USERNAME, "password": PASSWORD}])
@pytest.mark.usefixtures("fast_grace")
async def test_password_changed_while_running_starts_reauth(
    hass: HomeAssistant, charger: ChargerSimulator, loaded: MockConfigEntry
) -> None:
    await wait_for(lambda: charger.ws_connections == 1)
    charger.secrets["www_password"] = "changed"
    await charger.drop_websockets()
    # The refusal is confirmed by a second poll before Home Assistant asks for the password.
    await wait_for(
        lambda: any(
            flow["context"]["source"] == SOURCE_REAUTH
            for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        ),
        within=15,
    )


async def test_old_firmware_raises_repair_issue(
    hass: HomeAssistant, charger: ChargerSimulator, entry: MockConfigEntry
) -> None:
    charger.config["version"] = "4.0.1"
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"charger_firmware_too_old_{entry.entry_id}")
    assert issue is not None
    assert issue.translation_placeholders == {
        "name": "openevse-7c40",
        "version": "4.0.1",
        "minimum": "4.1.0",
    }
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_only_stale_devices_can_be_removed(
    hass: HomeAssistant, loaded: MockConfigEntry
) -> None:
    registry = dr.async_get(hass)
    charger_device = registry.async_get_device_by_identifier((DOMAIN, SERIAL), loaded.entry_id)
    assert charger_device is not None
    assert charger_device.serial_number == SERIAL
    assert not await async_remove_config_entry_device(hass, loaded, charger_device)
    stale = registry.async_get_or_create(
        config_entry_id=loaded.entry_id, identifiers={(DOMAIN, "OLD0000000")}
    )
    assert await async_remove_config_entry_device(hass, loaded, stale)


async def test_firmware_update_follows_in_the_device_and_the_repair_issue(
    hass: HomeAssistant, charger: ChargerSimulator, entry: MockConfigEntry
) -> None:
    """A charger updated to newer firmware: its device shows it, the repair issue goes."""
    charger.config["version"] = "4.0.1"
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    issue_id = f"charger_firmware_too_old_{entry.entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, SERIAL), entry.entry_id)
    assert device is not None
    assert device.sw_version == "4.0.1"

    # The firmware announces a new config after the update (as after any reboot).
    charger.config["version"] = "5.1.5"
    await charger.update_status(config_version=charger.status["config_version"] + 1)
    await wait_for(
        lambda: dr.async_get(hass).async_get(device.id).sw_version == "5.1.5"  # type: ignore[union-attr]
    )
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_removing_the_entry_clears_its_repair_issue(
    hass: HomeAssistant, charger: ChargerSimulator, entry: MockConfigEntry
) -> None:
    charger.config["version"] = "4.0.1"
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    issue_id = f"charger_firmware_too_old_{entry.entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
