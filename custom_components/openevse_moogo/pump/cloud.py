"""One Moogo account's way to the cloud: every call, its deadline, its count and its errors.

Every read and every command of the account goes through :meth:`AccountCloud.call`, so the
request statistics diagnostics show are counted here and nowhere else. :meth:`translate` turns a
client failure into the Home Assistant error a coordinator raises, including the daily login cap
(a repair issue, and no retry before the cap is expected to lift).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed, HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from ..clients.moogo import (
    MoogoAuthenticationError,
    MoogoClient,
    MoogoConnectionError,
    MoogoInvalidResponseError,
    MoogoLoginLimitError,
    MoogoRateLimitError,
    MoogoServerError,
)
from ..const import DOMAIN, LOGGER
from ..errors import update_failed
from .const import CALL_DEADLINE, ISSUE_LOGIN_CAP, LOGIN_CAP_RESET_SLACK
from .errors import PUMP_ERRORS

# Failures that say nothing about the pump or the account, only that this one answer was lost:
# a timeout or a dropped connection, a 5xx or a Cloudflare/HTML page, a 429 and an unreadable
# reply. Entities ride them out for a grace (see `reader`); anything else shows at once.
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    TimeoutError,
    MoogoConnectionError,
    MoogoServerError,
    MoogoInvalidResponseError,
)


def is_transient(err: Exception) -> bool:
    """Whether the failure is a lost answer rather than a lasting refusal (the login cap is)."""
    if isinstance(err, MoogoRateLimitError):
        return not isinstance(err, MoogoLoginLimitError)
    return isinstance(err, TRANSIENT_ERRORS)


def login_cap_resets_at(hit_at: datetime) -> datetime:
    """When the cloud's daily login cap, reported at ``hit_at``, is expected to be lifted."""
    next_day = dt_util.as_utc(hit_at).date() + timedelta(days=1)
    midnight = datetime(next_day.year, next_day.month, next_day.day, tzinfo=dt_util.UTC)
    return midnight + LOGIN_CAP_RESET_SLACK


def login_cap_issue_id(entry_id: str) -> str:
    """Return the repair issue shown while the cloud refuses the account's logins for the day."""
    return f"{ISSUE_LOGIN_CAP}_{entry_id}"


@dataclass
class RequestStatistics:
    """What diagnostics show about the account's cloud calls since set-up."""

    calls: int = 0
    failed_calls: int = 0
    last_error: str | None = None
    calls_by_kind: dict[str, int] = field(default_factory=dict)


class AccountCloud:
    """The account's client, wrapped with a deadline per call and the one request count."""

    def __init__(
        self, hass: HomeAssistant, client: MoogoClient, *, entry_id: str, title: str
    ) -> None:
        """Call the cloud through ``client`` for the entry ``entry_id`` (titled ``title``)."""
        self.hass = hass
        self.client = client
        self.stats = RequestStatistics()
        self._entry_id = entry_id
        self._title = title

    async def call[**P, T](
        self,
        func: Callable[P, Awaitable[T]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run one client call under its own deadline, whatever the session's timeout is."""
        self.stats.calls += 1
        kind = getattr(func, "__name__", "call")
        self.stats.calls_by_kind[kind] = self.stats.calls_by_kind.get(kind, 0) + 1
        self._lift_expired_login_cap()
        try:
            async with asyncio.timeout(CALL_DEADLINE):
                result = await func(*args, **kwargs)
        except Exception as err:
            self.stats.failed_calls += 1
            self.stats.last_error = type(err).__name__
            raise
        ir.async_delete_issue(self.hass, DOMAIN, self.login_cap_issue_id)
        return result

    def translate(self, err: Exception) -> HomeAssistantError:
        """Return the error a coordinator raises for a failed read: reauth, retry later, failed."""
        if isinstance(err, MoogoAuthenticationError):
            return ConfigEntryAuthFailed(
                translation_domain=DOMAIN,
                translation_key="moogo_auth_failed",
                translation_placeholders={"error": str(err)},
            )
        if isinstance(err, MoogoLoginLimitError):
            return update_failed(err, PUMP_ERRORS, retry_after=self._login_limit_wait(err))
        if isinstance(err, MoogoRateLimitError):
            return update_failed(err, PUMP_ERRORS, retry_after=err.retry_after)
        return update_failed(err, PUMP_ERRORS)

    @property
    def login_cap_issue_id(self) -> str:
        """The repair issue shown while the cloud refuses logins for the day."""
        return login_cap_issue_id(self._entry_id)

    def _login_limit_wait(self, err: MoogoLoginLimitError) -> float | None:
        """Seconds to wait before the next try; raises the repair issue for the daily cap."""
        hit_at = self.client.login_guard.daily_cap_hit_at
        if not err.daily_cap or hit_at is None:
            return err.retry_after
        resets_at = login_cap_resets_at(hit_at)
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            self.login_cap_issue_id,
            is_fixable=False,
            is_persistent=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="moogo_login_limit_reached",
            translation_placeholders={
                "account": self._title,
                "retry_at": dt_util.as_local(resets_at).strftime("%Y-%m-%d %H:%M"),
            },
        )
        return max((resets_at - dt_util.utcnow()).total_seconds(), 1.0)

    @callback
    def _lift_expired_login_cap(self) -> None:
        """Allow logins again once the day that capped them is over."""
        guard = self.client.login_guard
        hit_at = guard.daily_cap_hit_at
        if hit_at is not None and dt_util.utcnow() >= login_cap_resets_at(hit_at):
            LOGGER.info("A new day began; Moogo logins are allowed again")
            guard.reset()
