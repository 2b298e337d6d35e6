"""Every cloud call of the client, checked against the simulated cloud's state and wire."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from custom_components.openevse_moogo.clients.moogo import (
    EVERY_DAY,
    CommandState,
    LiquidLevel,
    MoogoClient,
    MoogoConfigUpdate,
    MoogoDeviceNotFoundError,
    MoogoDeviceOfflineError,
    MoogoTooColdError,
    MoogoValidationError,
    ScheduleSpec,
    SprayCommand,
    SprayMode,
)
from tests.simulators.moogo import MoogoCloudSimulator

from .conftest import SentRequest


def sent(sim: MoogoCloudSimulator, method: str, suffix: str) -> int:
    """How many requests of ``method`` to a path ending in ``suffix`` reached the cloud."""
    return sum(1 for m, path in sim.requests if m == method and path.endswith(suffix))


async def test_get_devices(client: MoogoClient, sim: MoogoCloudSimulator) -> None:
    sim.set_online(sim.device_ids[1], False)
    first, second = await client.get_devices()
    assert (first.device_id, first.name, first.online) == (sim.device_ids[0], "Backyard", True)
    assert first.rssi == -58
    assert first.created_at is not None
    assert abs(first.created_at - datetime.now(UTC)) < timedelta(minutes=1)
    assert second.online is False
    assert first.raw["deviceId"] == first.device_id


async def test_get_device_status(client: MoogoClient, sim: MoogoCloudSimulator) -> None:
    device_id = sim.device_ids[0]
    sim.set_temperature(device_id, 17.0)
    sim.set_humidity(device_id, 61)
    sim.set_rssi(device_id, -71)
    sim.set_levels(device_id, water_low=True)

    status = await client.get_device_status(device_id)

    assert status.device_id == device_id
    assert status.online
    assert not status.running
    assert (status.temperature, status.humidity, status.rssi) == (17.0, 61, -71)
    assert status.water_level is LiquidLevel.LOW
    assert status.concentrate_level is LiquidLevel.OK
    assert status.concentration == 100
    assert status.firmware == "1.0.8"
    assert status.raw == sim.device(device_id)

    sim.set_levels(device_id, water_low=False, concentrate_low=True)
    sim.set_online(device_id, False)
    status = await client.get_device_status(device_id)
    assert status.water_level is LiquidLevel.OK
    assert status.concentrate_level is LiquidLevel.LOW
    assert not status.online


async def test_start_confirm_stop_confirm(
    client: MoogoClient, sim: MoogoCloudSimulator, wire: list[SentRequest]
) -> None:
    device_id = sim.device_ids[0]
    started = await client.start_spray(device_id)
    assert started.state is CommandState.SENT
    assert started.command is SprayCommand.START
    assert started.status is None
    # The cloud flips runStatus only a few seconds later.
    assert not (await client.get_device_status(device_id)).running

    confirmed = await client.confirm_spray(started, within=3, poll_interval=0.05)

    assert confirmed.state is CommandState.CONFIRMED
    assert confirmed.sent_at == started.sent_at
    assert confirmed.status is not None
    assert confirmed.status.running
    assert confirmed.status.latest_spray_duration == timedelta(seconds=60)
    assert confirmed.status.latest_spray_end is not None
    assert confirmed.status.latest_spray_end > datetime.now(UTC)
    assert sent(sim, "POST", "/start") == 1

    stopped = await client.stop_spray(device_id)
    assert stopped.command is SprayCommand.STOP
    confirmed = await client.confirm_spray(stopped, within=3, poll_interval=0.05)
    assert confirmed.state is CommandState.CONFIRMED
    assert confirmed.status is not None
    assert not confirmed.status.running
    assert sent(sim, "POST", "/stop") == 1
    start_body = next(r for r in wire if r.url.path.endswith("/start"))
    assert start_body.method == "POST"


async def test_spray_mode_sent(sim: MoogoCloudSimulator, session: aiohttp.ClientSession) -> None:
    bodies: list[object] = []

    async def on_chunk(
        _session: aiohttp.ClientSession, _ctx: object, params: aiohttp.TraceRequestChunkSentParams
    ) -> None:
        bodies.append(json.loads(params.chunk))

    trace = aiohttp.TraceConfig()
    trace.on_request_chunk_sent.append(on_chunk)
    async with aiohttp.ClientSession(trace_configs=[trace]) as traced:
        client = MoogoClient(
            email=sim.email, password=sim.password, session=traced, base_url=sim.url
        )
        await client.start_spray(sim.device_ids[0], mode=SprayMode.SELF_TEST)
        await client.stop_spray(sim.device_ids[0])
    assert bodies[1:] == [{"mode": "self-test"}, {"mode": "normal"}]


async def test_unconfirmed_command_is_not_resent(
    client: MoogoClient, sim: MoogoCloudSimulator
) -> None:
    sim.faults.unconfirmed_commands = True
    started = await client.start_spray(sim.device_ids[0])

    result = await client.confirm_spray(started, within=0.3, poll_interval=0.05)

    assert result.state is CommandState.NOT_CONFIRMED
    assert result.status is not None
    assert not result.status.running
    assert sent(sim, "POST", "/start") == 1
    assert sent(sim, "GET", sim.device_ids[0]) >= 3  # polled, not re-sent


async def test_start_refused_offline_and_cold(
    client: MoogoClient, sim: MoogoCloudSimulator
) -> None:
    offline, cold = sim.device_ids
    sim.set_online(offline, False)
    sim.set_temperature(cold, 6.5)

    with pytest.raises(MoogoDeviceOfflineError) as caught:
        await client.start_spray(offline)
    assert caught.value.code == 10201
    assert caught.value.api_message
    with pytest.raises(MoogoDeviceOfflineError):
        await client.stop_spray(offline)
    with pytest.raises(MoogoTooColdError) as cold_error:
        await client.start_spray(cold)
    assert cold_error.value.code == 10202
    # Refusals are final: nothing was retried.
    assert sent(sim, "POST", "/start") == 2


async def test_removed_and_revoked_devices(client: MoogoClient, sim: MoogoCloudSimulator) -> None:
    removed, revoked = sim.device_ids
    sim.remove_device(removed)
    sim.revoke_access(revoked)
    with pytest.raises(MoogoDeviceNotFoundError) as caught:
        await client.get_device_status(removed)
    assert caught.value.code == 404
    with pytest.raises(MoogoDeviceNotFoundError) as forbidden:
        await client.start_spray(revoked)
    assert forbidden.value.code == 403
    assert await client.get_devices() == []


async def test_schedule_lifecycle(
    client: MoogoClient, sim: MoogoCloudSimulator, wire: list[SentRequest]
) -> None:
    device_id = sim.device_ids[0]
    empty = await client.get_schedules(device_id)
    assert empty.schedules == ()
    assert empty.master_switch_on is True
    assert wire[-1].url.query == {"page": "1", "pageSize": "20"}

    await client.create_schedule(
        device_id, ScheduleSpec(hour=7, minute=45, duration=90, repeat_days=frozenset({1, 3, 5}))
    )
    await client.create_schedule(device_id, ScheduleSpec(hour=20, minute=0, duration=60))
    listing = await client.get_schedules(device_id)
    assert listing.total == 2
    morning, evening = sorted(listing.schedules, key=lambda s: s.hour)
    assert (morning.hour, morning.minute, morning.duration) == (7, 45, 90)
    assert morning.repeat_days == {1, 3, 5}
    assert morning.enabled
    assert not morning.skip_next
    assert morning.next_run is not None
    assert morning.next_run > datetime.now(UTC)
    assert evening.repeat_days == EVERY_DAY

    # A second schedule at the same time is a validation error (code 10000, not the login cap).
    with pytest.raises(MoogoValidationError) as duplicate:
        await client.create_schedule(device_id, ScheduleSpec(hour=7, minute=45, duration=30))
    assert duplicate.value.code == 10000

    await client.update_schedule(
        device_id,
        morning.schedule_id,
        dataclasses.replace(morning.to_spec(), minute=50, repeat_days=frozenset()),
    )
    await client.disable_schedule(device_id, evening.schedule_id)
    await client.skip_schedule(device_id, morning.schedule_id)
    listing = await client.get_schedules(device_id)
    updated = {s.schedule_id: s for s in listing.schedules}
    assert updated[morning.schedule_id].minute == 50
    assert updated[morning.schedule_id].repeat_days == frozenset()
    assert updated[morning.schedule_id].skip_next
    assert not updated[evening.schedule_id].enabled

    await client.enable_schedule(device_id, evening.schedule_id)
    assert (await client.get_schedules(device_id)).schedules[1].enabled

    await client.set_schedules_enabled(device_id, False)
    assert (await client.get_schedules(device_id)).master_switch_on is False
    await client.set_schedules_enabled(device_id, True)
    assert (await client.get_schedules(device_id)).master_switch_on is True
    assert ("PUT", f"/v1/devices/{device_id}/schedules/switch/close") in sim.requests

    await client.delete_schedule(device_id, morning.schedule_id)
    remaining = await client.get_schedules(device_id)
    assert [s.schedule_id for s in remaining.schedules] == [evening.schedule_id]


async def test_puts_without_payload_go_out_as_the_app_sends_them(
    client: MoogoClient, sim: MoogoCloudSimulator, device_id: str, wire: list[SentRequest]
) -> None:
    # The vendor app's PUTs without @Body carry a zero-length body and no Content-Type
    # (reference 1.2); aiohttp alone would label them application/octet-stream.
    await client.create_schedule(device_id, ScheduleSpec(hour=6, minute=15, duration=30))
    (item,) = (await client.get_schedules(device_id)).schedules
    await client.disable_schedule(device_id, item.schedule_id)
    await client.enable_schedule(device_id, item.schedule_id)
    await client.skip_schedule(device_id, item.schedule_id)
    await client.set_schedules_enabled(device_id, False)
    await client.set_schedules_enabled(device_id, True)
    await client.delete_schedule(device_id, item.schedule_id)
    bare = [r for r in wire if r.method in {"PUT", "DELETE"}]
    assert [r.url.path.rsplit("/", 1)[-1] for r in bare] == [
        "disable",
        "enable",
        "skip",
        "close",
        "open",
        item.schedule_id,
    ]
    for request in bare:
        assert request.headers.get("Content-Length") == "0", request
        assert "Content-Type" not in request.headers, request
    assert sim.schedules(device_id) == []
    # A PUT with a payload is still JSON.
    await client.rename_device(device_id, "Lanai")
    assert wire[-1].headers["Content-Type"] == "application/json"
    assert sim.device(device_id)["deviceName"] == "Lanai"


async def test_schedule_spec_validated_before_sending(client: MoogoClient) -> None:
    for bad in (
        {"hour": 24, "minute": 0, "duration": 60},
        {"hour": 8, "minute": 60, "duration": 60},
        {"hour": 8, "minute": 0, "duration": 0},
        {"hour": 8, "minute": 0, "duration": 60, "repeat_days": frozenset({7})},
    ):
        with pytest.raises(MoogoValidationError, match="Invalid schedule"):
            ScheduleSpec(**bad)


async def test_ids_are_required_and_escaped(
    client: MoogoClient, sim: MoogoCloudSimulator, wire: list[SentRequest]
) -> None:
    with pytest.raises(MoogoValidationError):
        await client.get_device_status("")
    with pytest.raises(MoogoValidationError):
        await client.delete_schedule(sim.device_ids[0], "")
    # An id cannot escape its path segment.
    with pytest.raises(MoogoDeviceNotFoundError):
        await client.get_device_status("../../v1/liquid")
    assert wire[-1].url.raw_path == "/v1/devices/..%2F..%2Fv1%2Fliquid"


async def test_device_config_read_and_write(client: MoogoClient, sim: MoogoCloudSimulator) -> None:
    device_id = sim.device_ids[0]
    config = await client.get_device_config(device_id)
    assert config.device_id == device_id
    assert config.spraying_seconds == 60
    assert config.liquid_name == "Mosquito Concentrate"
    assert config.time_zone == "America/Los_Angeles"
    assert config.sync_status is True
    assert (config.stop_temperature, config.stop_rainy, config.stop_snow) == (10, 1, 1)
    assert config.stop_windstorm == 0

    await client.update_device_config(
        device_id,
        MoogoConfigUpdate(
            spraying_seconds=45,
            liquid_name="Natural Botanical",
            liquid_concentration=60,
            stop_temperature=12,
            stop_rainy=0,
            stop_snow=0,
            stop_windstorm=1,
            time_zone="Europe/Berlin",
        ),
    )
    stored = sim.config(device_id)
    assert stored["sprayingSeconds"] == 45
    assert stored["liquidName"] == "Natural Botanical"
    assert stored["liquidConcentration"] == 60
    assert stored["timeZone"] == "Europe/Berlin"
    assert (stored["stopTemperature"], stored["stopWindstorm"]) == (12, 1)

    await client.update_device_config(
        device_id, MoogoConfigUpdate(time_zone=ZoneInfo("Australia/Sydney"))
    )
    assert sim.config(device_id)["timeZone"] == "Australia/Sydney"
    assert sim.config(device_id)["sprayingSeconds"] == 45


@pytest.mark.parametrize(
    ("update", "message"),
    [
        (MoogoConfigUpdate(), "No setting"),
        (MoogoConfigUpdate(time_zone="CET-1CEST,M3.5.0,M10.5.0/3"), "IANA"),
        (MoogoConfigUpdate(time_zone=""), "IANA"),
        (MoogoConfigUpdate(time_zone="Mars/Olympus_Mons"), "IANA"),
        (MoogoConfigUpdate(liquid_name="  "), "liquid name"),
        (MoogoConfigUpdate(liquid_concentration=0), "concentration"),
        (MoogoConfigUpdate(spraying_seconds=-5), "spraying time"),
    ],
)
async def test_device_config_rejected_locally(
    client: MoogoClient, sim: MoogoCloudSimulator, update: MoogoConfigUpdate, message: str
) -> None:
    with pytest.raises(MoogoValidationError, match=message):
        await client.update_device_config(sim.device_ids[0], update)
    assert not any(method == "PUT" for method, _ in sim.requests)


@pytest.mark.parametrize("stored", ["", "PST8PDT,M3.2.0,M11.1.0"])
async def test_device_config_of_a_device_without_an_iana_zone(
    client: MoogoClient, sim: MoogoCloudSimulator, stored: str
) -> None:
    # Such a device refuses every settings write until one sets an IANA zone: a clear
    # validation error (not the login cap, although the cloud's code is 10000 for both).
    device_id = sim.add_device(time_zone=stored)
    assert (await client.get_device_config(device_id)).time_zone == (stored or None)
    with pytest.raises(MoogoValidationError, match="timeZone") as refused:
        await client.update_device_config(device_id, MoogoConfigUpdate(spraying_seconds=45))
    assert refused.value.code == 10000
    assert sim.config(device_id)["sprayingSeconds"] == 60
    fixed = MoogoConfigUpdate(spraying_seconds=45, time_zone=ZoneInfo("America/Denver"))
    await client.update_device_config(device_id, fixed)
    assert (sim.config(device_id)["sprayingSeconds"], sim.config(device_id)["timeZone"]) == (
        45,
        "America/Denver",
    )


def test_zoneinfo_without_a_name_is_rejected() -> None:
    with (resources.files("tzdata.zoneinfo") / "UTC").open("rb") as tzif:
        nameless = ZoneInfo.from_file(tzif)
    with pytest.raises(MoogoValidationError, match="no IANA name"):
        MoogoConfigUpdate(time_zone=nameless).to_api()


async def test_spray_history(session: aiohttp.ClientSession, wire: list[SentRequest]) -> None:
    now = [datetime(2026, 7, 1, 18, 0, tzinfo=UTC).timestamp()]
    async with MoogoCloudSimulator(clock=lambda: now[0]) as sim:
        device_id = sim.device_ids[0]
        sim.start_scheduled_spray(device_id, 30)
        now[0] += 3600
        sim.start_scheduled_spray(device_id, 45)
        now[0] += 3600
        client = MoogoClient(
            email=sim.email, password=sim.password, session=session, base_url=sim.url
        )
        records = await client.get_spray_history(
            device_id, start=date(2026, 6, 30), end=date(2026, 7, 2)
        )
        assert wire[-1].url.query == {
            "startDate": "2026-06-30",
            "endDate": "2026-07-02",
            "page": "1",
            "pageSize": "9999",
        }
        durations = sorted(r.duration for r in records if r.duration is not None)
        assert durations == [timedelta(seconds=30), timedelta(seconds=45)]
        assert {r.started_at for r in records} == {
            datetime(2026, 7, 1, 18, 0, tzinfo=UTC),
            datetime(2026, 7, 1, 19, 0, tzinfo=UTC),
        }
        assert all(r.record_id for r in records)
        assert (
            await client.get_spray_history(device_id, start=date(2026, 8, 1), end=date(2026, 8, 2))
            == []
        )
        with pytest.raises(MoogoValidationError):
            await client.get_spray_history(device_id, start=date(2026, 8, 2), end=date(2026, 8, 1))


async def test_firmware_check_and_update(client: MoogoClient, sim: MoogoCloudSimulator) -> None:
    device_id = sim.device_ids[0]
    current = await client.check_firmware_update(device_id)
    assert current.current_version == "1.0.8"
    assert not current.update_available
    assert not current.updating

    sim.offer_firmware(device_id, "1.1.0", "Quieter pump")
    offered = await client.check_firmware_update(device_id)
    assert offered.update_available
    assert offered.latest_version == "1.1.0"
    assert offered.release_notes == "Quieter pump"

    await client.start_firmware_update(device_id)
    assert (await client.check_firmware_update(device_id)).updating
    assert ("POST", f"/v1/devices/{device_id}/otaCheck") in sim.requests


async def test_rename_device(client: MoogoClient, sim: MoogoCloudSimulator) -> None:
    device_id = sim.device_ids[0]
    await client.rename_device(device_id, "  Garden pump ")
    assert sim.device(device_id)["deviceName"] == "Garden pump"
    assert (await client.get_devices())[0].name == "Garden pump"
    with pytest.raises(MoogoValidationError):
        await client.rename_device(device_id, " ")
    with pytest.raises(MoogoValidationError):
        await client.rename_device(device_id, "x" * 65)  # refused by the cloud itself


async def test_public_catalog(client: MoogoClient, sim: MoogoCloudSimulator) -> None:
    liquids = await client.get_liquid_types()
    assert [liquid.name for liquid in liquids][:1] == ["Mosquito Concentrate"]
    assert liquids[0].concentration == 100

    plans = await client.get_recommended_plans()
    assert plans
    assert plans[0].title
    assert plans[0].schedules
    assert plans[0].schedules[0].repeat_days == EVERY_DAY
    assert sim.login_count == 0  # public routes need no login
