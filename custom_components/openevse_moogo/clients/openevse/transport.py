"""Plumbing shared by the HTTP client and the websocket.

Builds the charger's base URL, the per-request Basic credentials, decodes bodies, and turns every
aiohttp/asyncio failure and every HTTP error status into one of the client's typed exceptions.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import MappingProxyType
from typing import Any

import aiohttp
import orjson
from aiohttp import hdrs
from aiohttp.http_exceptions import HttpProcessingError
from yarl import URL

from .exceptions import (
    OpenEVSEAuthenticationError,
    OpenEVSECommandError,
    OpenEVSEConnectionError,
    OpenEVSEError,
    OpenEVSEInvalidResponseError,
    OpenEVSENotFoundError,
    OpenEVSERateLimitError,
    OpenEVSEResponseError,
    OpenEVSEServerError,
    OpenEVSETimeoutError,
)

_MESSAGE_PREVIEW = 120


def charger_url(host: str, *, port: int | None = None, ssl: bool = False) -> URL:
    """Return the charger's base URL from a host name, ``host:port`` or a full URL."""
    text = host.strip()
    if not text:
        raise ValueError("host must not be empty")
    scheme = "https" if ssl else "http"
    try:
        url = URL(text) if "://" in text else URL(f"{scheme}://{text}")
        if port is not None:
            url = url.with_port(port)
    except (ValueError, TypeError) as err:
        raise ValueError(f"invalid charger host: {host!r}") from err
    if not url.host:
        raise ValueError(f"invalid charger host: {host!r}")
    return url.with_path("/").with_query(None).with_fragment(None)


def auth_headers(user: str | None, password: str | None) -> Mapping[str, str]:
    """Return the Basic ``Authorization`` header to send with each request (empty if no login).

    Newer firmware keys authentication on the password alone, so a password without a user name
    is still sent. The header goes on each request, never on the (possibly shared) session.
    """
    if not user and not password:
        return MappingProxyType({})
    login = user or ""
    if ":" in login:
        raise ValueError("user name must not contain ':'")
    token = base64.b64encode(f"{login}:{password or ''}".encode()).decode("ascii")
    return MappingProxyType({hdrs.AUTHORIZATION: f"Basic {token}"})


def parse_json(text: str | bytes) -> Any:
    """Parse JSON text as :func:`json.loads` does, only faster.

    orjson reads strict JSON; what it refuses (``NaN``, ``Infinity``, lone surrogates, very
    deep nesting) goes through the standard parser, so the same documents are accepted with
    the same values. The one difference: integers beyond 64 bits, which the firmware's JSON
    library cannot write, come back as floats. Raises ``ValueError`` (or ``RecursionError``)
    for text that is not JSON.
    """
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def decode_json(text: str) -> Any:
    """Parse a JSON body, raising the client's invalid-response error when it is not JSON."""
    try:
        return parse_json(text)
    except (ValueError, RecursionError) as err:
        raise OpenEVSEInvalidResponseError(f"not JSON: {preview(text)!r}") from err


def preview(text: str) -> str:
    """Return a short, single-line excerpt of a body for messages and logs."""
    return " ".join(text.split())[:_MESSAGE_PREVIEW]


def firmware_message(text: str) -> str:
    """Return the firmware's ``msg`` from a ``{"msg": ...}`` body, else a short excerpt."""
    try:
        body = parse_json(text)
    except ValueError, RecursionError:
        return "" if text.lstrip().startswith("<") else preview(text)
    if isinstance(body, Mapping) and isinstance(body.get("msg"), str):
        return str(body["msg"])
    return preview(text)


def retry_after_seconds(value: str | None) -> float | None:
    """Parse a ``Retry-After`` header given in seconds or as an HTTP date."""
    if not value:
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except TypeError, ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def error_for_status(
    status: int, text: str = "", headers: Mapping[str, str] | None = None
) -> OpenEVSEResponseError:
    """Return the typed error for an HTTP error status."""
    message = firmware_message(text)
    if status in (401, 403):
        return OpenEVSEAuthenticationError(status, message)
    if status == 429:
        retry_after = retry_after_seconds((headers or {}).get("Retry-After"))
        return OpenEVSERateLimitError(status, message, retry_after)
    if status == 404:
        return OpenEVSENotFoundError(status, message)
    if status >= 500:
        return OpenEVSEServerError(status, message)
    return OpenEVSECommandError(status, message)


@contextmanager
def translate_errors(what: str) -> Iterator[None]:
    """Re-raise transport failures inside the block as the client's typed errors.

    ``what`` names the operation (method and path) for the message; it never holds secrets.
    """
    try:
        yield
    except OpenEVSEError:
        raise
    except aiohttp.WSServerHandshakeError as err:
        raise error_for_status(err.status, err.message) from err
    except TimeoutError as err:
        raise OpenEVSETimeoutError(f"{what}: timed out") from err
    except (aiohttp.ClientPayloadError, aiohttp.ContentTypeError) as err:
        raise OpenEVSEInvalidResponseError(f"{what}: {err}") from err
    except aiohttp.ClientResponseError as err:
        if isinstance(err.__cause__, HttpProcessingError):
            # aiohttp reports a reply it could not parse as HTTP with a made-up status (400):
            # the charger sent no status at all.
            raise OpenEVSEInvalidResponseError(f"{what}: not an HTTP reply: {err.message}") from err
        raise error_for_status(err.status, err.message) from err
    except (aiohttp.ClientError, OSError) as err:
        raise OpenEVSEConnectionError(f"{what}: {err or type(err).__name__}") from err
