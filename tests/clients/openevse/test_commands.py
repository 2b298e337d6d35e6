"""Every command, checked by its effect on the simulated charger."""

# These tests assert state before and after awaits that change it (running, closed, limit);
# mypy narrows across awaits and would call the second assertion unreachable.
# mypy: disable-error-code="unreachable"

from __future__ import annotations

import pytest

from custom_components.openevse_moogo.clients.openevse import (
    ChargeMode,
    ChargeState,
    DivertMode,
    LimitType,
    OpenEVSE,
    OpenEVSECommandError,
    OpenEVSEServerError,
    ServiceLevel,
    VehicleDataSource,
)
from tests.simulators.openevse import CLIENT_MANUAL, ChargerSimulator

from .conftest import wait_for


async def test_manual_override_set_toggle_clear(
    simulator: ChargerSimulator, charger: OpenEVSE
) -> None:
    await charger.set_override(
        state=ChargeState.DISABLED, charge_current=8, max_current=16, auto_release=False
    )
    override = await charger.get_override()
    assert override is not None
    assert override.state is ChargeState.DISABLED
    assert (override.charge_current, override.max_current) == (8, 16)
    assert override.auto_release is False
    assert simulator.status["manual_override"] == 1
    await charger.clear_override()
    assert await charger.get_override() is None
    # Clearing again: the firmware answers 500, which means "nothing to clear".
    await charger.clear_override()
    assert simulator.requests.count(("DELETE", "/override")) == 2
    await charger.toggle_override()
    assert await charger.get_override() is not None
    assert ("PATCH", "/override") in simulator.requests


async def test_clear_override_failure_is_reported_when_an_override_remains(
    simulator: ChargerSimulator, charger: OpenEVSE
) -> None:
    await charger.set_override(state="active")
    simulator.faults.http_status = 500
    with pytest.raises(OpenEVSEServerError):
        await charger.clear_override()


async def test_own_claim_make_and_release(simulator: ChargerSimulator, charger: OpenEVSE) -> None:
    await charger.make_claim(state="disabled", charge_current=10, max_current=24)
    listing = {claim["client"]: claim for claim in simulator.claims.listing()}
    assert listing[23]["state"] == "disabled"
    assert listing[23]["charge_current"] == 10
    assert listing[23]["priority"] == 500
    await charger.make_claim(charge_current=6, client_id=99, auto_release=False)
    assert 99 in {claim["client"] for claim in simulator.claims.listing()}
    await charger.release_claim()
    await charger.release_claim(99)
    assert simulator.claims.listing() == []
    # Releasing a claim that does not exist (404) is success.
    await charger.release_claim()
    assert simulator.requests.count(("DELETE", "/claims/23")) == 2


@pytest.mark.parametrize("kind", list(LimitType))
async def test_limits(simulator: ChargerSimulator, charger: OpenEVSE, kind: LimitType) -> None:
    await charger.set_limit(kind.value, 40, auto_release=False)
    assert simulator.limit == {"type": kind.value, "value": 40, "auto_release": False}
    limit = await charger.get_limit()
    assert limit is not None
    assert limit.limit_type is kind
    assert limit.auto_release is False
    await charger.clear_limit()
    assert simulator.limit is None
    await charger.clear_limit()  # "no limit" is success too


async def test_divert_mode_and_shaper_use_form_bodies(
    simulator: ChargerSimulator, charger: OpenEVSE
) -> None:
    await charger.set_divert_mode("eco")
    assert simulator.status["divertmode"] == 2
    await charger.set_divert_mode(DivertMode.FAST)
    assert simulator.status["divertmode"] == 1
    await charger.set_current_shaper(True)
    assert simulator.status["shaper"] == 1
    await charger.set_current_shaper(False)
    assert simulator.status["shaper"] == 0
    assert simulator.requests.count(("POST", "/divertmode")) == 2


async def test_config_writes(simulator: ChargerSimulator, charger: OpenEVSE) -> None:
    await charger.set_service_level(ServiceLevel.LEVEL_1)
    assert simulator.config["service"] == 1
    assert charger.config_data.service_level is ServiceLevel.LEVEL_1
    await charger.set_charge_mode("eco")
    assert simulator.config["charge_mode"] == "eco"
    assert charger.config_data.charge_mode is ChargeMode.ECO
    await charger.set_divert_enabled(True)
    assert simulator.config["divert_enabled"] is True
    await charger.set_led_brightness(42)
    assert simulator.config["led_brightness"] == 42
    await charger.set_vehicle_data_source(2)
    assert simulator.config["vehicle_data_src"] == VehicleDataSource.MQTT
    config = await charger.set_config({"max_current_soft": 20, "pause_uses_disabled": True})
    assert config.max_current_soft == 20
    assert config.pause_uses_disabled is True


async def test_feeds_posted_to_status(simulator: ChargerSimulator, charger: OpenEVSE) -> None:
    await charger.set_voltage(231)
    assert simulator.status["voltage"] == 231
    await charger.set_solar_production(1500)
    assert simulator.status["solar"] == 1500
    await charger.set_grid_power(-800)
    assert simulator.status["grid_ie"] == -800
    await charger.set_shaper_live_power(2500)
    assert simulator.status["shaper_live_pwr"] == 2500
    await charger.set_vehicle_data(soc=55, range_=210, eta=3600)
    await charger.set_home_battery(soc=80, power=-1200)
    assert simulator.requests.count(("POST", "/status")) == 6


def status_posts(simulator: ChargerSimulator) -> int:
    return simulator.requests.count(("POST", "/status"))


async def test_several_feeds_go_out_in_one_request() -> None:
    # The development firmware also takes the vehicle charge limit and the home battery.
    async with ChargerSimulator(profile="dev", tick=0.05) as simulator:
        charger = OpenEVSE(f"{simulator.host}:{simulator.port}")
        await charger.set_vehicle_data_source(VehicleDataSource.HTTP)
        assert simulator.config["vehicle_data_src"] == 3
        assert charger.config_data.vehicle_data_source == VehicleDataSource.HTTP

        await charger.post_status_feeds(
            voltage=229,
            grid_ie=-640,
            shaper_live_pwr=3100,
            battery_level=71,
            battery_range=305,
            time_to_full_charge=2400,
            vehicle_charge_limit=90,
            home_battery_soc=65,
            home_battery_power=-900,
        )

        assert status_posts(simulator) == 1
        status = simulator.status
        assert (status["voltage"], status["grid_ie"], status["shaper_live_pwr"]) == (
            229,
            -640,
            3100,
        )
        assert (status["battery_level"], status["battery_range"]) == (71, 305)
        assert (status["time_to_full_charge"], status["vehicle_charge_limit"]) == (2400, 90)
        assert (status["home_battery_soc"], status["home_battery_power"]) == (65, -900)

        await charger.post_status_feeds(solar=1800, request_timeout=2.0)
        assert status_posts(simulator) == 2
        assert simulator.status["solar"] == 1800
        assert simulator.status["grid_ie"] == -640  # not sent, so left alone


async def test_feed_mistakes_raise_value_error(
    simulator: ChargerSimulator, charger: OpenEVSE
) -> None:
    with pytest.raises(ValueError, match="no value"):
        await charger.post_status_feeds()
    with pytest.raises(ValueError, match="not both"):
        await charger.post_status_feeds(solar=100, grid_ie=-100)
    with pytest.raises(ValueError, match="VehicleDataSource"):
        await charger.set_vehicle_data_source(7)
    assert status_posts(simulator) == 0
    assert ("POST", "/config") not in simulator.requests


async def test_restarts_succeed_even_when_the_reboot_cuts_the_connection(
    simulator: ChargerSimulator, charger: OpenEVSE
) -> None:
    await charger.restart_evse()
    await charger.restart_gateway()
    await wait_for(lambda: not simulator.online)
    await wait_for(lambda: simulator.online)
    assert simulator.requests.count(("POST", "/restart")) == 2


async def test_restart_with_the_connection_cut_is_success(
    simulator: ChargerSimulator, charger: OpenEVSE
) -> None:
    await simulator.stop()
    await charger.restart_gateway()  # refused connection: the charger is already rebooting


async def test_caller_mistakes_raise_value_error(charger: OpenEVSE) -> None:
    with pytest.raises(ValueError, match="charge_current"):
        await charger.set_override(charge_current=0)
    with pytest.raises(ValueError, match="ChargeState"):
        await charger.make_claim(state="paused")
    with pytest.raises(ValueError, match="positive"):
        await charger.set_limit("energy", 0)
    with pytest.raises(ValueError, match="LimitType"):
        await charger.set_limit("distance", 10)
    with pytest.raises(ValueError, match="divert"):
        await charger.set_divert_mode("turbo")
    with pytest.raises(ValueError, match="writable"):
        await charger.set_config({"www_password": "x"})
    with pytest.raises(ValueError, match="nothing"):
        await charger.set_config({})
    with pytest.raises(ValueError, match="0-255"):
        await charger.set_led_brightness(256)
    with pytest.raises(ValueError, match="vehicle"):
        await charger.set_vehicle_data()
    with pytest.raises(ValueError, match="battery"):
        await charger.set_home_battery()


async def test_command_rejected_by_the_charger(
    simulator: ChargerSimulator, charger: OpenEVSE
) -> None:
    simulator.faults.http_status = 400
    with pytest.raises(OpenEVSECommandError) as caught:
        await charger.set_override(state="active")
    assert caught.value.status == 400
    assert caught.value.message == "Bad Request"
    assert CLIENT_MANUAL not in {claim["client"] for claim in simulator.claims.listing()}
