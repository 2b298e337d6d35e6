"""The one mechanism that turns client exceptions into translated Home Assistant errors."""

from __future__ import annotations

from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.update_coordinator import UpdateFailed

from custom_components.openevse_moogo.const import DOMAIN
from custom_components.openevse_moogo.errors import action_error, update_failed


class ClientError(Exception):
    """A client's base error."""


class ClientTimeoutError(ClientError):
    """A subclass listed before its base."""


TABLE = {ClientTimeoutError: "timeout", ClientError: "client_error"}


def test_first_matching_entry_wins() -> None:
    error = action_error(ClientTimeoutError("slow"), TABLE)
    assert isinstance(error, HomeAssistantError)
    assert (error.translation_domain, error.translation_key) == (DOMAIN, "timeout")
    assert error.translation_placeholders == {"error": "slow"}
    assert action_error(ClientError("x"), TABLE).translation_key == "client_error"


def test_unlisted_errors_are_unknown_and_named() -> None:
    failed = update_failed(ValueError(), TABLE, retry_after=30)
    assert isinstance(failed, UpdateFailed)
    assert failed.translation_key == "unknown_error"
    assert failed.translation_placeholders == {"error": "ValueError"}
    assert failed.retry_after == 30
