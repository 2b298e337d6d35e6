"""Shared fixtures for the Home Assistant test harness."""

from __future__ import annotations

import logging
from collections.abc import Generator
from unittest.mock import patch

import pytest

# Import the integration before any `hass` fixture runs: the harness ships its own package named
# `custom_components`, and Home Assistant's loader would otherwise find that one instead of ours.
from custom_components.openevse_moogo.const import DOMAIN

assert DOMAIN  # the import above is needed for its side effect


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load the integration from custom_components/ in every test."""


@pytest.fixture
def entity_registry_enabled_by_default() -> Generator[None]:
    """Create every entity enabled, including those disabled by default."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        return_value=True,
    ):
        yield


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Capture every logger at DEBUG (request it with usefixtures to start before set-up)."""
    caplog.set_level(logging.DEBUG)
    return caplog


def everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    """All that was logged: each message with its arguments, and each traceback."""
    lines = []
    for record in caplog.records:
        lines.append(record.getMessage())
        if record.exc_info:
            lines.append(logging.Formatter().formatException(record.exc_info))
    return "\n".join(lines)
