"""Login, token handling, token restore and the login guard, against the simulated cloud."""

# These tests assert state before and after awaits that change it (latches, errors);
# mypy narrows across awaits and would call the second assertion unreachable.
# mypy: disable-error-code="unreachable"

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

from custom_components.openevse_moogo.clients.moogo import (
    LoginGuard,
    MoogoAuthenticationError,
    MoogoAuthToken,
    MoogoClient,
    MoogoConnectionError,
    MoogoInvalidCredentialsError,
    MoogoLoginLimitError,
    MoogoRateLimitError,
    MoogoServerError,
)
from tests.simulators.moogo import MoogoCloudSimulator

from .conftest import SentRequest

LOGIN = ("POST", "/v1/user/login")


def logins(sim: MoogoCloudSimulator) -> int:
    """Login requests that reached the cloud, successful or not."""
    return sim.requests.count(LOGIN)


def cap_latched(client: MoogoClient) -> bool:
    """Whether the client's guard holds the daily-cap latch."""
    return client.login_guard.daily_cap_hit_at is not None


def guarded_client(
    sim: MoogoCloudSimulator, session: aiohttp.ClientSession, max_per_hour: int
) -> tuple[MoogoClient, LoginGuard, FakeClock]:
    """A client of the simulated account whose login guard runs on a clock the test moves."""
    clock = FakeClock()
    guard = LoginGuard(max_per_hour=max_per_hour, clock=clock)
    client = MoogoClient(
        email=sim.email, password=sim.password, session=session, base_url=sim.url, login_guard=guard
    )
    return client, guard, clock


class FakeClock:
    """A monotonic clock the test advances by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_authenticate_exposes_token_user_and_expiry(
    client: MoogoClient, sim: MoogoCloudSimulator
) -> None:
    assert (client.auth_token, client.is_authenticated) == (None, False)
    before = datetime.now(UTC)

    auth = await client.authenticate()

    assert auth == client.auth_token
    assert client.token == auth.token
    assert len(auth.token) == 32
    assert client.user_id == sim.user_id == auth.user_id
    assert client.token_expires_at == auth.expires_at
    assert auth.expires_at is not None
    assert before + timedelta(seconds=sim.token_ttl - 5) < auth.expires_at
    assert auth.expires_at < datetime.now(UTC) + timedelta(seconds=sim.token_ttl + 5)
    assert client.is_authenticated
    assert sim.login_count == 1
    # The token is a secret: never part of the repr.
    assert auth.token not in repr(auth)
    assert auth.user_id not in repr(auth)


async def test_token_sent_per_request_never_on_session(
    client: MoogoClient,
    sim: MoogoCloudSimulator,
    session: aiohttp.ClientSession,
    wire: list[SentRequest],
) -> None:
    await client.authenticate()
    await client.get_devices()
    await client.get_liquid_types()

    login, devices, liquid = wire
    assert "token" not in login.headers
    assert devices.headers["token"] == client.token
    assert "token" not in liquid.headers  # public endpoints get no token at all
    assert "token" not in session.headers
    assert len(session.cookie_jar) == 0
    assert devices.url.query == {"page": "1", "pageSize": "999"}


async def test_first_call_logs_in_lazily(client: MoogoClient, sim: MoogoCloudSimulator) -> None:
    devices = await client.get_devices()
    assert [device.device_id for device in devices] == sim.device_ids
    assert sim.requests[:2] == [LOGIN, ("GET", "/v1/devices")]
    assert sim.login_count == 1


async def test_restore_token_without_login(
    client: MoogoClient, sim: MoogoCloudSimulator, session: aiohttp.ClientSession
) -> None:
    saved = await client.authenticate()

    restored = MoogoClient(
        email=sim.email,
        password=sim.password,
        session=session,
        base_url=sim.url,
        token=saved.token,
        user_id=saved.user_id,
        token_expires_at=saved.expires_at,
    )
    assert restored.auth_token == saved
    assert restored.is_authenticated
    assert await restored.get_devices()
    assert sim.login_count == 1
    assert logins(sim) == 1


async def test_restored_token_without_expiry(
    sim: MoogoCloudSimulator, session: aiohttp.ClientSession
) -> None:
    first = MoogoClient(email=sim.email, password=sim.password, session=session, base_url=sim.url)
    token = (await first.authenticate()).token
    restored = MoogoClient(session=session, base_url=sim.url, token=token)
    assert restored.user_id == ""
    assert restored.token_expires_at is None
    assert restored.is_authenticated
    assert await restored.get_devices()


async def test_expired_looking_token_is_still_tried_first(
    sim: MoogoCloudSimulator, session: aiohttp.ClientSession
) -> None:
    """Only the cloud's 401 triggers a login, not the announced expiry."""
    first = MoogoClient(email=sim.email, password=sim.password, session=session, base_url=sim.url)
    saved = await first.authenticate()
    stale = MoogoClient(
        email=sim.email,
        password=sim.password,
        session=session,
        base_url=sim.url,
        token=saved.token,
        token_expires_at=datetime.now(UTC) - timedelta(days=1),
    )
    assert not stale.is_authenticated
    assert await stale.get_devices()
    assert logins(sim) == 1


async def test_rejected_token_logs_in_again_once(
    sim: MoogoCloudSimulator, session: aiohttp.ClientSession
) -> None:
    refreshed: list[MoogoAuthToken] = []
    client = MoogoClient(
        email=sim.email,
        password=sim.password,
        session=session,
        base_url=sim.url,
        on_token_refresh=refreshed.append,
    )
    old = await client.authenticate()
    sim.expire_tokens()
    sim.requests.clear()

    assert await client.get_devices()

    assert sim.requests == [("GET", "/v1/devices"), LOGIN, ("GET", "/v1/devices")]
    assert client.token != old.token
    assert refreshed == [old, client.auth_token]


async def test_burst_of_401_shares_one_login(client: MoogoClient, sim: MoogoCloudSimulator) -> None:
    await client.authenticate()
    sim.expire_tokens()
    ids = sim.device_ids * 5

    statuses = await asyncio.gather(*(client.get_device_status(i) for i in ids))

    assert [status.device_id for status in statuses] == ids
    assert logins(sim) == 2  # the explicit one, then exactly one for the whole burst


async def test_burst_of_first_requests_shares_one_login(
    client: MoogoClient, sim: MoogoCloudSimulator
) -> None:
    await asyncio.gather(*(client.get_device_status(i) for i in sim.device_ids * 4))
    assert logins(sim) == 1


async def test_burst_with_failing_login_makes_one_attempt(
    client: MoogoClient, sim: MoogoCloudSimulator
) -> None:
    await client.authenticate()
    sim.expire_tokens()
    sim.faults.wrong_password = True

    results = await asyncio.gather(
        *(client.get_device_status(i) for i in sim.device_ids * 4), return_exceptions=True
    )

    assert all(isinstance(result, MoogoInvalidCredentialsError) for result in results)
    assert logins(sim) == 2
    assert client.auth_token is None


async def test_refused_credentials_stop_every_further_login(
    client: MoogoClient, sim: MoogoCloudSimulator
) -> None:
    """After the cloud's 10104 the client never asks again until it gets new credentials."""
    await client.authenticate()
    sim.expire_tokens()
    sim.faults.wrong_password = True

    with pytest.raises(MoogoInvalidCredentialsError, match="10104") as caught:
        await client.get_devices()  # rejected token, one re-login, refused
    assert isinstance(caught.value, MoogoAuthenticationError)
    assert logins(sim) == 2
    assert client.login_guard.credentials_rejected_at is not None

    # Even once the cloud would accept them again, nothing reaches it: not the next polls,
    # not an explicit login.
    sim.faults.wrong_password = False
    for _ in range(3):
        with pytest.raises(MoogoInvalidCredentialsError, match="new credentials"):
            await client.get_devices()
        with pytest.raises(MoogoAuthenticationError, match="new credentials"):
            await client.authenticate()
    assert logins(sim) == 2
    assert client.login_guard.attempts_in_window == 2

    # New credentials lift the block (and only it): the next call logs in.
    client.set_credentials(sim.email, sim.password)
    assert client.login_guard.credentials_rejected_at is None
    assert client.login_guard.attempts_in_window == 2
    assert await client.get_devices()
    assert logins(sim) == 3


async def test_guard_reset_lifts_the_refused_credentials_block(
    sim: MoogoCloudSimulator, session: aiohttp.ClientSession
) -> None:
    guard = LoginGuard()
    first, second = (
        MoogoClient(
            email=sim.email,
            password=sim.password,
            session=session,
            base_url=sim.url,
            login_guard=guard,
        )
        for _ in range(2)
    )
    sim.faults.wrong_password = True
    with pytest.raises(MoogoInvalidCredentialsError):
        await first.authenticate()
    # The block holds for every client sharing the account's guard.
    with pytest.raises(MoogoInvalidCredentialsError):
        await second.get_devices()
    assert logins(sim) == 1

    sim.faults.wrong_password = False
    guard.reset()
    assert guard.credentials_rejected_at is None
    assert await second.get_devices()
    assert logins(sim) == 2


async def test_set_credentials_keeps_the_token_of_the_same_account_only(
    client: MoogoClient, sim: MoogoCloudSimulator
) -> None:
    token = await client.authenticate()
    client.set_credentials(sim.email, "a-new-password")
    assert client.auth_token == token
    assert await client.get_devices()  # the held token still works: no login
    assert logins(sim) == 1

    client.set_credentials("someone.else@example.com", sim.password)
    assert client.auth_token is None
    with pytest.raises(MoogoInvalidCredentialsError):
        await client.get_devices()  # the simulated cloud knows only one account
    assert logins(sim) == 2


async def test_token_rejected_after_fresh_login(session: aiohttp.ClientSession) -> None:
    """A token that is refused even right after a login fails the call after one re-login."""
    async with MoogoCloudSimulator(token_ttl=0) as sim:
        client = MoogoClient(
            email=sim.email, password=sim.password, session=session, base_url=sim.url
        )
        with pytest.raises(MoogoAuthenticationError, match="freshly issued"):
            await client.get_devices()
        assert logins(sim) == 2  # the first login, and one re-login for the 401


async def test_wrong_password(client: MoogoClient, sim: MoogoCloudSimulator) -> None:
    sim.faults.wrong_password = True
    with pytest.raises(MoogoAuthenticationError, match="10104") as caught:
        await client.authenticate()
    assert sim.password not in str(caught.value)
    assert sim.email not in str(caught.value)
    assert client.auth_token is None


async def test_missing_credentials_never_reach_the_cloud(
    sim: MoogoCloudSimulator, session: aiohttp.ClientSession
) -> None:
    client = MoogoClient(session=session, base_url=sim.url)
    with pytest.raises(MoogoAuthenticationError, match="No email"):
        await client.get_devices()
    assert sim.requests == []
    # Public endpoints work without an account.
    assert await client.get_liquid_types()


async def test_login_refused_with_http_401(client: MoogoClient, sim: MoogoCloudSimulator) -> None:
    sim.faults.http_status = 401
    with pytest.raises(MoogoAuthenticationError, match="refused the login"):
        await client.authenticate()


async def test_hourly_login_budget(
    sim: MoogoCloudSimulator, session: aiohttp.ClientSession
) -> None:
    client, guard, clock = guarded_client(sim, session, 2)
    assert client.login_guard is guard
    await client.authenticate()
    clock.now += 600
    sim.expire_tokens()
    await client.get_devices()  # second login of the hour
    sim.expire_tokens()

    with pytest.raises(MoogoLoginLimitError) as caught:
        await client.get_devices()
    assert not caught.value.daily_cap
    assert caught.value.retry_after == pytest.approx(3000)
    assert isinstance(caught.value, MoogoRateLimitError)
    assert logins(sim) == 2
    assert guard.attempts_in_window == 2

    clock.now += 3001  # the first attempt leaves the window
    assert guard.attempts_in_window == 1
    assert await client.get_devices()
    assert logins(sim) == 3


async def test_daily_cap_stops_all_logins_until_reset(
    client: MoogoClient, sim: MoogoCloudSimulator
) -> None:
    sim.faults.login_cap_after = 1
    await client.authenticate()
    sim.expire_tokens()

    with pytest.raises(MoogoLoginLimitError, match="Daily login cap") as caught:
        await client.get_devices()
    assert caught.value.daily_cap
    assert cap_latched(client)
    assert logins(sim) == 2

    # Latched: neither requests nor explicit logins reach the cloud any more.
    for _ in range(3):
        with pytest.raises(MoogoLoginLimitError, match="until reset"):
            await client.get_devices()
        with pytest.raises(MoogoLoginLimitError):
            await client.authenticate()
    assert logins(sim) == 2

    # The caller resets the guard (e.g. the next day); logins resume.
    sim.faults.login_cap_after = None
    client.login_guard.reset()
    assert not cap_latched(client)
    assert client.login_guard.attempts_in_window == 0
    assert await client.get_devices()
    assert logins(sim) == 3


async def test_guard_shared_between_clients(
    sim: MoogoCloudSimulator, session: aiohttp.ClientSession
) -> None:
    guard = LoginGuard(max_per_hour=1)
    first = MoogoClient(
        email=sim.email, password=sim.password, session=session, base_url=sim.url, login_guard=guard
    )
    second = MoogoClient(
        email=sim.email, password=sim.password, session=session, base_url=sim.url, login_guard=guard
    )
    await first.authenticate()
    with pytest.raises(MoogoLoginLimitError):
        await second.authenticate()
    assert logins(sim) == 1


async def test_max_logins_per_hour_option(
    sim: MoogoCloudSimulator, session: aiohttp.ClientSession
) -> None:
    client = MoogoClient(
        email=sim.email,
        password=sim.password,
        session=session,
        base_url=sim.url,
        max_logins_per_hour=1,
    )
    assert client.login_guard.max_per_hour == 1
    await client.authenticate()
    with pytest.raises(MoogoLoginLimitError):
        await client.authenticate()


async def test_sign_in_behind_a_failing_gateway_spends_no_budget_and_is_spaced(
    sim: MoogoCloudSimulator, session: aiohttp.ClientSession
) -> None:
    client, guard, clock = guarded_client(sim, session, 3)
    await client.authenticate()
    sim.expire_tokens()
    sim.faults.login_http_status = 503

    with pytest.raises(MoogoServerError):
        await client.get_devices()
    assert logins(sim) == 2
    assert guard.attempts_in_window == 1  # the gateway's 503 is given back
    # Every request in the next 10 s fails the same way without a login request.
    for _ in range(5):
        with pytest.raises(MoogoServerError, match=r"HTTP 503\); the next attempt is in 10 s"):
            await client.get_devices()
    assert logins(sim) == 2
    clock.now += 10
    with pytest.raises(MoogoServerError):
        await client.get_devices()
    assert logins(sim) == 3
    clock.now += 19  # the wait doubled
    with pytest.raises(MoogoServerError, match="in 1 s"):
        await client.get_devices()
    clock.now += 1
    sim.faults.login_http_status = None  # the sign-in service is back
    assert await client.get_devices()
    assert logins(sim) == 4
    assert guard.attempts_in_window == 2  # the first login and this one

    # After a success the spacing starts again from its shortest wait.
    sim.expire_tokens()
    sim.faults.login_http_status = 502
    with pytest.raises(MoogoServerError):
        await client.get_devices()
    with pytest.raises(MoogoServerError, match="in 10 s"):
        await client.get_devices()


async def test_sign_in_answered_with_an_error_counts_against_the_budget(
    sim: MoogoCloudSimulator, session: aiohttp.ClientSession
) -> None:
    client, guard, _clock = guarded_client(sim, session, 2)
    sim.faults.login_http_status = 500  # the cloud's own service failed: it may have counted it
    for _ in range(2):
        with pytest.raises(MoogoServerError):
            await client.authenticate()
    assert guard.attempts_in_window == 2
    with pytest.raises(MoogoLoginLimitError):
        await client.authenticate()
    assert logins(sim) == 2


async def test_sign_in_that_cannot_connect_spends_no_budget(
    session: aiohttp.ClientSession,
) -> None:
    async with MoogoCloudSimulator() as sim:
        url = sim.url  # its port is closed once it stops
    clock = FakeClock()
    guard = LoginGuard(max_per_hour=1, clock=clock)
    client = MoogoClient(
        email="user@example.com",
        password="secret",
        session=session,
        base_url=url,
        login_guard=guard,
    )
    with pytest.raises(MoogoConnectionError):
        await client.authenticate()
    assert guard.attempts_in_window == 0
    with pytest.raises(MoogoConnectionError, match="could not reach the cloud; the next attempt"):
        await client.authenticate()
    guard.reset()  # also ends the spacing
    with pytest.raises(MoogoConnectionError, match="failed"):
        await client.authenticate()


def test_guard_rejects_a_zero_budget() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        LoginGuard(max_per_hour=0)


async def test_failed_login_does_not_drop_a_working_token(
    client: MoogoClient, sim: MoogoCloudSimulator
) -> None:
    """An explicit re-login that fails keeps the token that still works."""
    good = await client.authenticate()
    sim.faults.wrong_password = True
    with pytest.raises(MoogoAuthenticationError):
        await client.authenticate()
    assert client.auth_token == good
    assert await client.get_devices()


@pytest.mark.expected_errors(
    # The simulator may be reading the request when the client gives up and drops it.
    ("aiohttp.server", "^Error handling request"),
    required=False,
)
async def test_cancelled_login_lets_the_next_request_log_in(
    client: MoogoClient, sim: MoogoCloudSimulator
) -> None:
    """A login cut short by the caller's deadline is not mistaken for a failed one."""
    sim.faults.delay = 0.3
    first = asyncio.create_task(client.get_devices())
    await asyncio.sleep(0.05)  # the first request is now logging in
    second = asyncio.create_task(client.get_devices())
    await asyncio.sleep(0.05)  # the second waits for that login
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first

    devices = await second  # it logs in itself instead of reporting "not logged in"

    assert [device.device_id for device in devices] == sim.device_ids
    assert client.is_authenticated


async def test_deadline_around_a_call(client: MoogoClient, sim: MoogoCloudSimulator) -> None:
    """The caller's own ``asyncio.timeout`` bounds a call, as Home Assistant does."""
    await client.authenticate()
    sim.faults.delay = 1.0
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.1):
            await client.get_devices()
    sim.faults.delay = 0
    assert await client.get_devices()
    assert logins(sim) == 1
