"""Spray history (device logs) and firmware updates."""

from __future__ import annotations

from tests.simulators.moogo import MoogoCloudSimulator

from .support import Api, FakeClock, utc


async def test_logs_filter_by_date_in_the_device_zone(
    authed: Api, pump: str, sim: MoogoCloudSimulator, clock: FakeClock
) -> None:
    for day in (1, 2, 3):  # 20:00 Los Angeles time is 03:00 UTC the next day
        clock.now = utc(2025, 6, day + 1, 3, 0)
        sim.start_scheduled_spray(pump, 10 * day)
        clock.tick(3600)
    path = f"v1/devices/{pump}/logs"
    everything = await authed.call("GET", path, params={"pageSize": 9999})
    assert [row["seconds"] for row in everything.data["items"]] == [30, 20, 10]
    query = {"startDate": "2025-06-02", "endDate": "2025-06-03", "page": 1, "pageSize": 9999}
    ranged = await authed.call("GET", path, params=query)
    assert [row["seconds"] for row in ranged.data["items"]] == [30, 20]
    assert ranged.data["total"] == 2
    paged = await authed.call("GET", path, params={"page": 2, "pageSize": 2})
    assert [row["seconds"] for row in paged.data["items"]] == [10]
    bad = await authed.call("GET", path, params={"startDate": "June 2"})
    assert bad.code == 10000


async def test_ota_check_and_update(
    authed: Api, pump: str, sim: MoogoCloudSimulator, clock: FakeClock
) -> None:
    path = f"v1/devices/{pump}/ota"
    current = (await authed.call("POST", path + "Check", json={})).data
    assert (current["currentVersion"], current["needUpgrade"], current["isUpdating"]) == (
        "1.0.8",
        False,
        False,
    )
    assert set(current["version"]) == {"code", "description", "file", "status"}
    assert (await authed.call("POST", path + "Update", json={})).code == 10000
    sim.offer_firmware(pump, "1.1.0", "Quieter pump start")
    offer = (await authed.call("POST", path + "Check")).data
    assert offer["needUpgrade"] is True
    assert (offer["version"]["code"], offer["version"]["description"]) == (
        "1.1.0",
        "Quieter pump start",
    )
    assert (await authed.call("POST", path + "Update", json={})).code == 0
    assert (await authed.call("POST", path + "Check")).data["isUpdating"] is True
    clock.tick(30)
    after = (await authed.call("POST", path + "Check")).data
    assert (after["currentVersion"], after["isUpdating"], after["needUpgrade"]) == (
        "1.1.0",
        False,
        False,
    )
    assert (await authed.status(pump))["firmware"] == "1.1.0"


async def test_ota_check_is_post_only(authed: Api, pump: str) -> None:
    assert (await authed.call("GET", f"v1/devices/{pump}/otaCheck")).status == 405


async def test_ota_update_needs_the_pump_online(
    authed: Api, pump: str, sim: MoogoCloudSimulator
) -> None:
    sim.offer_firmware(pump, "1.1.0")
    sim.set_online(pump, False)
    assert (await authed.call("POST", f"v1/devices/{pump}/otaUpdate")).code == 10201
