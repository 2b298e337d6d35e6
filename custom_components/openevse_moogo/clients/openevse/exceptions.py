"""Typed errors raised by the OpenEVSE client.

Every failure leaves the client as one of these; no aiohttp or asyncio exception escapes.
Connection and timeout errors are also the built-in ``ConnectionError`` / ``TimeoutError`` so
callers that only know the standard library can still catch them.
"""

from __future__ import annotations


class OpenEVSEError(Exception):
    """Base class of every error raised by the OpenEVSE client."""


class OpenEVSEConnectionError(OpenEVSEError, ConnectionError):
    """The charger could not be reached or the connection broke mid-request."""


class OpenEVSETimeoutError(OpenEVSEError, TimeoutError):
    """The charger did not answer within the allowed time."""


class OpenEVSEInvalidResponseError(OpenEVSEError):
    """The charger answered with something that is not what the API documents."""


class OpenEVSEResponseError(OpenEVSEError):
    """The charger answered with an HTTP error status.

    ``status`` is the HTTP status code and ``message`` the firmware's ``msg`` text (or the start
    of the body) when there was one.
    """

    def __init__(self, status: int, message: str = "") -> None:
        """Store the status code and the firmware's message."""
        super().__init__(f"HTTP {status}: {message}" if message else f"HTTP {status}")
        self.status = status
        self.message = message


class OpenEVSEAuthenticationError(OpenEVSEResponseError):
    """The charger rejected the credentials (HTTP 401, or 403 on newer firmware)."""


class OpenEVSERateLimitError(OpenEVSEResponseError):
    """The charger locked us out after failed attempts (HTTP 429).

    ``retry_after`` holds the seconds to wait when the charger said so.
    """

    def __init__(self, status: int, message: str = "", retry_after: float | None = None) -> None:
        """Store the status, the message and the advised wait."""
        super().__init__(status, message)
        self.retry_after = retry_after


class OpenEVSENotFoundError(OpenEVSEResponseError):
    """The resource does not exist on this charger (HTTP 404): old firmware or unknown id."""


class OpenEVSECommandError(OpenEVSEResponseError):
    """The charger refused a request (HTTP 400, 405, 423 and other 4xx)."""


class OpenEVSEServerError(OpenEVSEResponseError):
    """The charger failed while handling a request (HTTP 5xx)."""
