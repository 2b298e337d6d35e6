"""The development branch's HTTP auth: password-keyed, session cookies, failed-login throttle.

From the firmware's master branch (web_server.cpp isAuthenticated / handleLogin, web_auth.cpp):
auth is on when ``www_password`` is set, the user name defaulting to ``openevseadmin`` when left
blank; a Basic header or an ``oevse_session`` cookie from ``POST /login`` lets a request in.
Every wrong credential (Basic or login) counts as a failure, one failure is forgiven per
minute, and from ten recent failures on a wrong credential is answered 429; a right one
always passes and clears the count.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from typing import Final

from aiohttp import BasicAuth, hdrs, web

DEFAULT_USER: Final = "openevseadmin"
THROTTLE_DECAY: Final = 60.0
THROTTLE_LOCK_AT: Final = 10
SESSION_COOKIE: Final = "oevse_session"


@dataclass
class MasterAuth:
    """Credentials, sessions and the throttle of one simulated gateway."""

    credentials: Callable[[], tuple[str, str] | None]
    """(user, password) as configured, or None when no password is set."""
    clock: Callable[[], float] = time.monotonic
    fails: int = 0
    updated: float = 0.0
    sessions: set[str] = field(default_factory=set)

    def check(self, request: web.Request) -> tuple[bool, bool, bool]:
        """Return (allowed, by session cookie, a wrong Basic credential was presented)."""
        configured = self.credentials()
        if configured is None:
            return True, False, False
        bad = False
        header = request.headers.get(hdrs.AUTHORIZATION)
        if header:
            try:
                basic = BasicAuth.decode(header)
            except ValueError:
                basic = None
            if basic is not None:
                if self.matches(basic.login, basic.password):
                    self.succeeded()
                    return True, False, False
                self.failed()
                bad = True
        cookie = self._session_cookie(request)
        return cookie, cookie, bad

    def matches(self, user: str, password: str) -> bool:
        configured = self.credentials()
        if configured is None:
            return True
        wanted_user, wanted_password = configured
        user_ok = secrets.compare_digest(user, wanted_user or DEFAULT_USER)
        password_ok = secrets.compare_digest(password, wanted_password)
        return user_ok and password_ok

    def effective_fails(self) -> int:
        forgiven = int((self.clock() - self.updated) // THROTTLE_DECAY)
        return max(0, self.fails - forgiven)

    def failed(self) -> None:
        self.fails = self.effective_fails() + 1
        self.updated = self.clock()

    def succeeded(self) -> None:
        self.fails = 0
        self.updated = self.clock()

    def locked(self) -> bool:
        return self.effective_fails() >= THROTTLE_LOCK_AT

    def new_session(self) -> str:
        token = secrets.token_urlsafe(24)
        self.sessions.add(token)
        return token

    def _session_cookie(self, request: web.Request) -> bool:
        raw = request.headers.get(hdrs.COOKIE)
        if not raw:
            return False
        try:
            cookie = SimpleCookie(raw)
        except CookieError:
            return False
        morsel = cookie.get(SESSION_COOKIE)
        return morsel is not None and morsel.value in self.sessions
