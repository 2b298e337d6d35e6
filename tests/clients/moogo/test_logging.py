"""No secret (password, token, email, user id) ever reaches a log line, at any level."""

from __future__ import annotations

import logging

import aiohttp
import pytest

from custom_components.openevse_moogo.clients.moogo import (
    MoogoAuthToken,
    MoogoClient,
    MoogoError,
)
from tests.simulators.moogo import MoogoCloudSimulator


async def test_no_secret_in_any_log_line(
    sim: MoogoCloudSimulator, session: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    tokens: list[MoogoAuthToken] = []
    errors: list[MoogoError] = []
    client = MoogoClient(
        email=sim.email,
        password=sim.password,
        session=session,
        base_url=sim.url,
        on_token_refresh=tokens.append,
        max_logins_per_hour=10,
    )
    device_id = sim.device_ids[0]

    # A day in the life: login, polling, commands, token expiry, bad password, daily cap.
    await client.authenticate()
    await client.get_devices()
    await client.get_device_status(device_id)
    await client.confirm_spray(await client.start_spray(device_id), within=2, poll_interval=0.05)
    sim.expire_tokens()
    await client.get_schedules(device_id)
    sim.expire_tokens()
    sim.faults.wrong_password = True
    try:
        await client.get_devices()
    except MoogoError as err:
        errors.append(err)
    sim.faults.wrong_password = False
    # Refused credentials block every login until the caller gives them again.
    client.set_credentials(sim.email, sim.password)
    sim.faults.login_cap_after = 0
    for _ in range(2):
        try:
            await client.get_devices()
        except MoogoError as err:
            errors.append(err)
    sim.faults.login_cap_after = None
    client.login_guard.reset()
    await client.get_devices()
    sim.faults.http_status = 503
    try:
        await client.get_devices()
    except MoogoError as err:
        errors.append(err)

    assert len(tokens) == 3
    assert len(errors) == 4
    secrets = {sim.password, sim.email, sim.user_id} | {t.token for t in tokens}
    client_lines = [r for r in caplog.records if r.name.startswith("custom_components")]
    assert any(r.levelno == logging.DEBUG for r in client_lines)
    assert any("Logging in" in r.getMessage() for r in client_lines)
    assert any(r.levelno == logging.WARNING for r in client_lines)  # the daily cap
    for record in caplog.records:
        line = record.getMessage()
        for secret in secrets:
            assert secret not in line, f"secret in log line of {record.name}"
    for error in errors:
        for secret in secrets:
            assert secret not in str(error)
            assert secret not in repr(error)
    for token in tokens:
        assert token.token not in repr(token)
        assert token.user_id not in repr(token)
