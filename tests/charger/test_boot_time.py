""" "Last boot": moves on a real reboot only, whatever the clocks and readings do meanwhile."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openevse_moogo.charger import boot
from custom_components.openevse_moogo.charger.boot import BootTracker
from tests.simulators.openevse import ChargerSimulator
from tests.simulators.openevse.simulator import DATA_READY_TICKS

from .conftest import state_of, wait_for

LAST_BOOT = "sensor.openevse_7c40_last_boot"
START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class Clocks:
    """Home Assistant's wall clock and the monotonic clock, moved by the test."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.elapsed = 0.0
        monkeypatch.setattr(boot.time, "monotonic", lambda: 1000.0 + self.elapsed)
        monkeypatch.setattr(boot.dt_util, "utcnow", lambda: START + timedelta(seconds=self.elapsed))


@pytest.fixture
def clocks(monkeypatch: pytest.MonkeyPatch) -> Clocks:
    return Clocks(monkeypatch)


def test_a_slow_gateway_clock_over_a_month_is_not_a_reboot(clocks: Clocks) -> None:
    # A crystal 50 ppm slow drifts 130 s in a month: estimates from it would move by minutes.
    tracker = BootTracker()
    first = tracker.update(7200)
    for _ in range(30 * 24 * 120):  # a reading every 30 s
        clocks.elapsed += 30
        assert tracker.update(int(7200 + clocks.elapsed * (1 - 50e-6))) == first
    assert tracker.reboots == 0
    assert first == START - timedelta(seconds=7200)


def test_stale_and_overtaken_readings_change_nothing(clocks: Clocks) -> None:
    tracker = BootTracker()
    first = tracker.update(500)
    clocks.elapsed = 600  # ten minutes without a new reading: the old one is kept, not aged
    assert tracker.update(500) == first
    assert tracker.update(None) == first
    clocks.elapsed = 630
    assert tracker.update(1130) == first
    assert tracker.update(1127) == first  # a slow /status reply after a newer push
    assert tracker.reboots == 0


def test_a_smaller_uptime_is_a_reboot(clocks: Clocks) -> None:
    tracker = BootTracker()
    tracker.update(86400)
    clocks.elapsed = 40
    assert tracker.update(12) == START + timedelta(seconds=28)
    assert tracker.reboots == 1


def test_uptime_lagging_far_behind_the_time_passed_is_a_reboot(clocks: Clocks) -> None:
    # Up 20 s, then away for two minutes: the new boot's uptime (30 s) is larger than the old.
    tracker = BootTracker()
    tracker.update(20)
    clocks.elapsed = 150
    assert tracker.update(30) == START + timedelta(seconds=120)
    assert tracker.reboots == 1


@pytest.mark.parametrize("sim_options", [{"uptime": 5 * 86400.0}])
async def test_last_boot_stays_put_through_a_long_charge(
    hass: HomeAssistant, charger: ChargerSimulator, loaded: MockConfigEntry
) -> None:
    """Charging, with the gateway's periodic data (uptime and clock) pushed again and again."""
    writes: list[str] = []

    @callback
    def follow(event: Event[EventStateChangedData]) -> None:
        if event.data["entity_id"] == LAST_BOOT and (new := event.data["new_state"]) is not None:
            writes.append(new.state)

    unsubscribe = hass.bus.async_listen(EVENT_STATE_CHANGED, follow)
    try:
        await wait_for(lambda: charger.ws_connections == 1)
        boot_time = state_of(hass, LAST_BOOT)
        pushes = charger.ws_handshakes
        await charger.start_charging()
        uptimes: set[int] = set()
        # Seven rounds of the periodic data (every DATA_READY_TICKS ticks), each with a new
        # uptime, between hundreds of charging deltas.
        deadline = hass.loop.time() + 8 * DATA_READY_TICKS * charger.tick + 5
        while len(uptimes) < 7 and hass.loop.time() < deadline:
            uptimes.add(loaded.runtime_data.client.status_data.uptime or 0)
            await asyncio.sleep(charger.tick)
        assert len(uptimes) >= 7
        assert state_of(hass, LAST_BOOT) == boot_time
        assert writes == []
        assert charger.ws_handshakes == pushes

        # A real reboot moves it, once (the silent socket is cut so the client need not wait
        # for its keepalive to reconnect).
        await charger.reboot(downtime=0.1)
        await charger.drop_websockets()
        await wait_for(lambda: state_of(hass, LAST_BOOT) != boot_time, within=5)
        assert len(writes) == 1
    finally:
        unsubscribe()
