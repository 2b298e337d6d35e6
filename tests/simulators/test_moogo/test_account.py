"""Login, the daily login cap, tokens and the public catalogue routes."""

from __future__ import annotations

import pytest

from tests.simulators.moogo import MoogoCloudSimulator

from .support import Api, FakeClock


async def test_login_with_app_string_values(api: Api, sim: MoogoCloudSimulator) -> None:
    answer = await api.login(keep="true")
    assert answer.status == 200
    assert answer.code == 0
    data = answer.data
    assert set(data) == {"userId", "token", "ttl", "email", "nickname"}
    assert len(data["token"]) == 32
    assert all(ch in "0123456789abcdef" for ch in data["token"])
    assert isinstance(data["userId"], str)
    assert len(data["userId"]) == 18
    assert data["userId"].isdigit()
    assert data["ttl"] == 31536000
    assert data["email"] == sim.email
    assert sim.login_count == 1


async def test_login_with_native_values_and_short_session(api: Api) -> None:
    answer = await api.login(keep=False)
    assert answer.code == 0
    assert answer.data["ttl"] == 86400


async def test_login_accepts_form_body(api: Api, sim: MoogoCloudSimulator) -> None:
    form = {"email": sim.email, "password": sim.password, "keep": "true"}
    answer = await api.call("POST", "v1/user/login", data=form)
    assert answer.code == 0


async def test_each_login_issues_a_new_token(api: Api, sim: MoogoCloudSimulator) -> None:
    first = (await api.login()).data["token"]
    second = (await api.login()).data["token"]
    assert first != second
    assert sim.login_count == 2


async def test_login_rejects_wrong_credentials(api: Api, sim: MoogoCloudSimulator) -> None:
    answer = await api.login(password="not-it")
    assert (answer.status, answer.code) == (200, 10104)
    assert answer.data is None
    assert (await api.login(email="other@example.com")).code == 10104
    assert sim.login_count == 0


async def test_wrong_password_fault(api: Api, sim: MoogoCloudSimulator) -> None:
    sim.faults.wrong_password = True
    assert (await api.login()).code == 10104
    sim.faults.wrong_password = False
    assert (await api.login()).code == 0


async def test_login_outage_fault(authed: Api, sim: MoogoCloudSimulator) -> None:
    sim.faults.login_http_status = 503
    answer = await authed.login()
    assert (answer.status, answer.code) == (503, 503)
    assert (await authed.call("GET", "v1/devices")).status == 200  # the rest still answers
    sim.faults.login_http_status = None
    assert (await authed.login()).code == 0


async def test_login_missing_field_is_a_business_error(api: Api) -> None:
    answer = await api.call("POST", "v1/user/login", json={"email": "demo@example.com"})
    assert (answer.status, answer.code) == (200, 10000)


async def test_daily_login_cap(api: Api, sim: MoogoCloudSimulator, clock: FakeClock) -> None:
    sim.faults.login_cap_after = 2
    assert (await api.login()).code == 0
    assert (await api.login()).code == 0
    capped = await api.login()
    assert (capped.status, capped.code) == (200, 10000)
    assert capped.body["message"] == (
        "Exceeded maximum login attempts today. Please try again tomorrow."
    )
    assert sim.login_count == 2
    clock.tick(24 * 3600)  # the next calendar day
    assert (await api.login()).code == 0


async def test_daily_login_cap_is_on_by_default(
    api: Api, sim: MoogoCloudSimulator, clock: FakeClock
) -> None:
    # Ten attempts a day, refused ones included ("login attempts"): the low end of the
    # 10 to 20 pymoogo's maintainers met on the live cloud.
    assert (await api.login(password="typo")).code == 10104
    for _ in range(9):
        assert (await api.login()).code == 0
    capped = await api.login()
    assert (capped.status, capped.code) == (200, 10000)
    assert capped.body["message"].startswith("Exceeded maximum login attempts today")
    assert (await api.login(email="someone-else@example.com")).code == 10104  # not this account
    assert sim.login_count == 9
    clock.tick(12 * 3600)  # Monday 12:00 UTC -> Tuesday 00:00 UTC, the next calendar day
    assert (await api.login()).code == 0


async def test_login_cap_can_be_lifted(api: Api, sim: MoogoCloudSimulator) -> None:
    sim.faults.login_cap_after = None
    for _ in range(15):
        assert (await api.login()).code == 0


@pytest.mark.parametrize("token", [None, "", "0123456789abcdef0123456789abcdef"])
async def test_authenticated_routes_answer_http_401(api: Api, token: str | None) -> None:
    headers = {} if token is None else {"token": token}
    async with api.http.get(api.sim.url + "v1/devices", headers=headers) as response:
        assert response.status == 401
        body = await response.json()
    assert body["code"] == 401


async def test_json_unauthorized_fault(authed: Api, sim: MoogoCloudSimulator) -> None:
    sim.faults.json_unauthorized = True
    assert (await authed.call("GET", "v1/devices")).status == 200  # a valid token still works
    sim.expire_tokens()
    answer = await authed.call("GET", "v1/devices")
    assert (answer.status, answer.code) == (200, 401)


@pytest.mark.parametrize("token", ["", "not-a-token"])
async def test_public_routes_ignore_the_token(api: Api, token: str) -> None:
    api.token = token
    liquids = await api.call("GET", "v1/liquid")
    assert (liquids.status, liquids.code) == (200, 0)
    assert isinstance(liquids.data, list)
    assert {"liquidName", "liquidConcentration"} <= set(liquids.data[0])
    plans = await api.call("GET", "v1/devices/schedules")
    assert plans.code == 0
    assert plans.data["total"] == len(plans.data["items"]) > 0
    plan = plans.data["items"][0]
    assert {"id", "title", "banner", "sortOrder", "schedules"} <= set(plan)
    assert set(plan["schedules"][0]) == {"hour", "minute", "duration", "repeatSet"}


async def test_expire_tokens(authed: Api, sim: MoogoCloudSimulator) -> None:
    assert (await authed.call("GET", "v1/devices")).status == 200
    sim.expire_tokens()
    assert (await authed.call("GET", "v1/devices")).status == 401
    await authed.login()
    assert (await authed.call("GET", "v1/devices")).status == 200


async def test_token_ttl_runs_out(api: Api, clock: FakeClock) -> None:
    await api.login(keep=False)
    clock.tick(86400 - 1)
    assert (await api.call("GET", "v1/devices")).status == 200
    clock.tick(1)
    assert (await api.call("GET", "v1/devices")).status == 401
