"""Typed errors raised by the Moogo cloud client.

Every failure leaves the client as a subclass of :class:`MoogoError`; no aiohttp or asyncio
exception escapes. Transport failures are also the matching built-in exceptions, so callers that
only know the standard library can still write ``except ConnectionError`` or
``except TimeoutError``.

Hierarchy::

    MoogoError
    ├── MoogoConnectionError (ConnectionError)
    │   └── MoogoTimeoutError (TimeoutError)
    ├── MoogoAuthenticationError
    │   └── MoogoInvalidCredentialsError (10104, and every login refused after it)
    ├── MoogoRateLimitError
    │   └── MoogoLoginLimitError
    ├── MoogoServerError
    ├── MoogoInvalidResponseError
    └── MoogoApiError                  (a business error the cloud answered with a code)
        ├── MoogoDeviceOfflineError    (10201)
        ├── MoogoTooColdError          (10202)
        ├── MoogoDeviceNotFoundError   (403 / 404)
        └── MoogoValidationError       (10000 other than the login cap, or rejected locally)
"""

from __future__ import annotations


class MoogoError(Exception):
    """Base class of every error raised by the Moogo client."""


class MoogoConnectionError(MoogoError, ConnectionError):
    """The cloud could not be reached, or the connection broke mid-request."""


class MoogoTimeoutError(MoogoConnectionError, TimeoutError):
    """The cloud did not answer within the timeout in force for the request."""


class MoogoAuthenticationError(MoogoError):
    """The credentials were rejected, or a token stayed rejected after a fresh login."""


class MoogoInvalidCredentialsError(MoogoAuthenticationError):
    """The cloud refused the email or password (code 10104).

    The login guard then refuses every further login with this error, without asking the
    cloud, until the client gets new credentials or the guard is reset.
    """


class MoogoRateLimitError(MoogoError):
    """The cloud (HTTP 429) or the client's own login guard asks the caller to slow down.

    ``retry_after`` is the number of seconds to wait when known, else ``None``.
    """

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        """Store the message and the suggested wait."""
        super().__init__(message)
        self.retry_after = retry_after


class MoogoLoginLimitError(MoogoRateLimitError):
    """No login may be attempted now.

    ``daily_cap`` is true when the cloud answered with its per-account daily login cap; the
    login guard then refuses every login until the caller resets it. Otherwise the guard's own
    hourly budget is spent and ``retry_after`` says when the next login is allowed.
    """

    def __init__(self, message: str, *, daily_cap: bool, retry_after: float | None = None) -> None:
        """Store whether the cloud's daily cap (rather than the hourly budget) caused it."""
        super().__init__(message, retry_after=retry_after)
        self.daily_cap = daily_cap


class MoogoServerError(MoogoError):
    """The cloud failed on its side (HTTP 5xx, an HTML error page from its proxy, JSON 5xx).

    ``status`` is the HTTP status (or the JSON code when the envelope carried a 5xx code).
    ``from_gateway`` tells that a proxy in front of the cloud answered (502, 503, 504, or an
    HTML error page): the request never reached the cloud's own service.
    """

    def __init__(self, message: str, *, status: int, from_gateway: bool = False) -> None:
        """Store the failing status and whether a gateway gave it."""
        super().__init__(message)
        self.status = status
        self.from_gateway = from_gateway


class MoogoInvalidResponseError(MoogoError):
    """The cloud answered something that is not the documented envelope or payload."""


class MoogoApiError(MoogoError):
    """The cloud answered with a non-zero business code in its envelope.

    ``code`` is the envelope's code (``None`` when the error was detected locally) and
    ``api_message`` the cloud's own message, if any.
    """

    def __init__(
        self, message: str, *, code: int | None = None, api_message: str | None = None
    ) -> None:
        """Store the business code and the cloud's message."""
        super().__init__(message)
        self.code = code
        self.api_message = api_message


class MoogoDeviceOfflineError(MoogoApiError):
    """The pump is offline, so the cloud cannot forward the command (code 10201)."""


class MoogoTooColdError(MoogoApiError):
    """The pump is below 8 degrees Celsius and the cloud locks spraying (code 10202)."""


class MoogoDeviceNotFoundError(MoogoApiError):
    """The device is gone from the account or not accessible (403 / 404)."""


class MoogoValidationError(MoogoApiError):
    """A request was rejected as invalid, by the cloud or before it was sent."""
