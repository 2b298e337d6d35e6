"""Shared fixtures for the Home Assistant test harness."""

from __future__ import annotations

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
