"""Budget for logins, so that the client can never cause a login storm.

The Moogo cloud allows only a handful of logins per account and day; past that it refuses every
login until the next day ("Exceeded maximum login attempts today"), which would also lock the
owner's phone app out. The guard therefore allows at most ``max_per_hour`` login attempts in any
sliding hour, and none at all once the cloud has reported its daily cap, until the caller calls
:meth:`LoginGuard.reset` (for example after the user confirmed their credentials again).

A login the cloud refuses for a wrong email or password (code 10104) would fail the same way
each time and only spend the daily cap, so after the first one no login is attempted either:
:meth:`LoginGuard.acquire` raises :class:`MoogoInvalidCredentialsError` until new credentials
are given (:meth:`MoogoClient.set_credentials` clears that block) or :meth:`LoginGuard.reset`.

A login that never reached the cloud's sign-in (a gateway answered 502, 503, 504 or one of
Cloudflare's 520-530 pages, or no connection was made) is given back to the budget: the cloud
cannot have counted it against its daily cap, and an outage that happens to meet a token expiry
must not spend the hour's logins. Such attempts are spaced instead: the next one waits 10 s,
doubling to at most a minute, so however many pumps read, sign-in sees one attempt a minute and
the account is back within a minute of sign-in; a successful login starts the spacing afresh.
While it waits, :meth:`LoginGuard.acquire` raises the same kind of error the last attempt met,
saying when the next one is due, so callers treat it as the outage it is.

One guard may be shared by several clients of the same account (for example across reloads of an
integration) by passing it to each client.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime

from .exceptions import (
    MoogoConnectionError,
    MoogoInvalidCredentialsError,
    MoogoLoginLimitError,
    MoogoServerError,
)

DEFAULT_MAX_LOGINS_PER_HOUR = 3
_WINDOW_SECONDS = 3600.0
UNANSWERED_FIRST_WAIT = 10.0
UNANSWERED_MAX_WAIT = 60.0


class LoginGuard:
    """Sliding-hour login budget plus latches for the daily login cap and refused credentials."""

    def __init__(
        self,
        *,
        max_per_hour: int = DEFAULT_MAX_LOGINS_PER_HOUR,
        clock: Callable[[], float] | None = None,
    ) -> None:
        """Allow ``max_per_hour`` attempts per sliding hour, timed with ``clock`` (seconds).

        Without ``clock``, ``time.monotonic`` is looked up at each reading, so a test that
        replaces it (a frozen clock) moves the guard's time too.
        """
        if max_per_hour < 1:
            raise ValueError("max_per_hour must be at least 1")
        self._max_per_hour = max_per_hour
        self._clock = clock or _monotonic
        self._attempts: deque[float] = deque()
        self._daily_cap_hit_at: datetime | None = None
        self._credentials_rejected_at: datetime | None = None
        self._unanswered_wait = 0.0
        self._unanswered_status: int | None = None  # None: no connection was made
        self._next_unanswered_try: float | None = None

    @property
    def max_per_hour(self) -> int:
        """The number of login attempts allowed in any sliding hour."""
        return self._max_per_hour

    @property
    def daily_cap_hit_at(self) -> datetime | None:
        """When the cloud reported its daily login cap, or ``None`` if it has not since reset."""
        return self._daily_cap_hit_at

    @property
    def credentials_rejected_at(self) -> datetime | None:
        """When the cloud refused the email or password, or ``None`` if not since cleared."""
        return self._credentials_rejected_at

    @property
    def attempts_in_window(self) -> int:
        """Login attempts made in the last hour."""
        self._forget_old_attempts()
        return len(self._attempts)

    def acquire(self) -> None:
        """Account for one login attempt, or raise if none is allowed now.

        Raises :class:`MoogoInvalidCredentialsError` after the cloud refused the credentials,
        :class:`MoogoLoginLimitError` with ``daily_cap=True`` after the cloud's daily cap, or
        with ``retry_after`` set when the hourly budget is spent.
        """
        if self._credentials_rejected_at is not None:
            raise MoogoInvalidCredentialsError(
                "The cloud refused the email or password; no login until new credentials "
                "are given or the guard is reset"
            )
        if self._daily_cap_hit_at is not None:
            raise MoogoLoginLimitError(
                "The cloud's daily login cap was reached; logins stay blocked until reset",
                daily_cap=True,
            )
        if self._next_unanswered_try is not None:
            wait = self._next_unanswered_try - self._clock()
            if wait > 0:
                raise self._still_unanswered(wait)
        self._forget_old_attempts()
        if len(self._attempts) >= self._max_per_hour:
            retry_after = self._attempts[0] + _WINDOW_SECONDS - self._clock()
            raise MoogoLoginLimitError(
                f"Login budget of {self._max_per_hour} per hour is spent",
                daily_cap=False,
                retry_after=max(retry_after, 0.0),
            )
        self._attempts.append(self._clock())

    def refund_unanswered(self, err: MoogoServerError | MoogoConnectionError) -> None:
        """Give the last attempt back and space the next: ``err`` shows it never reached sign-in."""
        if self._attempts:
            self._attempts.pop()
        self._unanswered_wait = min(
            max(2 * self._unanswered_wait, UNANSWERED_FIRST_WAIT), UNANSWERED_MAX_WAIT
        )
        self._unanswered_status = err.status if isinstance(err, MoogoServerError) else None
        self._next_unanswered_try = self._clock() + self._unanswered_wait

    def answered(self) -> None:
        """Note a successful login: unanswered attempts are spaced from the shortest wait again."""
        self._unanswered_wait = 0.0
        self._next_unanswered_try = None

    def _still_unanswered(self, wait: float) -> MoogoServerError | MoogoConnectionError:
        next_try = f"the next attempt is in {wait:.0f} s"
        if self._unanswered_status is None:
            return MoogoConnectionError(f"Signing in could not reach the cloud; {next_try}")
        return MoogoServerError(
            f"Signing in failed on the cloud's side (HTTP {self._unanswered_status}); {next_try}",
            status=self._unanswered_status,
        )

    def trip_daily_cap(self) -> None:
        """Block every login until :meth:`reset`: the cloud reported its daily cap."""
        self._daily_cap_hit_at = datetime.now(UTC)

    def reject_credentials(self) -> None:
        """Block every login until new credentials or :meth:`reset`: the cloud refused them."""
        self._credentials_rejected_at = datetime.now(UTC)

    def accept_new_credentials(self) -> None:
        """Lift the refused-credentials block only (new credentials were given)."""
        self._credentials_rejected_at = None

    def reset(self) -> None:
        """Clear both latches (daily cap, refused credentials), the hourly budget and spacing."""
        self._daily_cap_hit_at = None
        self._credentials_rejected_at = None
        self._attempts.clear()
        self.answered()

    def _forget_old_attempts(self) -> None:
        horizon = self._clock() - _WINDOW_SECONDS
        while self._attempts and self._attempts[0] <= horizon:
            self._attempts.popleft()


def _monotonic() -> float:
    return time.monotonic()
