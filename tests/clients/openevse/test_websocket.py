"""The push channel: states, changed keys, counter refetches, reconnects and liveness."""

# These tests assert state before and after awaits that change it (running, closed, limit);
# mypy narrows across awaits and would call the second assertion unreachable.
# mypy: disable-error-code="unreachable"

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from custom_components.openevse_moogo.clients.openevse import (
    CHANGED_CLAIM_TARGET,
    CHANGED_CONFIG,
    CHANGED_LIMIT,
    CHANGED_OVERRIDE,
    SIGNAL_CONNECTION_STATE,
    SIGNAL_DATA,
    OpenEVSE,
    OpenEVSEWebsocket,
    WebsocketOptions,
    WebsocketState,
)
from custom_components.openevse_moogo.clients.openevse.websocket import websocket_url
from tests.simulators.openevse import ChargerSimulator

from .conftest import (
    FAST_WEBSOCKET,
    PASSWORD,
    USERNAME,
    no_unclosed_sessions,
    wait_for,
    without_clock,
)

type Event = tuple[str, Any, str | None]


class Recorder:
    """A websocket callback that records every event."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def __call__(self, message_type: str, data: Any, error: str | None) -> None:
        self.events.append((message_type, data, error))

    @property
    def states(self) -> list[WebsocketState]:
        return [data for kind, data, _ in self.events if kind == SIGNAL_CONNECTION_STATE]

    @property
    def data(self) -> list[dict[str, Any]]:
        return [data for kind, data, _ in self.events if kind == SIGNAL_DATA]

    def errors(self, state: WebsocketState) -> list[str | None]:
        return [
            error
            for kind, data, error in self.events
            if kind == SIGNAL_CONNECTION_STATE and data is state
        ]


async def connected_charger(charger: OpenEVSE) -> None:
    await charger.update()
    await charger.ws_start()
    await wait_for(lambda: charger.ws_state is WebsocketState.CONNECTED)
    # The firmware pushes the full status on connect: let it arrive before the test acts.
    await wait_for(
        lambda: charger.websocket is not None and charger.websocket.health.messages_received > 0
    )


async def test_standalone_websocket_states_and_owned_session(simulator: ChargerSimulator) -> None:
    recorder = Recorder()

    async def scenario() -> OpenEVSEWebsocket:
        websocket = OpenEVSEWebsocket(simulator.url, recorder, options=FAST_WEBSOCKET)
        assert websocket.state is WebsocketState.CREATED
        assert not websocket.has_injected_session
        async with websocket:
            await wait_for(lambda: bool(recorder.data))
            assert websocket.running
            assert simulator.ws_connections == 1
            await websocket.start()  # already running: no second connection
        assert not websocket.running
        return websocket

    with no_unclosed_sessions():
        websocket = await scenario()
    assert recorder.states == [
        WebsocketState.CONNECTING,
        WebsocketState.CONNECTED,
        WebsocketState.DISCONNECTING,
        WebsocketState.STOPPED,
    ]
    assert recorder.data[0]["state"] == simulator.status["state"]
    assert simulator.ws_handshakes == 1
    await wait_for(lambda: simulator.ws_connections == 0)
    health = websocket.health
    assert health.connected_since is None
    assert health.messages_received >= 1
    assert health.connection_attempts == 1
    assert health.reconnects == 0


async def test_health_stamps_the_last_message(
    simulator: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    recorder = Recorder()
    websocket = OpenEVSEWebsocket(simulator.url, recorder, session=session, options=FAST_WEBSOCKET)
    assert websocket.health.last_message_at is None
    before = datetime.now(UTC)
    async with websocket:
        await wait_for(lambda: bool(recorder.data))
        first = websocket.health
        assert first.last_message_at is not None
        assert first.last_message_at.tzinfo is UTC
        assert before <= first.last_message_at <= datetime.now(UTC)
        await asyncio.sleep(0.01)
        await simulator.update_status(amp=5000)
        await wait_for(lambda: len(recorder.data) > 1)
        later = websocket.health.last_message_at
    assert later is not None
    assert later > first.last_message_at  # a snapshot is never updated; a new one moves on


async def test_stop_before_start_and_twice(simulator: ChargerSimulator) -> None:
    recorder = Recorder()
    websocket = OpenEVSEWebsocket(simulator.url, recorder)
    await websocket.stop()
    await websocket.stop()
    assert recorder.states == [WebsocketState.STOPPED]


async def test_changed_keys_only(simulator: ChargerSimulator, charger: OpenEVSE) -> None:
    changes: list[frozenset[str]] = []
    unsubscribe = charger.subscribe(changes.append)
    await connected_charger(charger)
    changes.clear()
    await simulator.plug_in()
    await wait_for(lambda: bool(changes) and "vehicle" in changes[-1])
    assert charger.vehicle_connected is True
    assert "amp" not in set().union(*changes)  # not charging yet: amp did not change
    # Another client connecting makes the firmware push the full status to everyone:
    # nothing changed, so nothing is reported.
    changes.clear()
    async with aiohttp.ClientSession() as other, other.ws_connect(f"{simulator.url}/ws") as ws:
        await ws.receive()
    await asyncio.sleep(0.1)
    assert without_clock(changes) == []
    unsubscribe()
    changes.clear()
    await simulator.start_charging()
    await asyncio.sleep(0.2)
    assert changes == []
    assert charger.charging_current is not None
    assert charger.charging_current > 0


async def test_version_counters_trigger_refetch(
    simulator: ChargerSimulator, charger: OpenEVSE, session: aiohttp.ClientSession
) -> None:
    changes: list[frozenset[str]] = []
    charger.subscribe(changes.append)
    await connected_charger(charger)
    before = list(simulator.requests)
    # Another controller (the charger's own UI) changes things behind our back.
    async with session.post(f"{simulator.url}/override", json={"state": "disabled"}) as reply:
        assert reply.status == 201
    await wait_for(lambda: charger.override is not None)
    await wait_for(lambda: any(CHANGED_OVERRIDE in keys for keys in changes))
    await wait_for(lambda: any(CHANGED_CLAIM_TARGET in keys for keys in changes))
    async with session.post(f"{simulator.url}/limit", json={"type": "soc", "value": 80}) as reply:
        assert reply.status == 201
    await wait_for(lambda: charger.limit is not None)
    async with session.post(f"{simulator.url}/config", json={"led_brightness": 7}) as reply:
        assert reply.status == 200
    await wait_for(lambda: charger.config_data.led_brightness == 7)
    # On a loaded machine a change's report may trail the model update by a loop turn or two.
    await wait_for(lambda: any(CHANGED_CONFIG in keys for keys in changes))
    await wait_for(lambda: any(CHANGED_LIMIT in keys for keys in changes))
    new_requests = simulator.requests[len(before) :]
    for path in ("/override", "/claims/target", "/limit", "/config"):
        assert ("GET", path) in new_requests
    # Let refetches still in flight for the changes above land before counting.
    count = -1
    while count != len(simulator.requests):
        count = len(simulator.requests)
        await asyncio.sleep(0.3)
    # Charging deltas move no counters: no refetch.
    await simulator.start_charging()
    await asyncio.sleep(0.2)
    assert [req for req in simulator.requests[count:] if req[0] == "GET"] == []


async def test_refetch_failure_is_retried_on_the_next_push(
    simulator: ChargerSimulator, charger: OpenEVSE, session: aiohttp.ClientSession
) -> None:
    await connected_charger(charger)
    simulator.faults.http_status = 500
    await simulator.update_config(led_brightness=9)
    await wait_for(lambda: ("GET", "/config") in simulator.requests[-2:])
    assert charger.config_data.led_brightness != 9
    simulator.faults.http_status = None
    await charger.update()
    assert charger.config_data.led_brightness == 9


async def test_reconnects_after_a_drop_within_a_second(simulator: ChargerSimulator) -> None:
    recorder = Recorder()
    options = WebsocketOptions(stable_after=0.0)
    async with aiohttp.ClientSession() as session:
        websocket = OpenEVSEWebsocket(simulator.url, recorder, session=session, options=options)
        async with websocket:
            await wait_for(lambda: websocket.state is WebsocketState.CONNECTED)
            loop = asyncio.get_running_loop()
            dropped_at = loop.time()
            await simulator.drop_websockets()
            await wait_for(lambda: websocket.state is not WebsocketState.CONNECTED)
            await wait_for(lambda: websocket.state is WebsocketState.CONNECTED, within=2)
            assert loop.time() - dropped_at <= 1.1
            assert websocket.health.reconnects == 1
            assert websocket.health.last_error is not None
        assert not session.closed
    assert WebsocketState.DISCONNECTED in recorder.states


async def test_backoff_grows_and_resets_after_a_healthy_connection(
    simulator: ChargerSimulator,
) -> None:
    recorder = Recorder()
    simulator.faults.refuse_websocket = True
    async with OpenEVSEWebsocket(simulator.url, recorder, options=FAST_WEBSOCKET) as websocket:
        await wait_for(lambda: websocket.health.consecutive_failures >= 3)
        assert "503" in (websocket.health.last_error or "")
        assert recorder.errors(WebsocketState.ERROR)[0] is not None
        simulator.faults.refuse_websocket = False
        await wait_for(lambda: websocket.state is WebsocketState.CONNECTED)
        assert websocket.health.consecutive_failures == 0
        await asyncio.sleep(FAST_WEBSOCKET.stable_after + 0.1)
        await simulator.drop_websockets()
        await wait_for(
            lambda: websocket.health.reconnects == 1 and websocket.state is WebsocketState.CONNECTED
        )


def test_backoff_policy() -> None:
    options = WebsocketOptions()
    rng = random.Random(1)
    first = [options.backoff(1, rng) for _ in range(200)]
    assert all(0.5 <= delay <= 1.0 for delay in first)
    assert len(set(first)) > 100  # jittered
    assert all(options.backoff(n, rng) <= 60 for n in range(1, 40))
    assert max(options.backoff(20, rng) for _ in range(200)) > 50
    assert options.backoff(3, rng) <= 4
    # A half-open connection is noticed and torn down well within 45 s with the defaults.
    assert options.keepalive_interval + options.pong_timeout + options.close_timeout <= 45
    assert options.max_reconnect_attempts is None  # reconnect forever by default


@pytest.mark.parametrize(
    "bad",
    [
        {"keepalive_interval": 0},
        {"pong_timeout": -1},
        {"stable_after": -1},
        {"max_reconnect_attempts": -1},
    ],
)
def test_invalid_options(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011
        WebsocketOptions(**bad)  # type: ignore[arg-type]


async def test_half_open_connection_is_detected(simulator: ChargerSimulator) -> None:
    recorder = Recorder()
    async with OpenEVSEWebsocket(simulator.url, recorder, options=FAST_WEBSOCKET) as websocket:
        await wait_for(lambda: websocket.state is WebsocketState.CONNECTED)
        await wait_for(lambda: websocket.health.pongs_received > 0)
        loop = asyncio.get_running_loop()
        went_silent = loop.time()
        simulator.faults.half_open = True
        await wait_for(lambda: WebsocketState.DISCONNECTED in recorder.states)
        # Detection, then the close handshake the silent peer never answers (bounded too).
        options = FAST_WEBSOCKET
        limit = options.keepalive_interval + options.pong_timeout + options.close_timeout
        assert loop.time() - went_silent <= limit + 0.2
        assert "keepalive" in (recorder.errors(WebsocketState.DISCONNECTED)[0] or "")
        simulator.faults.half_open = False
        await wait_for(
            lambda: websocket.state is WebsocketState.CONNECTED and websocket.health.reconnects >= 1
        )


async def test_gives_up_after_the_attempt_limit(simulator: ChargerSimulator) -> None:
    recorder = Recorder()
    await simulator.stop()
    options = WebsocketOptions(reconnect_delay=0.01, max_reconnect_attempts=2)

    async def scenario() -> None:
        websocket = OpenEVSEWebsocket(simulator.url, recorder, options=options)
        await websocket.start()
        await wait_for(lambda: not websocket.running)
        assert websocket.state is WebsocketState.STOPPED
        assert websocket.health.connection_attempts == 3
        assert websocket._owned_session is None
        await websocket.stop()

    with no_unclosed_sessions():
        await scenario()
    assert recorder.errors(WebsocketState.STOPPED)[0] == "gave up after 3 failed attempts"


async def test_websocket_handshake_auth(auth_simulator: ChargerSimulator) -> None:
    good, bad = Recorder(), Recorder()
    async with aiohttp.ClientSession() as session:
        authed = OpenEVSEWebsocket(auth_simulator.url, good, USERNAME, PASSWORD, session=session)
        anonymous = OpenEVSEWebsocket(
            auth_simulator.url, bad, session=session, options=FAST_WEBSOCKET
        )
        async with authed, anonymous:
            await wait_for(lambda: bool(good.data))
            await wait_for(lambda: bool(bad.errors(WebsocketState.ERROR)))
        assert "401" in (bad.errors(WebsocketState.ERROR)[0] or "")
        assert not bad.data


async def test_client_follows_a_reboot(simulator: ChargerSimulator, charger: OpenEVSE) -> None:
    states: list[WebsocketState] = []
    charger.subscribe_connection(lambda state, _error: states.append(state))
    await connected_charger(charger)
    await charger.set_override(state="disabled")
    await wait_for(lambda: charger.override is not None)
    await simulator.reboot(downtime=0.2)
    # Claims and counters are reset by the reboot: the reconnect's full status moves the
    # counters, so the override is refetched and found gone.
    await wait_for(lambda: charger.override is None, within=5)
    assert WebsocketState.DISCONNECTED in states
    assert states[-1] is WebsocketState.CONNECTED
    assert charger.websocket_health is not None
    assert charger.websocket_health.reconnects >= 1


@pytest.mark.expected_errors(
    (
        "custom_components.openevse_moogo.clients.openevse.websocket",
        "^Error in websocket callback for ",
    )
)
async def test_callback_errors_do_not_stop_the_channel(simulator: ChargerSimulator) -> None:
    calls: list[str] = []

    async def broken(message_type: str, _data: Any, _error: str | None) -> None:
        calls.append(message_type)
        raise RuntimeError("subscriber bug")

    async with OpenEVSEWebsocket(simulator.url, broken, options=FAST_WEBSOCKET) as websocket:
        await wait_for(lambda: SIGNAL_DATA in calls)
        await simulator.plug_in()
        await wait_for(lambda: calls.count(SIGNAL_DATA) >= 2)
        assert websocket.state is WebsocketState.CONNECTED


# --- protocol edge cases a faithful charger never produces: a scripted peer ------------------


@pytest.fixture
async def scripted_peer() -> AsyncIterator[tuple[str, list[Any]]]:
    """A websocket server that plays a script of frames, then closes with an error code."""
    script: list[Any] = []

    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=False)
        await ws.prepare(request)
        for frame in script:
            if isinstance(frame, bytes):
                await ws.send_bytes(frame)
            elif frame == "PING":
                await ws.ping(b"x")
            else:
                await ws.send_str(frame)
        await ws.close(code=aiohttp.WSCloseCode.INTERNAL_ERROR)
        return ws

    app = web.Application()
    app.router.add_get("/ws", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield f"ws://127.0.0.1:{port}/ws", script
    await runner.cleanup()


async def test_odd_frames_are_tolerated(scripted_peer: tuple[str, list[Any]]) -> None:
    url, script = scripted_peer
    script.extend(
        [
            "PING",
            "not json",
            "[1, 2]",
            '{"pong": 1}',
            '{"pong": 1, "amp": 5}',
            b'{"voltage": 240}',
            '{"state": 3}',
        ]
    )
    recorder = Recorder()
    options = WebsocketOptions(reconnect_delay=5, max_reconnect_attempts=0)
    async with OpenEVSEWebsocket(url, recorder, options=options) as websocket:
        await wait_for(lambda: WebsocketState.STOPPED in recorder.states)
        assert websocket.health.pongs_received == 2
        assert websocket.health.messages_received == 6
    assert recorder.data == [{"amp": 5}, {"voltage": 240}, {"state": 3}]
    assert recorder.errors(WebsocketState.DISCONNECTED) == ["closed (1011)"]


@pytest.mark.parametrize(
    ("server", "expected"),
    [
        ("openevse.local", "ws://openevse.local/ws"),
        ("http://10.0.0.2/", "ws://10.0.0.2/ws"),
        ("https://10.0.0.2:8443", "wss://10.0.0.2:8443/ws"),
        ("ws://10.0.0.2:81", "ws://10.0.0.2:81/ws"),
        ("wss://10.0.0.2/custom", "wss://10.0.0.2/custom"),
    ],
)
def test_websocket_url(server: str, expected: str) -> None:
    assert str(websocket_url(server)) == expected


async def test_client_websocket_details(simulator: ChargerSimulator, charger: OpenEVSE) -> None:
    assert charger.ws_state is WebsocketState.STOPPED
    assert charger.websocket_health is None
    states: list[WebsocketState] = []
    unsubscribe = charger.subscribe_connection(lambda state, _error: states.append(state))
    await connected_charger(charger)
    websocket = charger.websocket
    await charger.ws_start()  # already running: the same websocket
    assert charger.websocket is websocket
    assert websocket is not None
    assert websocket.options is FAST_WEBSOCKET
    # Firmware up to 4.1.7 pushes "wh"; it is cached under its current name.
    changes: list[frozenset[str]] = []
    charger.subscribe(changes.append)
    assert await charger._apply_delta({"wh": 1234}) == {"watthour"}
    assert charger.status_data.raw["watthour"] == 1234
    unsubscribe()
    await charger.ws_disconnect()
    assert states == [WebsocketState.CONNECTING, WebsocketState.CONNECTED]


async def test_websocket_on_a_closed_session_reports_an_error(simulator: ChargerSimulator) -> None:
    recorder = Recorder()
    session = aiohttp.ClientSession()
    await session.close()
    options = WebsocketOptions(reconnect_delay=0.01, max_reconnect_attempts=0)
    async with OpenEVSEWebsocket(simulator.url, recorder, session=session, options=options):
        await wait_for(lambda: WebsocketState.STOPPED in recorder.states)
    assert recorder.errors(WebsocketState.ERROR) == ["the HTTP session is closed"]


async def test_probe_keeps_a_live_link_and_drops_a_silent_one(simulator: ChargerSimulator) -> None:
    # Default options: the keepalive alone would need up to 30 s to notice the reboot.
    recorder = Recorder()
    async with OpenEVSEWebsocket(simulator.url, recorder) as websocket:
        await wait_for(lambda: websocket.state is WebsocketState.CONNECTED)
        assert await websocket.probe(0.5) is True
        loop = asyncio.get_running_loop()
        reboot = asyncio.create_task(simulator.reboot(downtime=0.3))
        await wait_for(lambda: not simulator.online)
        assert await websocket.probe(0.2) is False
        await reboot
        returned = loop.time()
        # Within the default backoff (1 s, then 2 s) of the return, not the keepalive's 30 s.
        await wait_for(lambda: websocket.health.reconnects == 1, within=5)
        assert loop.time() - returned < 3.5
        assert "reconnect requested" in recorder.errors(WebsocketState.DISCONNECTED)
        assert websocket.state is WebsocketState.CONNECTED
    assert await websocket.probe(0.1) is False  # stopped: nothing to probe


async def test_reconnect_skips_the_credentials_hold_off(auth_simulator: ChargerSimulator) -> None:
    recorder = Recorder()
    async with OpenEVSEWebsocket(auth_simulator.url, recorder, USERNAME, "wrong") as websocket:
        await wait_for(lambda: bool(recorder.errors(WebsocketState.ERROR)))
        attempts = websocket.health.connection_attempts
        await asyncio.sleep(0.2)
        assert websocket.health.connection_attempts == attempts  # holding off for 300 s
        websocket.reconnect()
        await wait_for(lambda: websocket.health.connection_attempts > attempts)


async def test_client_probe_and_reconnect_without_a_websocket(charger: OpenEVSE) -> None:
    charger.ws_reconnect()  # nothing to reconnect: no error
    assert await charger.ws_probe(0.01) is False


async def test_a_link_that_stalls_and_resumes_ends_equal_to_the_charger(
    simulator: ChargerSimulator, charger: OpenEVSE
) -> None:
    """A proxy stops forwarding for longer than the keepalive tolerates, then forwards again.

    Meanwhile the car is plugged in and starts charging. The client drops the silent link and
    connects again while the link is still stalled; once it forwards, the client's cache must
    equal the charger, although the changes happened while nothing got through.
    """
    await connected_charger(charger)
    handshakes = simulator.ws_handshakes
    simulator.faults.half_open = True
    await wait_for(lambda: simulator.ws_handshakes > handshakes)  # reconnected into the stall
    await simulator.start_charging()
    await asyncio.sleep(0.3)
    simulator.faults.half_open = False

    def same() -> bool:
        shown = charger.status_data.raw
        return all(shown.get(key) == simulator.status[key] for key in ("state", "vehicle"))

    # Well before the periodic full data push (every 30 ticks) would repair it by chance.
    await wait_for(same, within=10 * simulator.tick)
    assert charger.ws_state is WebsocketState.CONNECTED
