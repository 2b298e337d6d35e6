"""How pymoogo is put in front of the Moogo cloud simulator (shared by the guard and the bench).

pymoogo is imported lazily, so this module also loads where only the simulator is installed.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import aiohttp

from tests.simulators.moogo import MoogoCloudSimulator

if TYPE_CHECKING:
    from pymoogo import MoogoClient


@contextlib.asynccontextmanager
async def simulator(**options: Any) -> AsyncIterator[MoogoCloudSimulator]:
    """A Moogo cloud simulator listening on a free 127.0.0.1 port for the block's duration."""
    sim = MoogoCloudSimulator(**options)
    await sim.start()
    try:
        yield sim
    finally:
        await sim.stop()


def peer_client(
    sim: MoogoCloudSimulator,
    session: aiohttp.ClientSession,
    *,
    password: str | None = None,
    timeout: int = 30,
) -> MoogoClient:
    """A pymoogo client for the simulator's account, on an injected session (as HA injects it).

    ``password`` overrides the account's (to meet a refused login); ``timeout`` is pymoogo's own
    per-request timeout in seconds.
    """
    from pymoogo import MoogoClient

    return MoogoClient(
        email=sim.email,
        password=sim.password if password is None else password,
        session=session,
        base_url=sim.url,
        timeout=timeout,
    )
