"""The routes clients build on: time, schedule, logs, energy meter, RFID, RAPI, 4.x status."""

from __future__ import annotations

import aiohttp
import pytest

from tests.simulators.openevse import ChargerSimulator

from .helpers import TICK, json_request, next_with, text_request

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


async def test_get_time(sim: ChargerSimulator, session: aiohttp.ClientSession) -> None:
    status, clock = await json_request(session, "GET", f"{sim.url}/time")
    assert status == 200
    assert set(clock) == {"time", "local_time", "offset", "uptime"}
    assert clock["time"].endswith("Z")
    assert clock["local_time"].endswith(clock["offset"])


async def test_post_time_json_sets_the_clock(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    body = {"sntp_enabled": False, "time_zone": "UTC|UTC0", "time": "2030-01-02T03:04:05Z"}
    assert await json_request(session, "POST", f"{sim.url}/time", json=body) == (
        200,
        {"msg": "done"},
    )
    assert sim.config["sntp_enabled"] is False
    assert sim.config["time_zone"] == "UTC|UTC0"
    _, clock = await json_request(session, "GET", f"{sim.url}/time")
    assert clock["time"].startswith("2030-01-02T03:04")
    # With SNTP off the time must be there and end in Z.
    bad = {"sntp_enabled": False, "time_zone": "UTC|UTC0", "time": "tomorrow"}
    assert await json_request(session, "POST", f"{sim.url}/time", json=bad) == (
        400,
        {"msg": "Could not parse time"},
    )
    broken = {"data": "{", "headers": {"Content-Type": "application/json"}}
    assert await json_request(session, "POST", f"{sim.url}/time", **broken) == (
        400,
        {"msg": "Could not parse JSON"},
    )
    # Neither form nor JSON: nothing is read, so with SNTP "off" there is no time; the text
    # error goes out under /time's default JSON content type (web_server_time.cpp).
    assert await text_request(session, "POST", f"{sim.url}/time", data="x") == (
        400,
        "application/json",
        "could not parse time",
    )


async def test_post_time_json_without_a_zone_stores_null(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    # ArduinoJson's as<String>() of a missing key is "null", and the firmware stores it.
    body = {"sntp_enabled": True}
    assert await json_request(session, "POST", f"{sim.url}/time", json=body) == (
        200,
        {"msg": "done"},
    )
    assert sim.config["time_zone"] == "null"


async def test_time_form_and_settime_answer_in_text(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    form = "tz=UTC0&ntp=false&time=2031-05-06T07:08:09Z"
    for path in ("/time", "/settime"):
        status, content_type, text = await text_request(
            session, "POST", f"{sim.url}{path}", data=form, headers=FORM
        )
        assert (status, content_type, text) == (200, "text/plain", "set")
    assert sim.config["time_zone"] == "UTC0"
    status, _, text = await text_request(
        session, "POST", f"{sim.url}/settime", data="ntp=false", headers=FORM
    )
    assert (status, text) == (400, "could not parse time")
    status, _, _ = await text_request(session, "PUT", f"{sim.url}/time")
    assert status == 405


async def test_schedule_post_adds_and_replaces_by_id(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    sim.schedule = [
        {"id": 1, "state": "active", "time": "22:00:00", "days": ["monday", "friday"]},
        {"id": 2, "state": "disabled", "time": "06:30:00", "days": ["tuesday"]},
    ]
    before = {event["id"] for event in sim.schedule}
    events = [
        {"id": 1, "state": "disabled", "time": "21:30", "days": ["monday"]},
        {"id": 9, "state": "active", "time": "05:00", "days": ["sunday", "funday"]},
    ]
    assert await json_request(session, "POST", f"{sim.url}/schedule", json=events) == (
        200,
        {"msg": "done"},
    )
    by_id = {event["id"]: event for event in sim.schedule}
    assert set(by_id) == before | {9}  # event 2 is kept
    assert by_id[1] == {"id": 1, "state": "disabled", "time": "21:30:00", "days": ["monday"]}
    assert by_id[9]["days"] == ["sunday"]  # unknown day names are skipped
    # An event without an id gets a new one; a body id that contradicts the path is refused.
    new = {"state": "active", "time": "12:00", "days": ["friday"]}
    await json_request(session, "POST", f"{sim.url}/schedule", json=new)
    assert max(event["id"] for event in sim.schedule) == 10
    status, _ = await json_request(session, "POST", f"{sim.url}/schedule/3", json=new | {"id": 4})
    assert status == 400
    status, _ = await json_request(session, "POST", f"{sim.url}/schedule", json={"id": 5})
    assert status == 400
    assert (await json_request(session, "DELETE", f"{sim.url}/schedule"))[0] == 405


async def test_logs_record_state_changes_in_blocks(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    await sim.plug_in()
    await sim.start_charging()
    status, bounds = await json_request(session, "GET", f"{sim.url}/logs")
    assert status == 200
    assert bounds == {"min": 0, "max": 0}
    status, entries = await json_request(session, "GET", f"{sim.url}/logs/0")
    assert status == 200
    assert [entry["evseState"] for entry in entries][-2:] == [2, 3]
    assert set(entries[-1]) == {
        "time",
        "type",
        "managerState",
        "evseState",
        "evseFlags",
        "pilot",
        "energy",
        "elapsed",
        "temperature",
        "temperatureMax",
        "divertMode",
        "shaper",
    }
    assert entries[-1]["type"] == "information"
    await sim.raise_fault(6)
    _, entries = await json_request(session, "GET", f"{sim.url}/logs/0")
    assert entries[-1]["type"] == "warning"
    assert await json_request(session, "GET", f"{sim.url}/logs/7") == (
        404,
        {"msg": "Block out of range"},
    )
    assert (await json_request(session, "POST", f"{sim.url}/logs"))[0] == 405
    # Anything up to six characters is the index query; the block is read after them.
    assert await json_request(session, "GET", f"{sim.url}/logs7") == (200, {"min": 0, "max": 0})
    assert (await json_request(session, "GET", f"{sim.url}/logsx0"))[0] == 200


async def test_logs_rotate_and_keep_ten_blocks(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    for _ in range(60):
        await sim.plug_in()
        await sim.unplug()
    _, bounds = await json_request(session, "GET", f"{sim.url}/logs")
    assert bounds["max"] - bounds["min"] == 9
    assert bounds["min"] > 0
    assert (await json_request(session, "GET", f"{sim.url}/logs/{bounds['min'] - 1}"))[0] == 404
    await sim.reboot()  # the log lives in flash
    _, after = await json_request(session, "GET", f"{sim.url}/logs")
    assert after == bounds


async def test_emeter_reset(sim: ChargerSimulator, session: aiohttp.ClientSession) -> None:
    await sim.update_status(session_energy=120.5, total_day=3.2, total_energy=900.0)
    body = {"hard": False, "import": False}
    assert await json_request(session, "DELETE", f"{sim.url}/emeter", json=body) == (
        200,
        {"msg": "Reset done"},
    )
    assert (sim.status["session_energy"], sim.status["total_day"]) == (0, 0)
    assert sim.status["total_energy"] == 900.0  # a soft reset keeps the lifetime total
    body = {"hard": True, "import": False}
    await json_request(session, "DELETE", f"{sim.url}/emeter", json=body)
    assert (sim.status["total_energy"], sim.status["total_switches"]) == (0, 0)
    # The firmware's three spellings of failure.
    assert await json_request(session, "DELETE", f"{sim.url}/emeter", json={"hard": True}) == (
        500,
        {"msg": "Reset Failed"},
    )
    assert await json_request(session, "DELETE", f"{sim.url}/emeter", data="{") == (
        500,
        {"msg": "reset Failed"},
    )
    assert (await json_request(session, "GET", f"{sim.url}/emeter"))[0] == 405


async def test_rfid_add(sim: ChargerSimulator, session: aiohttp.ClientSession) -> None:
    async with session.post(f"{sim.url}/rfid/add") as response:
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert await response.json() == {"msg": "Waiting for badge"}
    await sim.update_config(rfid_enabled=True)
    async with session.ws_connect(f"{sim.url}/ws") as ws:
        await ws.receive_json()
        async with session.get(f"{sim.url}/rfid/add"):
            pass
        assert (await next_with(ws, "rfid_waiting"))["rfid_waiting"] == 60


@pytest.mark.parametrize(
    ("profile", "command", "status", "reply"),
    [
        ("v5", "$GV", 200, {"cmd": "$GV", "ret": "$OK 8.2.3.T2 5.0.1"}),
        ("v5", "$FR", 400, {"cmd": "$FR", "error": "RAPI_RESPONSE_BLOCKED"}),
        ("v5", "$GZ", 200, {"cmd": "$GZ", "ret": "$NK"}),  # $NK is the success path
        ("v4", "$FR", 200, {"cmd": "$FR", "ret": "$OK"}),  # 4.1.7 blocks only $ST
        ("v4", "$ST 22 0 6 0", 400, {"cmd": "$ST 22 0 6 0", "error": "RAPI_RESPONSE_BLOCKED"}),
    ],
)
async def test_rapi_allow_lists(
    session: aiohttp.ClientSession, profile: str, command: str, status: int, reply: object
) -> None:
    async with ChargerSimulator(profile=profile, tick=TICK) as sim:
        data = {"json": "1", "rapi": command}
        assert await json_request(session, "POST", f"{sim.url}/r", data=data) == (status, reply)


async def test_rapi_without_json_is_the_firmware_page(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    status, content_type, page = await text_request(
        session, "GET", f"{sim.url}/r", params={"rapi": "$GV"}
    )
    assert (status, content_type) == (200, "text/html")
    assert "RAPI Command Sent" in page
    assert "$GV<p>&gt;$OK 8.2.3.T2 5.0.1" in page
    assert page.endswith("<p></html>\r\n\r\n")


async def test_4x_status_keys(session: aiohttp.ClientSession) -> None:
    async with ChargerSimulator(profile="v4", tick=TICK) as sim:
        await sim.start_charging()
        _, status = await json_request(session, "GET", f"{sim.url}/status")
        for key in ("session_elapsed", "total_switches", "power", "limit", "uptime"):
            assert key not in status, key
        assert status["wh"] == status["watthour"]


async def test_shaper_and_divertmode_read_their_parameter_as_a_number(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    async with session.post(f"{sim.url}/shaper", data={"shaper": "1"}):
        pass
    assert sim.status["shaper"] == 1
    # No parameter at all is toInt("") == 0: the shaper goes off.
    async with session.post(f"{sim.url}/shaper") as response:
        assert await response.text() == "Current Shaper state changed"
    assert sim.status["shaper"] == 0
    async with session.post(f"{sim.url}/divertmode", data={"divertmode": "2abc"}):
        pass
    assert sim.status["divertmode"] == 2
    async with session.post(f"{sim.url}/divertmode", data={"divertmode": "7"}):
        pass
    assert sim.status["divertmode"] == 2


@pytest.mark.parametrize("flag", ["1", "true", ""])
async def test_rapi_json_flag_is_positive(
    sim: ChargerSimulator, session: aiohttp.ClientSession, flag: str
) -> None:
    data = {"json": flag, "rapi": "$GV"}
    status, reply = await json_request(session, "POST", f"{sim.url}/r", data=data)
    assert (status, reply["cmd"]) == (200, "$GV")
