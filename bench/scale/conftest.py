"""Fixtures of the scale benchmark: the harness settings the pump benchmark's conftest makes.

``no_github`` (the tests' own): the chargers' firmware release check goes to a loopback port
nobody listens on, never to the internet (unreachable here; its failing look-up, still pending
when a size's Home Assistant is torn down, errored every size's teardown).
"""

from __future__ import annotations

from bench.pump_ha.conftest import auto_enable_custom_integrations, loopback_sockets
from tests.conftest import no_github

__all__ = ["auto_enable_custom_integrations", "loopback_sockets", "no_github"]
