"""Turn one HTTP response of the Moogo cloud into its payload or a typed error.

The cloud wraps every answer in ``{"code": int, "message": str, "data": ...}`` and reports
business errors with HTTP 200 and a non-zero code; only an expired token (401), overload (429)
and outages (5xx, often an HTML page from the proxy in front of it) show at the HTTP level.
:func:`decode_response` is pure: it sees the status, headers and body bytes and either returns
``data`` or raises, so it can be tested on arbitrary input without a network.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from .exceptions import (
    MoogoApiError,
    MoogoDeviceNotFoundError,
    MoogoDeviceOfflineError,
    MoogoError,
    MoogoInvalidCredentialsError,
    MoogoInvalidResponseError,
    MoogoLoginLimitError,
    MoogoRateLimitError,
    MoogoServerError,
    MoogoTooColdError,
    MoogoValidationError,
)
from .parsing import as_float, as_int, as_str

CODE_OK = 0
CODE_UNAUTHORIZED = 401
CODE_GENERIC_BUSINESS = 10000
CODE_BAD_CREDENTIALS = 10104
CODE_DEVICE_OFFLINE = 10201
CODE_TOO_COLD = 10202
_DEVICE_GONE_CODES = frozenset({403, 404})
# Answered by a proxy in front of the cloud, not by the cloud's service: bad gateway,
# unavailable, gateway timeout, and Cloudflare's 520-530 pages for an unreachable origin.
GATEWAY_STATUSES = frozenset({502, 503, 504, *range(520, 531)})

# The cloud reuses 10000 for unrelated errors; only this wording marks the daily login cap.
_LOGIN_CAP_MARKERS = ("login attempt", "maximum login")


class UnauthorizedError(MoogoError):
    """The token was missing, invalid or expired (HTTP 401 or JSON 401).

    Internal signal: the client answers it by logging in again, and turns it into
    :class:`MoogoAuthenticationError` when that does not help.
    """


def is_login_cap_message(message: str) -> bool:
    """Tell whether a code-10000 message is the per-account daily login cap."""
    lowered = message.lower()
    return any(marker in lowered for marker in _LOGIN_CAP_MARKERS)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Read a ``Retry-After`` header: delta seconds or an HTTP date."""
    if not value:
        return None
    seconds = as_float(value)
    if seconds is not None:
        return max(seconds, 0.0)
    try:
        when = parsedate_to_datetime(value)
    except TypeError, ValueError, IndexError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)


def _looks_like_html(body: bytes) -> bool:
    head = body[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head


def _load_json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as err:
        kind = "an HTML page" if _looks_like_html(body) else "malformed JSON"
        raise MoogoInvalidResponseError(f"The cloud answered with {kind}") from err


def _raise_for_http_status(
    status: int, headers: Mapping[str, str], body: bytes, *, device_request: bool
) -> None:
    """Raise for HTTP statuses that carry their meaning regardless of the body."""
    if status == 401:
        raise UnauthorizedError("HTTP 401: the token was rejected")
    if status == 429:
        raise MoogoRateLimitError(
            "HTTP 429: the cloud asks to slow down",
            retry_after=parse_retry_after(headers.get("Retry-After")),
        )
    if status >= 500:
        page = " (HTML error page)" if _looks_like_html(body) else ""
        raise MoogoServerError(
            f"HTTP {status}: the cloud failed{page}",
            status=status,
            from_gateway=status in GATEWAY_STATUSES,
        )
    if status in _DEVICE_GONE_CODES and device_request:
        raise MoogoDeviceNotFoundError(f"HTTP {status}: the device is not accessible", code=status)


def raise_for_code(code: int, message: str | None, *, device_request: bool) -> None:
    """Raise the typed error for a non-zero envelope code."""
    text = message or ""
    detail = f"code {code}: {text}" if text else f"code {code}"
    if code == CODE_UNAUTHORIZED:
        raise UnauthorizedError(f"The token was rejected ({detail})")
    if code == CODE_BAD_CREDENTIALS:
        raise MoogoInvalidCredentialsError(f"Invalid email or password ({detail})")
    if code == CODE_GENERIC_BUSINESS and is_login_cap_message(text):
        raise MoogoLoginLimitError(f"Daily login cap reached ({detail})", daily_cap=True)
    if code == CODE_GENERIC_BUSINESS:
        raise MoogoValidationError(f"Request rejected ({detail})", code=code, api_message=text)
    if code == CODE_DEVICE_OFFLINE:
        raise MoogoDeviceOfflineError(f"Device offline ({detail})", code=code, api_message=text)
    if code == CODE_TOO_COLD:
        raise MoogoTooColdError(f"Device too cold to spray ({detail})", code=code, api_message=text)
    if code in _DEVICE_GONE_CODES and device_request:
        raise MoogoDeviceNotFoundError(
            f"Device not accessible ({detail})", code=code, api_message=text
        )
    if code == 429:
        raise MoogoRateLimitError(f"The cloud asks to slow down ({detail})")
    if 500 <= code <= 599:
        raise MoogoServerError(f"The cloud failed ({detail})", status=code)
    raise MoogoApiError(f"The cloud refused the request ({detail})", code=code, api_message=text)


def decode_response(
    status: int, headers: Mapping[str, str], body: bytes, *, device_request: bool = False
) -> Any:
    """Return the envelope's ``data`` for a successful answer, else raise a typed error.

    ``device_request`` marks calls about one device, where 403/404 mean the device is gone.
    """
    _raise_for_http_status(status, headers, body, device_request=device_request)
    payload = _load_json(body)
    if not isinstance(payload, Mapping) or "code" not in payload:
        raise MoogoInvalidResponseError(f"HTTP {status}: the answer is not an API envelope")
    code = as_int(payload["code"])
    if code is None:
        raise MoogoInvalidResponseError(f"HTTP {status}: the envelope has no numeric code")
    if code != CODE_OK:
        raise_for_code(code, as_str(payload.get("message")), device_request=device_request)
    if not 200 <= status <= 299:
        raise MoogoInvalidResponseError(f"HTTP {status} with a success envelope")
    return payload.get("data")
