"""The device list, a device's status, rename and unbind."""

from __future__ import annotations

from tests.simulators.moogo import MoogoCloudSimulator

from .support import MONDAY_NOON_UTC, Api


async def test_device_list(authed: Api, sim: MoogoCloudSimulator) -> None:
    second = sim.add_device(name="Side Yard", online=False, rssi=-71)
    answer = await authed.call("GET", "v1/devices", params={"page": 1, "pageSize": 999})
    assert answer.code == 0
    assert answer.data["total"] == 2
    first, other = answer.data["items"]
    assert set(first) == {"deviceId", "deviceName", "onlineStatus", "rssi", "createdAt"}
    assert other == {
        "deviceId": second,
        "deviceName": "Side Yard",
        "onlineStatus": 0,
        "rssi": -71,
        "createdAt": int(MONDAY_NOON_UTC),
    }
    page_two = await authed.call("GET", "v1/devices", params={"page": "2", "pageSize": "1"})
    assert [item["deviceId"] for item in page_two.data["items"]] == [second]
    assert page_two.data["total"] == 2


async def test_device_ids_are_stable_per_account() -> None:
    one = MoogoCloudSimulator(devices=3)
    two = MoogoCloudSimulator(devices=3)
    other = MoogoCloudSimulator(email="someone@example.com", devices=1)
    assert one.device_ids == two.device_ids
    assert len(set(one.device_ids)) == 3
    assert other.device_ids[0] not in one.device_ids


async def test_device_status_wire_format(authed: Api, pump: str, sim: MoogoCloudSimulator) -> None:
    sim.set_temperature(pump, 23.4)
    sim.set_levels(pump, concentrate_low=True)
    status = await authed.status(pump)
    assert status == {
        "deviceId": pump,
        "deviceName": "Backyard",
        "onlineStatus": 1,
        "runStatus": 0,
        "rssi": -58,
        "temperature": 23,
        "humidity": 55,
        "liquid_level": 0,
        "water_level": 1,
        "liquidConcentration": 100,
        "latestSprayingDuration": 0,
        "latestSprayingEnd": 0,
        "firmware": "1.0.8",
    }
    assert sim.device(pump) == status
    sim.set_levels(pump, water_low=True, concentrate_low=False)
    status = await authed.status(pump)
    assert (status["water_level"], status["liquid_level"]) == (0, 1)


async def test_unknown_removed_and_revoked_devices(
    authed: Api, sim: MoogoCloudSimulator, pump: str
) -> None:
    unknown = await authed.call("GET", "v1/devices/ffffffffffffffffffffffff")
    assert (unknown.status, unknown.code) == (200, 404)
    shared = sim.add_device()
    sim.revoke_access(shared)
    revoked = await authed.call("POST", f"v1/devices/{shared}/start", json={"mode": "normal"})
    assert (revoked.status, revoked.code) == (200, 403)
    listed = await authed.call("GET", "v1/devices")
    assert [item["deviceId"] for item in listed.data["items"]] == [pump]
    sim.remove_device(pump)
    assert (await authed.call("GET", f"v1/devices/{pump}")).code == 404
    assert (await authed.call("GET", "v1/devices")).data["total"] == 0


async def test_unbind_device(authed: Api, sim: MoogoCloudSimulator, pump: str) -> None:
    assert (await authed.call("DELETE", f"v1/devices/{pump}")).code == 0
    assert sim.device_ids == []
    assert (await authed.call("GET", f"v1/devices/{pump}")).code == 404


async def test_rename(authed: Api, pump: str) -> None:
    renamed = await authed.call("PUT", f"v1/devices/{pump}/update", json={"deviceName": "Deck"})
    assert renamed.code == 0
    assert (await authed.status(pump))["deviceName"] == "Deck"
    listed = await authed.call("GET", "v1/devices")
    assert listed.data["items"][0]["deviceName"] == "Deck"
    blank = await authed.call("PUT", f"v1/devices/{pump}/update", json={"deviceName": " "})
    assert blank.code == 10000
