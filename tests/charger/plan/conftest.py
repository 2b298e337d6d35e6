"""The plan core needs no Home Assistant: these tests run without the harness's ``hass``."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Replace the suite-wide fixture that starts Home Assistant for every test."""
