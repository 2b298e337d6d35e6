"""Fixtures of the circuit benchmark: the pump benchmark's harness settings, and no internet."""

from __future__ import annotations

import pytest

from bench.pump_ha.conftest import (
    auto_enable_custom_integrations,
    loopback_sockets,
    quiet_access_log,
)
from custom_components.openevse_moogo.charger import releases

__all__ = ["auto_enable_custom_integrations", "loopback_sockets", "quiet_access_log"]


@pytest.fixture(autouse=True)
def no_github(monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the chargers' firmware release check at a loopback port nobody listens on.

    The check is not what this benchmark measures, and a benchmark never reaches the internet.
    """
    monkeypatch.setattr(releases, "RELEASES_URL", "http://127.0.0.1:9/no-release-server")
