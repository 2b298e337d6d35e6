"""Fixtures of the charger benchmark: Home Assistant's test harness with both integrations.

The two harness settings the suite's ``tests/conftest.py`` makes (our integration loadable from
``custom_components/``, loopback sockets allowed) come from the pump benchmark's conftest, which
needs exactly the same ones.
"""

from __future__ import annotations

from bench.pump_ha.conftest import auto_enable_custom_integrations, loopback_sockets

__all__ = ["auto_enable_custom_integrations", "loopback_sockets"]
