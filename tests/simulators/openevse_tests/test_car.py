"""The simulated car follows the pilot late, up to its own maximum, and may draw less."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest

from tests.simulators.openevse import CarModel, ChargerSimulator

from .helpers import json_request, until

CLIENT = 20


def test_a_car_model_rejects_what_no_car_is() -> None:
    with pytest.raises(ValueError, match="positive"):
        CarModel(max_amps=0)
    with pytest.raises(ValueError, match="positive"):
        CarModel(draw_ratio=1.5)


async def test_without_a_car_model_the_pilot_is_drawn_at_once(sim: ChargerSimulator) -> None:
    await sim.start_charging()
    await until(lambda: sim.status["amp"] > 0)
    assert abs(sim.status["amp"] - sim.status["pilot"] * 1000) < 500


async def test_the_car_follows_a_lower_pilot_after_its_delay(
    session: aiohttp.ClientSession,
) -> None:
    async with ChargerSimulator(tick=0.02, car=CarModel(max_amps=16, delay_s=0.4)) as sim:
        started = time.monotonic()
        await sim.start_charging()
        # Capped by its own on-board charger, not the 32 A pilot; and only after its delay.
        await until(lambda: sim.status["amp"] == 16000, within=5)
        assert time.monotonic() - started >= 0.4
        await json_request(session, "POST", f"{sim.url}/claims/{CLIENT}", json={"max_current": 10})
        assert sim.status["pilot"] == 10
        lowered = time.monotonic()
        await asyncio.sleep(0.1)
        assert sim.status["amp"] == 16000  # still drawing the old current: it is late
        await until(lambda: sim.status["amp"] == 10000, within=5)
        assert time.monotonic() - lowered >= 0.4


async def test_a_car_may_draw_less_than_allowed() -> None:
    async with ChargerSimulator(tick=0.02, car=CarModel(draw_ratio=0.5, delay_s=0)) as sim:
        await sim.start_charging()
        await until(lambda: sim.status["amp"] > 0, within=5)
        assert sim.status["amp"] == 16000  # half of the 32 A pilot
        await sim.finish_charging()
        assert sim.status["amp"] == 0
        assert sim.car is not None
        assert sim.car.draw == 0
