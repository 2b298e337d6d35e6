"""Wire-format helpers: the response envelope, error codes and lenient value parsing.

The vendor app turns every POST form into a JSON object whose values are strings
(``{"hour": "8", "keep": "true"}``), while other clients send native JSON values; the real
server accepts both, so every field read here accepts both.
"""

from __future__ import annotations

import json
from typing import Any, Final

from aiohttp import web

CODE_OK: Final = 0
CODE_UNAUTHORIZED: Final = 401
CODE_FORBIDDEN: Final = 403
CODE_NOT_FOUND: Final = 404
CODE_SERVER_ERROR: Final = 500
CODE_BUSINESS: Final = 10000
CODE_BAD_CREDENTIALS: Final = 10104
CODE_DEVICE_OFFLINE: Final = 10201
CODE_TOO_COLD: Final = 10202

MESSAGE_LOGIN_CAP: Final = "Exceeded maximum login attempts today. Please try again tomorrow."
MESSAGE_OFFLINE: Final = "Your device may be offline, please check your network settings"


class BusinessError(Exception):
    """A request the server refuses with a non-zero ``code`` on HTTP 200."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def envelope(data: Any = None, *, code: int = CODE_OK, message: str = "success") -> dict[str, Any]:
    """Build the ``{code, message, data}`` object every answer carries."""
    return {"code": code, "message": message, "data": data}


def reply(
    data: Any = None, *, code: int = CODE_OK, message: str = "success", status: int = 200
) -> web.Response:
    """Answer with an envelope as ``application/json``."""
    return web.json_response(envelope(data, code=code, message=message), status=status)


async def read_body(request: web.Request) -> dict[str, Any]:
    """Read a request body as a flat object: JSON (the norm), form fields, or nothing at all."""
    raw = await request.read()
    if not raw.strip():
        return {}
    if request.content_type == "application/x-www-form-urlencoded":
        return dict((await request.post()).items())
    try:
        body = json.loads(raw)
    except ValueError as err:
        raise BusinessError(CODE_SERVER_ERROR, "Request body is not valid JSON") from err
    if not isinstance(body, dict):
        raise BusinessError(CODE_SERVER_ERROR, "Request body must be a JSON object")
    return body


def as_int(
    body: dict[str, Any], key: str, *, low: int | None = None, high: int | None = None
) -> int:
    """Read an integer sent natively (``8``) or as a string (``"8"``)."""
    value = body.get(key)
    number: int | None = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str):
        try:
            number = int(value.strip())
        except ValueError:
            number = None
    if number is None:
        raise BusinessError(CODE_BUSINESS, f"Invalid parameter: {key}")
    if (low is not None and number < low) or (high is not None and number > high):
        raise BusinessError(CODE_BUSINESS, f"Parameter out of range: {key}")
    return number


def as_bool(body: dict[str, Any], key: str, *, default: bool) -> bool:
    """Read a boolean sent natively (``true``), as a string (``"true"``) or as 0/1."""
    value = body.get(key)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    if isinstance(value, str) and value.strip().lower() in {"true", "1", "false", "0"}:
        return value.strip().lower() in {"true", "1"}
    raise BusinessError(CODE_BUSINESS, f"Invalid parameter: {key}")


def as_str(body: dict[str, Any], key: str) -> str:
    """Read a string field; numbers are accepted in their decimal form."""
    value = body.get(key)
    if isinstance(value, bool) or value is None:
        raise BusinessError(CODE_BUSINESS, f"Invalid parameter: {key}")
    if isinstance(value, int | float):
        return str(value)
    if not isinstance(value, str):
        raise BusinessError(CODE_BUSINESS, f"Invalid parameter: {key}")
    return value


def query_int(request: web.Request, key: str, default: int) -> int:
    """Read a paging query parameter, falling back to the server default when absent."""
    if key not in request.query:
        return default
    return as_int(dict(request.query), key, low=1)
