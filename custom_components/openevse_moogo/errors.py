"""Translating client exceptions into Home Assistant's translated errors.

One mechanism for both families.

Each family lists which of its client's exceptions means what, as an ordered table from
exception type to translation key (first match wins, so list subclasses before their bases).
The same table serves entity actions (`HomeAssistantError`) and coordinator updates
(`UpdateFailed`), so a user sees the same words for the same failure everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping

from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.update_coordinator import UpdateFailed

from .const import DOMAIN

type ErrorTable = Mapping[type[Exception], str]


def error_translation_key(err: Exception, table: ErrorTable, default: str) -> str:
    """Return the translation key of the first table entry matching the error."""
    for error_type, translation_key in table.items():
        if isinstance(err, error_type):
            return translation_key
    return default


def _placeholders(err: Exception) -> dict[str, str]:
    return {"error": str(err) or type(err).__name__}


def action_error(err: Exception, table: ErrorTable) -> HomeAssistantError:
    """Build the translated error an action raises for a client failure."""
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key=error_translation_key(err, table, "unknown_error"),
        translation_placeholders=_placeholders(err),
    )


def update_failed(
    err: Exception, table: ErrorTable, *, retry_after: float | None = None
) -> UpdateFailed:
    """Build the translated UpdateFailed a coordinator raises for a client failure."""
    return UpdateFailed(
        translation_domain=DOMAIN,
        translation_key=error_translation_key(err, table, "unknown_error"),
        translation_placeholders=_placeholders(err),
        retry_after=retry_after,
    )
