"""Lenient readers for values in the cloud's JSON payloads.

The vendor app parses numbers leniently (``null`` reads as absent, numbers may arrive as strings),
and the cloud relies on it. These helpers accept the same variety and return ``None`` for anything
they cannot read, so one odd field never discards a whole payload. Only structural problems (a
payload that is not an object, a missing identifier) raise :class:`MoogoInvalidResponseError`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from .exceptions import MoogoInvalidResponseError

# Epoch values above this are milliseconds: in seconds it would be after the year 33658.
_MILLISECONDS_THRESHOLD = 1_000_000_000_000


def as_float(value: Any) -> float | None:
    """Read a finite number from a number, a boolean or a numeric string."""
    number: float | None = None
    try:
        if isinstance(value, int | float):  # bool is an int
            number = float(value)
        elif isinstance(value, str):
            number = float(value.strip())
    except OverflowError, ValueError:
        return None
    return number if number is not None and math.isfinite(number) else None


def as_int(value: Any) -> int | None:
    """Read an integer; fractional values are rounded to the nearest integer."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass  # not an integer literal; it may still be "12.0"
    number = as_float(value)
    return None if number is None else round(number)


def as_bool(value: Any) -> bool | None:
    """Read a flag from a boolean, a number (non-zero is true) or a string such as "true"."""
    if isinstance(value, str):
        text = value.strip().lower()
        if text in {"true", "yes", "on"}:
            return True
        if text in {"false", "no", "off"}:
            return False
    number = as_int(value)
    return None if number is None else number != 0


def as_str(value: Any) -> str | None:
    """Read a text value; numbers are accepted and rendered as text."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        try:
            return str(value)
        except ValueError:  # an integer too long to render
            return None
    return None


def as_datetime(value: Any) -> datetime | None:
    """Read an epoch timestamp (seconds, or milliseconds when huge) as an aware UTC datetime.

    Zero and negative values mean "never" on the wire and read as ``None``.
    """
    number = as_float(value)
    if number is None or number <= 0:
        return None
    if number >= _MILLISECONDS_THRESHOLD:
        number /= 1000
    try:
        return datetime.fromtimestamp(number, tz=UTC)
    except OverflowError, OSError, ValueError:
        return None


def as_duration(value: Any) -> timedelta | None:
    """Read a non-negative number of seconds as a timedelta."""
    number = as_float(value)
    if number is None or number < 0:
        return None
    try:
        return timedelta(seconds=number)
    except OverflowError:
        return None


def as_mapping(value: Any, what: str) -> Mapping[str, Any]:
    """Return ``value`` if it is a JSON object, else raise naming ``what`` was expected."""
    if isinstance(value, Mapping):
        return value
    raise MoogoInvalidResponseError(f"Expected an object for {what}, got {type(value).__name__}")


def as_items(value: Any, what: str) -> Sequence[Any]:
    """Return the rows of a list payload: a bare array or a paginated ``{"items": [...]}``.

    A missing or null list reads as empty; anything else that is not an array raises.
    """
    if isinstance(value, Mapping):
        value = value.get("items")
    if value is None:
        return []
    if isinstance(value, list):
        return value
    raise MoogoInvalidResponseError(f"Expected a list for {what}, got {type(value).__name__}")


def require_str(data: Mapping[str, Any], key: str, what: str) -> str:
    """Read a mandatory, non-empty text field (an identifier or a token)."""
    text = as_str(data.get(key))
    if not text:
        raise MoogoInvalidResponseError(f"{what} has no {key}")
    return text
