"""The status cache under push: deltas merged key by key, models built on read, snapshots kept.

A pushed delta only costs the size of the delta: its keys are compared with the cached raw
values, merged into the raw status, and the typed model is rebuilt when someone reads it. What a
reader already holds never changes underneath it.
"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Mapping
from typing import Any

import aiohttp
import pytest

from custom_components.openevse_moogo.clients.openevse import (
    CHANGED_CONFIG,
    ChargerStatus,
    OpenEVSE,
)
from custom_components.openevse_moogo.clients.openevse.client import (
    _changed_keys,
    _changed_values,
)
from custom_components.openevse_moogo.clients.openevse.transport import parse_json
from tests.simulators.openevse import ChargerSimulator

from .conftest import wait_for, without_clock
from .test_websocket import connected_charger


@pytest.fixture
def model_builds(monkeypatch: pytest.MonkeyPatch) -> list[Mapping[str, Any]]:
    """Record every ``ChargerStatus`` the client builds (the raw object it was built from)."""
    builds: list[Mapping[str, Any]] = []
    build = ChargerStatus.from_dict

    def recording(_cls: type[ChargerStatus], raw: Mapping[str, Any]) -> ChargerStatus:
        builds.append(raw)
        return build(raw)

    monkeypatch.setattr(ChargerStatus, "from_dict", classmethod(recording))
    return builds


async def pushed(charger: OpenEVSE, simulator: ChargerSimulator, **fields: Any) -> None:
    """Change status fields on the device and wait until the client reported them."""
    seen: list[frozenset[str]] = []
    unsubscribe = charger.subscribe(seen.append)
    try:
        await simulator.update_status(**fields)
        await wait_for(lambda: any(set(fields) <= keys for keys in seen))
    finally:
        unsubscribe()


async def test_a_snapshot_never_changes_after_later_pushes(
    simulator: ChargerSimulator, charger: OpenEVSE
) -> None:
    await connected_charger(charger)
    snapshot = charger.status_data
    raw_before = dict(snapshot.raw)
    assert charger.status_data is snapshot  # built once, then served from the cache
    await pushed(charger, simulator, amp=12345, voltage=231)
    await pushed(charger, simulator, amp=23456)
    assert dict(snapshot.raw) == raw_before
    assert snapshot.charging_current == 0
    assert snapshot.voltage == 240
    current = charger.status_data
    assert current is not snapshot
    assert current.charging_current == pytest.approx(23.456)
    assert current.voltage == 231
    assert charger.charging_current == pytest.approx(23.456)


async def test_pushes_build_no_model_until_it_is_read(
    simulator: ChargerSimulator, charger: OpenEVSE, model_builds: list[Mapping[str, Any]]
) -> None:
    await connected_charger(charger)
    snapshot = charger.status_data
    model_builds.clear()
    # The first change copies the dict the snapshot holds; later ones merge into the copy.
    await pushed(charger, simulator, amp=1000)
    await pushed(charger, simulator, amp=2000, voltage=235)
    await pushed(charger, simulator, pilot=16)
    assert model_builds == []
    assert snapshot.charging_current == 0
    assert snapshot.pilot == 32
    current = charger.status_data
    assert len(model_builds) == 1
    assert model_builds[0] is not snapshot.raw
    assert (current.charging_current, current.voltage, current.pilot) == (2.0, 235, 16)
    assert charger.state is current.state
    assert charger.status_data is current
    assert len(model_builds) == 1


async def test_a_push_that_changes_nothing_keeps_the_model(
    simulator: ChargerSimulator, charger: OpenEVSE, model_builds: list[Mapping[str, Any]]
) -> None:
    await connected_charger(charger)
    snapshot = charger.status_data
    reported: list[frozenset[str]] = []
    charger.subscribe(reported.append)
    received = charger.websocket.health.messages_received if charger.websocket else 0
    # Another client connecting makes the firmware push its full status to everyone.
    async with aiohttp.ClientSession() as other, other.ws_connect(f"{simulator.url}/ws") as ws:
        await ws.receive()
    await wait_for(
        lambda: (
            charger.websocket is not None and charger.websocket.health.messages_received > received
        )
    )
    changed = frozenset().union(*reported)
    if changed:
        # The push crossed a second boundary: only the charger's clock fields may have moved.
        assert without_clock(reported) == []
        assert charger.status_data is not snapshot
    else:
        assert charger.status_data is snapshot
        assert len(model_builds) == 1


async def test_update_replaces_the_model_lazily(
    simulator: ChargerSimulator, charger: OpenEVSE, model_builds: list[Mapping[str, Any]]
) -> None:
    await charger.update()
    assert model_builds == []
    first = charger.status_data
    await simulator.update_status(amp=4000)
    await charger.update()
    assert len(model_builds) == 1
    assert first.charging_current == 0
    assert charger.charging_current == 4.0
    assert len(model_builds) == 2


async def test_a_failed_refetch_is_retried_on_the_next_push(
    simulator: ChargerSimulator, charger: OpenEVSE
) -> None:
    await connected_charger(charger)
    changes: list[frozenset[str]] = []
    charger.subscribe(changes.append)
    simulator.faults.http_status = 500
    await simulator.update_config(led_brightness=9)
    await wait_for(lambda: ("GET", "/config") in simulator.requests[-2:])
    assert charger.config_data.led_brightness != 9
    simulator.faults.http_status = None
    # A push that moves no counter still retries the fetch whose counter is unrecorded.
    await simulator.update_status(amp=3000)
    await wait_for(lambda: charger.config_data.led_brightness == 9)
    assert any(CHANGED_CONFIG in keys for keys in changes)
    # Once fetched, pushes cost no request.
    count = len(simulator.requests)
    await pushed(charger, simulator, amp=3500)
    await asyncio.sleep(0.05)
    assert simulator.requests[count:] == []


async def test_a_moved_counter_is_fetched_once(
    simulator: ChargerSimulator, charger: OpenEVSE
) -> None:
    await connected_charger(charger)
    count = len(simulator.requests)
    version = simulator.status["limit_version"]
    delta = {"limit_version": version + 1, "amp": 10}
    assert await charger._apply_delta(dict(delta)) == {"limit_version", "amp"}
    assert simulator.requests[count:] == [("GET", "/limit")]
    count = len(simulator.requests)
    assert await charger._apply_delta(dict(delta)) == set()
    # A counter that is not a number names nothing to fetch.
    assert await charger._apply_delta({"limit_version": "n/a"}) == {"limit_version"}
    assert simulator.requests[count:] == []


@pytest.mark.parametrize(
    ("old", "new", "changed_values", "changed_keys"),
    [
        ({"a": 1, "b": 2}, {"a": 1, "b": 2}, set(), set()),
        ({"a": 1}, {"a": 2}, {"a"}, {"a"}),
        ({"a": 0}, {"a": False}, {"a"}, {"a"}),  # 0 is not false on the wire
        ({"a": 1}, {"a": 1.0}, {"a"}, {"a"}),
        ({"a": None}, {"b": None}, {"b"}, {"a", "b"}),  # absent is not null
        ({"a": [1, 2]}, {"a": [1, 2]}, set(), set()),
        ({"a": 1, "b": 2}, {"a": 1}, set(), {"b"}),  # only a full replacement removes
    ],
)
def test_changed_key_detection(
    old: dict[str, Any], new: dict[str, Any], changed_values: set[str], changed_keys: set[str]
) -> None:
    assert _changed_values(old, new) == changed_values
    assert _changed_keys(old, new) == changed_keys


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            '{"amp": 32000, "voltage": 240.5, "status": "active", "flags": null, "x": [true]}',
            id="status",
        ),
        pytest.param('{"temp": NaN, "power": Infinity, "solar": -Infinity}', id="non-finite"),
        pytest.param('{"counter": 18446744073709551615, "low": -9223372036854775808}', id="64-bit"),
        pytest.param('{"name": "\\ud800"}', id="lone-surrogate"),
        pytest.param("[" * 2000 + "]" * 2000, id="deep-nesting"),
        pytest.param("1.5e308", id="scalar"),
    ],
)
def test_parse_json_accepts_what_the_standard_parser_accepts(text: str) -> None:
    expected = json.loads(text)
    for given in (text, text.encode("utf-8", errors="surrogatepass")):
        parsed = parse_json(given)
        assert repr(parsed) == repr(expected)
        assert type(parsed) is type(expected)


def test_parse_json_reads_integers_beyond_64_bits_as_floats() -> None:
    # No firmware writes them (ArduinoJson integers have 64 bits); orjson's choice is kept.
    assert parse_json("[18446744073709551616]") == [float(2**64)]


@pytest.mark.parametrize("text", ["", "not json", '{"a": 1', "{'a': 1}", '{"a": 1} x'])
def test_parse_json_rejects_what_is_not_json(text: str) -> None:
    with pytest.raises(ValueError, match=r".+"):
        parse_json(text)


async def test_non_finite_values_in_a_push_are_merged(
    simulator: ChargerSimulator, charger: OpenEVSE
) -> None:
    await connected_charger(charger)
    changes: list[frozenset[str]] = []
    charger.subscribe(changes.append)
    # Python's encoder, like other lenient ones, writes a bare NaN: not strict JSON.
    await simulator.broadcast({"temp4": math.nan, "amp": 700})
    await wait_for(lambda: bool(changes))
    assert changes == [frozenset({"temp4", "amp"})]
    assert math.isnan(charger.status_data.raw["temp4"])
    assert charger.status_data.esp_temperature is None  # not a finite reading
    assert charger.charging_current == pytest.approx(0.7)
