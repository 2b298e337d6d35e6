"""What each OpenEVSE client failure means to a user (one table for actions and updates)."""

from __future__ import annotations

from typing import Final

from ..clients.openevse.exceptions import (
    OpenEVSEAuthenticationError,
    OpenEVSECommandError,
    OpenEVSEConnectionError,
    OpenEVSEError,
    OpenEVSEInvalidResponseError,
    OpenEVSENotFoundError,
    OpenEVSERateLimitError,
    OpenEVSEServerError,
    OpenEVSETimeoutError,
)
from ..errors import ErrorTable

# Ordered: subclasses first (the first match wins).
CHARGER_ERRORS: Final[ErrorTable] = {
    OpenEVSEAuthenticationError: "charger_auth_failed",
    OpenEVSERateLimitError: "charger_rate_limited",
    OpenEVSENotFoundError: "charger_not_supported",
    OpenEVSECommandError: "charger_command_rejected",
    OpenEVSEServerError: "charger_command_failed",
    OpenEVSETimeoutError: "charger_timeout",
    TimeoutError: "charger_timeout",
    OpenEVSEConnectionError: "charger_cannot_connect",
    OpenEVSEInvalidResponseError: "charger_invalid_response",
    OpenEVSEError: "charger_error",
}
