"""The development branch's energy history routes (web_server_energy_logger.cpp)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import aiohttp
import pytest

from tests.simulators.openevse import ChargerSimulator
from tests.simulators.openevse.energy_logger import ENERGY_BUFFER_SIZE

from .helpers import TICK, json_request, text_request, until

ROUTES = ("/energy/raw", "/energy/daily", "/energy/monthly", "/energy/annual")


@pytest.fixture
async def master() -> AsyncIterator[ChargerSimulator]:
    sim = ChargerSimulator(profile="master", tick=TICK)
    await sim.start()
    yield sim
    await sim.stop()


async def test_master_serves_the_energy_routes_as_json(
    master: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    for path, key in zip(ROUTES, ("samples", "daily", "monthly", "annual"), strict=True):
        status, body = await json_request(session, "GET", f"{master.url}{path}")
        assert status == 200, path
        assert list(body) == [key], path
    # Daily / monthly / annual come from flash summaries written at midnight and month ends:
    # a simulated charger has none, whatever year or quarter is asked for.
    query = {"year": "2026", "quarter": "4"}
    _, body = await json_request(session, "GET", f"{master.url}/energy/daily", params=query)
    assert body == {"daily": []}


async def test_energy_routes_answer_options_and_refuse_other_methods(
    master: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    for path in ROUTES:
        status, content_type, text = await text_request(session, "OPTIONS", f"{master.url}{path}")
        assert (status, content_type, text) == (200, "application/json", ""), path
        status, content_type, text = await text_request(session, "POST", f"{master.url}{path}")
        assert (status, content_type, text) == (405, "application/json", ""), path


async def test_weekly_and_longer_paths_are_not_routes(
    master: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    # /energy/weekly exists only in ENABLE_TSDB builds; the patterns are anchored ($).
    for path in ("/energy/weekly", "/energy/raw/1", "/energy"):
        status, _, text = await text_request(session, "GET", f"{master.url}{path}")
        assert (status, text) == (404, "Not Found"), path
    status, _ = await json_request(session, "GET", f"{master.url}/ENERGY/RAW")
    assert status == 200


@pytest.mark.parametrize("profile", ["v5", "dev", "v4"])
async def test_released_firmware_has_no_energy_routes(
    profile: str, session: aiohttp.ClientSession
) -> None:
    async with ChargerSimulator(profile=profile, tick=TICK) as sim:
        for path in ROUTES:
            status, _, text = await text_request(session, "GET", f"{sim.url}{path}")
            assert (status, text) == (404, "Not Found"), path


async def test_raw_samples_are_taken_at_boot_and_every_minute(
    master: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    _, body = await json_request(session, "GET", f"{master.url}/energy/raw")
    assert len(body["samples"]) == 1  # the logger's first loop, at boot
    first = body["samples"][0]
    assert set(first) == {"ts", "a", "t", "e"}
    assert abs(first["ts"] - datetime.now(UTC).timestamp()) < 5
    # Idle: no current, the monitor's temperature in degrees, no session energy.
    assert (first["a"], first["e"]) == (0, 0)
    assert first["t"] == master.status["temp"] / 10
    await master.start_charging()
    await until(lambda: len(master.energy_logger.samples) == 2, within=30)
    _, body = await json_request(session, "GET", f"{master.url}/energy/raw")
    charging = body["samples"][1]
    assert charging["a"] > 0
    assert charging["e"] > 0
    # A monitor without a valid temperature (`false` in /status) is logged as 0.
    await master.finish_charging()
    await master.update_status(temp=False)
    await until(lambda: len(master.energy_logger.samples) == 3, within=30)
    assert master.energy_logger.samples[2]["t"] == 0


async def test_max_keeps_the_newest_and_before_picks_the_earlier_block(
    master: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    await master.update_config(time_zone="UTC|UTC0")
    logger = master.energy_logger
    logger.samples.clear()
    # Four hours of samples from 2026-03-01 00:00 UTC, one a minute: the ring keeps the
    # newest 180 (01:00 onwards).
    start = int(datetime(2026, 3, 1, tzinfo=UTC).timestamp())
    for minute in range(240):
        logger.sample(start + minute * 60, 6.5, 24.5, float(minute))
    assert len(logger.samples) == ENERGY_BUFFER_SIZE
    url = f"{master.url}/energy/raw"
    _, body = await json_request(session, "GET", url, params={"max": "2"})
    assert [entry["e"] for entry in body["samples"]] == [238, 239]
    assert body["samples"][0] == {"ts": start + 238 * 60, "a": 6.5, "t": 24.5, "e": 238}
    # before = 05:00: one save interval back is 02:00, the block 00:00-03:00 (from 01:00 in
    # the ring, no flash file in the simulator), capped by max.
    before = str(start + 5 * 3600)
    _, body = await json_request(session, "GET", url, params={"before": before})
    assert [entry["e"] for entry in body["samples"]] == [float(m) for m in range(60, 180)]
    _, body = await json_request(session, "GET", url, params={"before": before, "max": "3"})
    assert [entry["e"] for entry in body["samples"]] == [60, 61, 62]
    # A value too long for the firmware's buffer (7 characters for max) is no value at all.
    _, body = await json_request(session, "GET", url, params={"max": "00000001"})
    assert len(body["samples"]) == ENERGY_BUFFER_SIZE


async def test_a_reboot_empties_the_ring(
    master: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    for minute in range(5):
        master.energy_logger.sample(1_800_000_000 + minute * 60, 0.0, 0.0, 0.0)
    await master.reboot()
    _, body = await json_request(session, "GET", f"{master.url}/energy/raw")
    assert len(body["samples"]) == 1
