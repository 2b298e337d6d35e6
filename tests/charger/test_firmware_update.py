"""The charger's firmware update entity against a simulated charger and release server."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.update import (
    ATTR_IN_PROGRESS,
    ATTR_INSTALLED_VERSION,
    ATTR_LATEST_VERSION,
    ATTR_RELEASE_SUMMARY,
    ATTR_RELEASE_URL,
    ATTR_UPDATE_PERCENTAGE,
    SERVICE_INSTALL,
)
from homeassistant.components.update import (
    DOMAIN as UPDATE_DOMAIN,
)
from homeassistant.const import ATTR_ENTITY_ID, STATE_OFF, STATE_ON, STATE_UNKNOWN
from homeassistant.core import Event, HomeAssistant, State, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.openevse_moogo.charger import connection, const
from custom_components.openevse_moogo.charger.releases import (
    RELEASE_CHECK_INTERVAL,
    RELEASE_RETRY_INTERVAL,
    RELEASES_KEY,
    FirmwareRelease,
    FirmwareReleases,
)
from custom_components.openevse_moogo.clients.openevse import WebsocketOptions
from tests.charger.conftest import state_of, wait_for
from tests.simulators.github_releases import ReleaseServer
from tests.simulators.openevse import ChargerSimulator

FIRMWARE = "update.openevse_7c40_firmware"
NOTES = "## Fixes\n- The charger no longer forgets its schedule after a power cut."


def _entity(hass: HomeAssistant) -> Any:
    return hass.data["entity_components"][UPDATE_DOMAIN].get_entity(FIRMWARE)


def _state(hass: HomeAssistant) -> State:
    state = hass.states.get(FIRMWARE)
    assert state is not None
    return state


async def _install(hass: HomeAssistant, **data: Any) -> None:
    await hass.services.async_call(
        UPDATE_DOMAIN, SERVICE_INSTALL, {ATTR_ENTITY_ID: FIRMWARE, **data}, blocking=True
    )


@pytest.fixture
def fast_reboot_notice(monkeypatch: pytest.MonkeyPatch) -> None:
    """A flashed charger reboots with a silent socket: notice that quickly."""
    fast = WebsocketOptions(keepalive_interval=0.3, pong_timeout=0.3, reconnect_delay=0.1)
    monkeypatch.setattr(connection, "WEBSOCKET_OPTIONS", fast)


async def _look_again(hass: HomeAssistant, server: ReleaseServer, checks: int) -> None:
    hass.data[RELEASES_KEY]._next_check = None  # the cached answer is old enough
    await _entity(hass)._async_look()  # what the hourly look does
    assert server.api_requests() == checks


async def _newer_release(hass: HomeAssistant, server: ReleaseServer) -> None:
    await wait_for(lambda: _state(hass).state == STATE_OFF, 10)  # the first check answered
    server.publish("v5.1.6", name="5.1.6: schedule fixes", notes=NOTES)
    await _look_again(hass, server, checks=server.api_requests() + 1)
    assert _state(hass).attributes[ATTR_LATEST_VERSION] == "v5.1.6"


async def test_release_build_up_to_date_then_offered(
    hass: HomeAssistant,
    release_server: ReleaseServer,
    charger: ChargerSimulator,
    loaded: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    await wait_for(lambda: _state(hass).state == STATE_OFF, 10)
    assert _state(hass).attributes[ATTR_INSTALLED_VERSION] == "v5.1.5"
    await _newer_release(hass, release_server)
    state = _state(hass)
    assert state.state == STATE_ON
    assert state.attributes[ATTR_RELEASE_SUMMARY] == "5.1.6: schedule fixes"
    assert state.attributes[ATTR_RELEASE_URL].endswith("/releases/tag/v5.1.6")
    client = await hass_ws_client(hass)
    await client.send_json({"id": 1, "type": "update/release_notes", "entity_id": FIRMWARE})
    reply = await client.receive_json()
    assert reply["result"] == NOTES


async def test_update_installed_with_progress(
    hass: HomeAssistant,
    release_server: ReleaseServer,
    charger: ChargerSimulator,
    fast_reboot_notice: None,
    loaded: MockConfigEntry,
) -> None:
    await wait_for(lambda: charger.ws_connections == 1, 10)
    await _newer_release(hass, release_server)
    seen: list[tuple[bool, int | None]] = []

    @callback
    def record(event: Event[Any]) -> None:
        new = event.data["new_state"]
        if new is not None and new.entity_id == FIRMWARE and ATTR_IN_PROGRESS in new.attributes:
            seen.append((new.attributes[ATTR_IN_PROGRESS], new.attributes[ATTR_UPDATE_PERCENTAGE]))

    hass.bus.async_listen("state_changed", record)
    await _install(hass)
    # The charger downloaded the image from the release server (following GitHub's redirect).
    assert (
        "GET",
        "/OpenEVSE/openevse_esp32_firmware/releases/download/v5.1.6/openevse_wifi_v1.bin",
    ) in release_server.requests
    assert (True, None) in seen
    percentages = [percent for running, percent in seen if running and percent is not None]
    assert percentages == sorted(percentages)
    assert percentages[0] < 100
    assert percentages[-1] == 100
    assert seen[-1][0] is False
    # Back from its reboot, the charger runs the new release: nothing more to offer.
    await wait_for(lambda: _state(hass).attributes[ATTR_INSTALLED_VERSION] == "v5.1.6", 10)
    assert _state(hass).state == STATE_OFF
    assert charger.reboots == 1


async def test_update_refused_by_the_charger(
    hass: HomeAssistant,
    release_server: ReleaseServer,
    charger: ChargerSimulator,
    loaded: MockConfigEntry,
) -> None:
    await wait_for(lambda: charger.ws_connections == 1, 10)
    await _newer_release(hass, release_server)
    charger.faults.ota_fails = True
    with pytest.raises(HomeAssistantError) as failure:
        await _install(hass)
    assert failure.value.translation_key == "charger_update_failed"
    assert "refused firmware v5.1.6" in str(failure.value)
    state = _state(hass)
    assert state.attributes[ATTR_IN_PROGRESS] is False
    assert state.attributes[ATTR_INSTALLED_VERSION] == "v5.1.5"
    assert charger.reboots == 0
    # A second attempt after the failure is followed as well (the last message was "failed").
    charger.faults.ota_fails = False
    await _install(hass)


@pytest.mark.parametrize(
    "case",
    [
        ("ota_silent", "charger_update_silent"),
        ("missing_asset", "charger_update_silent"),
        ("broken_image", "charger_update_stalled"),
    ],
)
@pytest.mark.usefixtures("release_server", "loaded")
async def test_silent_update_is_an_error_after_the_deadline(
    hass: HomeAssistant,
    release_server: ReleaseServer,
    charger: ChargerSimulator,
    monkeypatch: pytest.MonkeyPatch,
    case: tuple[str, str],
) -> None:
    fault, error = case
    # The charger acknowledges and then says nothing (a download that never starts), or starts
    # and drops an image it cannot use without a word. Either way the user gets an answer.
    monkeypatch.setattr(const, "OTA_START_DEADLINE", 0.5)
    monkeypatch.setattr(const, "OTA_STALL_DEADLINE", 0.5)
    await wait_for(lambda: charger.ws_connections == 1, 10)
    await _newer_release(hass, release_server)
    if fault == "ota_silent":
        charger.faults.ota_silent = True
    else:
        setattr(release_server.faults, fault, True)
    with pytest.raises(HomeAssistantError) as failure:
        await _install(hass)
    assert failure.value.translation_key == error
    assert "0.5 s" in str(failure.value)
    assert _state(hass).attributes[ATTR_IN_PROGRESS] is False


async def test_stalled_update_is_an_error(
    hass: HomeAssistant,
    release_server: ReleaseServer,
    charger: ChargerSimulator,
    loaded: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(const, "OTA_STALL_DEADLINE", 0.3)
    await wait_for(lambda: charger.ws_connections == 1, 10)
    await _newer_release(hass, release_server)

    async def stall(_url: str) -> None:
        # The image begins to arrive, then the download dies: no further word.
        await charger.broadcast({"ota": "started"})
        await charger.broadcast({"ota_progress": 3})

    monkeypatch.setattr(charger, "flash_from_url", lambda url: charger._spawn(stall(url)))
    with pytest.raises(HomeAssistantError) as failure:
        await _install(hass)
    assert failure.value.translation_key == "charger_update_stalled"


async def test_install_needs_an_offer_and_the_push_channel(
    hass: HomeAssistant,
    release_server: ReleaseServer,
    charger: ChargerSimulator,
    loaded: MockConfigEntry,
) -> None:
    await wait_for(lambda: _state(hass).state == STATE_OFF, 10)
    release_server.releases[0].build_envs = ("openevse_wifi_tft_v1",)  # none for this board
    await _look_again(hass, release_server, checks=2)
    entity = _entity(hass)
    # Home Assistant itself refuses the action with nothing to install; the entity refuses too
    # when it is called while the offer has just gone.
    with pytest.raises(ServiceValidationError) as nothing:
        await entity.async_install(None, backup=False)
    assert nothing.value.translation_key == "charger_update_unavailable"
    await _newer_release(hass, release_server)
    charger.requests.clear()
    charger.faults.refuse_websocket = True
    await charger.drop_websockets()
    await wait_for(lambda: not loaded.runtime_data.coordinator.data.push_connected)
    with pytest.raises(HomeAssistantError) as no_push:
        await _install(hass)
    assert no_push.value.translation_key == "charger_update_needs_push"
    assert not any(path == "/update" for _, path in charger.requests)


@pytest.mark.parametrize("sim_options", [{"profile": "dev"}])
async def test_development_build_is_never_nagged(
    hass: HomeAssistant,
    release_server: ReleaseServer,
    charger: ChargerSimulator,
    loaded: MockConfigEntry,
) -> None:
    release_server.publish("v5.1.6", notes=NOTES)
    await wait_for(lambda: release_server.api_requests() == 1)
    await hass.async_block_till_done()
    state = _state(hass)
    assert state.state == STATE_OFF
    assert state.attributes[ATTR_INSTALLED_VERSION] == "master_a5938d0c"
    assert state.attributes[ATTR_LATEST_VERSION] == "master_a5938d0c"


async def test_release_without_an_image_for_the_board_is_not_offered(
    hass: HomeAssistant,
    release_server: ReleaseServer,
    charger: ChargerSimulator,
    loaded: MockConfigEntry,
) -> None:
    await wait_for(lambda: _state(hass).state == STATE_OFF, 10)
    release_server.publish("v5.1.6", build_envs=("openevse_wifi_tft_v1",))
    await _look_again(hass, release_server, checks=2)
    assert _state(hass).attributes[ATTR_LATEST_VERSION] == "v5.1.5"
    assert _state(hass).state == STATE_OFF


async def test_unknown_until_the_release_check_answers(
    hass: HomeAssistant, charger: ChargerSimulator, loaded: MockConfigEntry
) -> None:
    # No release server: the check fails quietly and the entity says it does not know.
    await hass.async_block_till_done()
    assert state_of(hass, FIRMWARE) == STATE_UNKNOWN
    assert _state(hass).attributes[ATTR_INSTALLED_VERSION] == "v5.1.5"


async def test_one_cached_check_a_few_times_a_day_for_all_chargers(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    async with ReleaseServer() as server:
        server.publish("v5.1.6", notes=NOTES)
        releases = FirmwareReleases(async_get_clientsession(hass), server.latest_url)
        first = await releases.async_latest()
        assert isinstance(first, FirmwareRelease)
        assert (
            first.image_for(
                "openevse_wifi_v1",
            )
            is not None
        )
        assert first.image_for(None) is None
        for _ in range(5):
            assert await releases.async_latest() == first
        assert server.api_requests() == 1
        remaining = server.remaining
        freezer.tick(RELEASE_CHECK_INTERVAL + timedelta(seconds=1))
        assert await releases.async_latest() == first
        # Asked again, conditionally: unchanged, so GitHub does not count it.
        assert server.api_requests() == 2
        assert server.remaining == remaining
        # An exhausted rate limit keeps the last answer and retries within the hour.
        server.faults.status = 403
        freezer.tick(RELEASE_CHECK_INTERVAL + timedelta(seconds=1))
        assert await releases.async_latest() == first
        freezer.tick(RELEASE_RETRY_INTERVAL - timedelta(minutes=1))
        await releases.async_latest()
        assert server.api_requests() == 3
        server.faults.status = None
        freezer.tick(timedelta(minutes=2))
        await releases.async_latest()
        assert server.api_requests() == 4
    assert releases.checks == 4


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"tag_name": ""},
        {"tag_name": "v5.1.6", "assets": "none"},
    ],
)
async def test_odd_release_replies(hass: HomeAssistant, body: Any) -> None:
    parsed = FirmwareRelease.from_github(body) if isinstance(body, dict) else None
    if isinstance(body, dict) and body.get("tag_name"):
        assert parsed is not None
        assert parsed.images == {}
    else:
        assert parsed is None


@pytest.mark.usefixtures("release_server", "loaded")
async def test_a_reboot_not_seen_in_time_leaves_the_install_done(
    hass: HomeAssistant,
    release_server: ReleaseServer,
    charger: ChargerSimulator,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The image is flashed; the charger takes longer to reboot than we follow it for.
    monkeypatch.setattr(const, "OTA_REBOOT_DEADLINE", 0.2)
    charger.restart_delay = 30
    await wait_for(lambda: charger.ws_connections == 1, 10)
    await _newer_release(hass, release_server)
    caplog.set_level(logging.INFO)
    await _install(hass)
    await wait_for(lambda: "did not come back from its firmware update" in caplog.text)
    assert _state(hass).attributes[ATTR_IN_PROGRESS] is False
