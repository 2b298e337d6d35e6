"""Riding out faults: what turns a charger's entities unavailable, what does not, and how fast.

Every test runs against the simulator over loopback; the grace rules' durations are shrunk by
the ``fast_grace`` fixture where a test would otherwise wait half a minute.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import EVENT_STATE_CHANGED, STATE_UNAVAILABLE
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, State, callback
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.openevse_moogo.charger import grace
from custom_components.openevse_moogo.const import DOMAIN
from tests.simulators.openevse import ChargerSimulator

from .conftest import state_of, wait_for

STATUS = "sensor.openevse_7c40_status"
PUSH = "binary_sensor.openevse_7c40_push_connection"
LAST_BOOT = "sensor.openevse_7c40_last_boot"
RESTART = "button.openevse_7c40_restart_gateway"


def _recorded(
    hass: HomeAssistant, entry: Callable[[State, State], str | None]
) -> Iterator[list[str]]:
    """Record what ``entry`` makes of each state change of this charger's entities, in order.

    A listener, not polling: a state that lasts only milliseconds (a push channel that
    reconnects at once) is seen too.
    """
    seen: list[str] = []

    @callback
    def follow(event: Event[EventStateChangedData]) -> None:
        new, old = event.data["new_state"], event.data["old_state"]
        if new is None or old is None or "openevse_7c40" not in new.entity_id:
            return
        if (recorded := entry(old, new)) is not None:
            seen.append(recorded)

    unsubscribe = hass.bus.async_listen(EVENT_STATE_CHANGED, follow)
    yield seen
    unsubscribe()


@pytest.fixture
def unavailable(hass: HomeAssistant) -> Iterator[list[str]]:
    """Every charger entity that turns unavailable while the test runs, in order."""
    yield from _recorded(
        hass,
        lambda old, new: (
            new.entity_id
            if new.state == STATE_UNAVAILABLE and old.state != STATE_UNAVAILABLE
            else None
        ),
    )


@pytest.fixture
def push_states(hass: HomeAssistant) -> Iterator[list[str]]:
    """Every state "Push connection" takes while the test runs, in order."""
    yield from _recorded(hass, lambda old, new: new.state if new.entity_id == PUSH else None)


def reauth_started(hass: HomeAssistant) -> bool:
    return any(
        flow["context"]["source"] == SOURCE_REAUTH
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    )


@pytest.fixture
async def pushing(charger: ChargerSimulator, loaded: MockConfigEntry) -> MockConfigEntry:
    """The entry loaded, its push channel up."""
    await wait_for(lambda: charger.ws_connections == 1)
    return loaded


async def press_restart(hass: HomeAssistant) -> None:
    await hass.services.async_call("button", "press", {"entity_id": RESTART}, blocking=True)


async def push_back(hass: HomeAssistant, charger: ChargerSimulator, handshakes: int) -> None:
    """Wait until the push channel is up again on a handshake after the first ``handshakes``."""
    await wait_for(lambda: charger.ws_handshakes > handshakes and state_of(hass, PUSH) == "on", 10)


async def answer_with(charger: ChargerSimulator, status: int) -> None:
    """Every request now fails with ``status``; the push channel drops, so the coordinator polls."""
    charger.faults.http_status = status
    await charger.drop_websockets()


@pytest.mark.parametrize("sim_options", [{"uptime": 3600.0}])
async def test_a_requested_restart_keeps_entities_and_logs_no_error(
    hass: HomeAssistant,
    charger: ChargerSimulator,
    pushing: MockConfigEntry,
    unavailable: list[str],
    push_states: list[str],
) -> None:
    """Restart gateway: the charger goes silent for a second; nothing turns unavailable.

    No ERROR may be logged either (the autouse log check fails the test on one), and the push
    channel is back within moments of the charger's return, not when the keepalive notices.
    """
    charger.restart_downtime = 1.0
    await charger.start_charging()
    await wait_for(lambda: state_of(hass, STATUS) == "charging")
    boot_before = state_of(hass, LAST_BOOT)
    reboots, handshakes = charger.reboots, charger.ws_handshakes
    await press_restart(hass)
    await wait_for(lambda: charger.reboots > reboots, within=5)
    # The drop may last only milliseconds when the charger is back before the probe gives up.
    await wait_for(lambda: "off" in push_states, within=5)
    await wait_for(lambda: charger.online, within=5)
    returned = hass.loop.time()
    await push_back(hass, charger, handshakes)
    assert hass.loop.time() - returned < 3.0  # the keepalive alone would take up to 30 s
    await wait_for(lambda: state_of(hass, LAST_BOOT) != boot_before)
    assert unavailable == []
    coordinator = pushing.runtime_data.coordinator
    assert coordinator.trouble.since is None
    await wait_for(lambda: not coordinator.trouble.restart_expected(hass.loop.time()))


async def test_an_announced_reboot_keeps_entities(
    hass: HomeAssistant,
    charger: ChargerSimulator,
    pushing: MockConfigEntry,
    unavailable: list[str],
) -> None:
    """A flashed update announces its reboot (``{"ota": "completed"}``): it is followed too."""
    handshakes = charger.ws_handshakes
    await charger.broadcast({"ota": "completed"})
    coordinator = pushing.runtime_data.coordinator
    await wait_for(lambda: coordinator.trouble.restart_expected(hass.loop.time()))
    await charger.reboot(downtime=1.0)
    await push_back(hass, charger, handshakes)
    assert unavailable == []


@pytest.mark.expected_errors(("custom_components.openevse_moogo", "^Error fetching OpenEVSE "))
async def test_an_unexplained_outage_shows_within_seconds(
    hass: HomeAssistant,
    charger: ChargerSimulator,
    pushing: MockConfigEntry,
    unavailable: list[str],
) -> None:
    """The charger vanishes unasked (connections refused): unavailable at once; Push says off."""
    port = charger.port
    await charger.stop()
    await wait_for(lambda: state_of(hass, STATUS) == STATE_UNAVAILABLE, within=3)
    assert state_of(hass, PUSH) == "off"
    assert PUSH not in unavailable
    await charger.start(port=port)
    await wait_for(lambda: state_of(hass, STATUS) == "not_connected", within=5)
    await wait_for(lambda: state_of(hass, PUSH) == "on", within=5)


@pytest.mark.usefixtures("fast_grace")
async def test_a_short_503_keeps_values_while_push_shows_it(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    charger: ChargerSimulator,
    pushing: MockConfigEntry,
    unavailable: list[str],
) -> None:
    """One failed poll (503) keeps every value; Push connection and diagnostics show it."""
    coordinator = pushing.runtime_data.coordinator
    await answer_with(charger, 503)
    await wait_for(lambda: coordinator.trouble.since is not None)
    assert state_of(hass, PUSH) == "off"
    assert state_of(hass, STATUS) == "not_connected"
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, pushing)
    assert "503" in diagnostics["coordinator"]["failure"]
    assert diagnostics["coordinator"]["failing_for_seconds"] >= 0
    charger.faults.clear()
    await wait_for(lambda: state_of(hass, PUSH) == "on", within=5)
    assert coordinator.trouble.since is None
    assert unavailable == []


@pytest.mark.expected_errors(
    ("custom_components.openevse_moogo", "^Error fetching OpenEVSE .* HTTP 503")
)
@pytest.mark.usefixtures("fast_grace")
async def test_a_lasting_503_goes_unavailable_after_the_grace(
    hass: HomeAssistant,
    charger: ChargerSimulator,
    pushing: MockConfigEntry,
    unavailable: list[str],
) -> None:
    """503 after 503 (here for longer than the shrunk 1 s grace): unavailable, then back."""
    await answer_with(charger, 503)
    started = hass.loop.time()
    await wait_for(lambda: state_of(hass, STATUS) == STATE_UNAVAILABLE, within=5)
    assert hass.loop.time() - started >= grace.TRANSIENT_GRACE
    assert state_of(hass, PUSH) == "off"  # the connection entity stays available
    charger.faults.clear()
    await wait_for(lambda: state_of(hass, STATUS) == "not_connected", within=5)
    await wait_for(lambda: state_of(hass, PUSH) == "on", within=5)
    assert PUSH not in unavailable


@pytest.mark.expected_errors(("custom_components.openevse_moogo", "^Error fetching OpenEVSE "))
async def test_a_requested_restart_that_never_returns_goes_unavailable(
    hass: HomeAssistant,
    charger: ChargerSimulator,
    pushing: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(grace, "RESTART_GRACE", 1.5)
    charger.restart_downtime = 6.0
    await press_restart(hass)
    await wait_for(lambda: state_of(hass, STATUS) == STATE_UNAVAILABLE, within=10)
    assert state_of(hass, PUSH) == "off"
    await wait_for(lambda: state_of(hass, STATUS) == "not_connected", within=15)


@pytest.mark.usefixtures("fast_grace")
async def test_refused_credentials_are_confirmed_before_reauth(
    hass: HomeAssistant,
    charger: ChargerSimulator,
    pushing: MockConfigEntry,
    unavailable: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A 401 that is gone by the confirming poll asks for nothing and ends the push hold-off."""
    # The confirming poll comes 2 s after the refusal: time to clear the fault on a busy machine.
    monkeypatch.setattr(grace, "DEGRADED_POLL_INTERVAL", timedelta(seconds=2))
    coordinator = pushing.runtime_data.coordinator
    handshakes = charger.ws_handshakes
    await answer_with(charger, 401)
    await wait_for(lambda: coordinator.trouble.auth_refusals == 1)
    charger.faults.clear()
    # The websocket holds off 300 s after refused credentials; the poll that works wakes it.
    await push_back(hass, charger, handshakes)
    assert not reauth_started(hass)
    assert unavailable == []


@pytest.mark.expected_errors(
    ("custom_components.openevse_moogo", "^Authentication failed while fetching OpenEVSE ")
)
@pytest.mark.parametrize("sim_options", [{"username": "admin", "password": "secret"}])
async def test_a_push_channel_back_does_not_excuse_refused_credentials(
    hass: HomeAssistant, charger: ChargerSimulator, pushing: MockConfigEntry
) -> None:
    """The password changed; the websocket reconnects anyway (5.1.5 does not check it there).

    The refusal is still confirmed by the next poll and the password asked for: a push channel
    that connects proves the charger is there, not that our credentials work, and the deltas
    of a charging charger do not postpone the confirming poll.
    """
    await charger.start_charging()
    coordinator = pushing.runtime_data.coordinator
    handshakes = charger.ws_handshakes
    charger.secrets["www_password"] = "changed"
    charger.faults.refuse_websocket = True  # the refusal is seen before the push is back
    await charger.drop_websockets()
    await wait_for(lambda: coordinator.trouble.auth_refusals == 1)
    charger.faults.refuse_websocket = False
    await wait_for(lambda: charger.ws_handshakes > handshakes, within=10)
    await wait_for(lambda: reauth_started(hass), within=15)


@pytest.mark.parametrize("sim_options", [{"profile": "v4"}])
async def test_a_requested_restart_on_firmware_without_uptime(
    hass: HomeAssistant,
    charger: ChargerSimulator,
    pushing: MockConfigEntry,
    unavailable: list[str],
) -> None:
    """4.x reports no uptime: the charger counts as back once the dropped push channel is."""
    charger.restart_downtime = 1.0
    handshakes = charger.ws_handshakes
    await press_restart(hass)
    await push_back(hass, charger, handshakes)
    coordinator = pushing.runtime_data.coordinator
    await wait_for(lambda: not coordinator.trouble.restart_expected(hass.loop.time()), 5)
    assert unavailable == []
