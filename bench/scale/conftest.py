"""Fixtures of the scale benchmark: the harness settings the pump benchmark's conftest makes."""

from __future__ import annotations

from bench.pump_ha.conftest import auto_enable_custom_integrations, loopback_sockets

__all__ = ["auto_enable_custom_integrations", "loopback_sockets"]
