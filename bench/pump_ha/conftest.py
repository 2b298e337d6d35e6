"""Fixtures of the pump benchmark: Home Assistant's test harness with the real integration.

These modules live outside ``tests/`` (the suite must not run them), so they repeat the two
harness settings the suite's own ``tests/conftest.py`` makes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

# Import the integration before any `hass` fixture runs: the harness ships its own package named
# `custom_components`, and Home Assistant's loader would otherwise find that one instead of ours.
from custom_components.openevse_moogo.const import DOMAIN

assert DOMAIN  # the import above is needed for its side effect


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load the integration from custom_components/."""


@pytest.fixture(autouse=True)
def loopback_sockets(socket_enabled: None) -> None:
    """Allow sockets: the harness still limits connections to 127.0.0.1."""


@pytest.fixture(autouse=True)
def quiet_access_log() -> Iterator[None]:
    """Silence the simulator's per-request access log.

    Under the freezer aiohttp cannot read the local UTC offset and would log an error for every
    request it serves; the bench counts requests on the simulator instead.
    """
    access_log = logging.getLogger("aiohttp.access")
    level = access_log.level
    access_log.setLevel(logging.WARNING)
    yield
    access_log.setLevel(level)
