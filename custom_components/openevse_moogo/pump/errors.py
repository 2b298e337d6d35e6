"""Which Moogo client error means what, for actions, updates and the config flow."""

from __future__ import annotations

from ..clients.moogo import (
    MoogoApiError,
    MoogoAuthenticationError,
    MoogoConnectionError,
    MoogoDeviceNotFoundError,
    MoogoDeviceOfflineError,
    MoogoInvalidResponseError,
    MoogoLoginLimitError,
    MoogoRateLimitError,
    MoogoServerError,
    MoogoTimeoutError,
    MoogoTooColdError,
    MoogoValidationError,
)
from ..errors import ErrorTable

# Ordered: subclasses before their bases. Keys live under "exceptions" in translations/en.json.
PUMP_ERRORS: ErrorTable = {
    MoogoTimeoutError: "moogo_timeout",
    MoogoConnectionError: "moogo_cannot_connect",
    MoogoAuthenticationError: "moogo_auth_failed",
    MoogoLoginLimitError: "moogo_login_limit",
    MoogoRateLimitError: "moogo_rate_limited",
    MoogoServerError: "moogo_server_error",
    MoogoInvalidResponseError: "moogo_invalid_response",
    MoogoDeviceOfflineError: "moogo_pump_offline",
    MoogoTooColdError: "moogo_pump_too_cold",
    MoogoDeviceNotFoundError: "moogo_pump_gone",
    MoogoValidationError: "moogo_rejected",
    MoogoApiError: "moogo_rejected",
    TimeoutError: "moogo_timeout",
}
