"""Fault switches of the Moogo cloud simulator, changeable while it serves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

DAILY_LOGIN_CAP: Final = 10


@dataclass
class MoogoFaults:
    """What the simulated cloud does wrong, and its login cap; read on every request, so flip
    them at any time.

    The request-level switches are checked in this order: ``hang``, ``delay``, ``html_error``,
    ``http_status``, ``malformed_json``; then the business switches apply.
    """

    wrong_password: bool = False
    """Every login answers code 10104 (invalid email or password)."""
    login_cap_after: int | None = DAILY_LOGIN_CAP
    """The cloud's daily login cap, on by default: after this many login attempts for the
    account (accepted or refused) on one calendar day, logins answer code 10000 "Exceeded
    maximum login attempts today. Please try again tomorrow.". The default, 10, is the low end
    of the 10 to 20 a day pymoogo's maintainers met live; a smaller number tightens it for a
    test, ``None`` lifts it."""
    http_status: int | None = None
    """Answer every request with this HTTP status and a JSON envelope carrying it as ``code``."""
    retry_after: int = 60
    """Seconds sent in the ``Retry-After`` header when ``http_status`` is 429."""
    html_error: bool = False
    """Answer every request with a Cloudflare-style HTML error page (status ``html_status``)."""
    html_status: int = 522
    malformed_json: bool = False
    """Answer HTTP 200, ``application/json``, with a body that is not valid JSON."""
    delay: float = 0.0
    """Seconds to wait before answering."""
    hang: bool = False
    """Never answer (until the simulator stops)."""
    login_http_status: int | None = None
    """Answer only login requests with this HTTP status (a partial outage of the sign-in
    service while the rest of the API answers)."""
    json_unauthorized: bool = False
    """A rejected token answers HTTP 200 with JSON ``code`` 401 instead of HTTP 401 (the
    variant some clients also handle; the vendor app reacts only to HTTP 401)."""
    unconfirmed_commands: bool = False
    """Start/stop are acknowledged with code 0 but the device never acts on them, so
    ``runStatus`` never changes (a command lost between the cloud and the pump)."""
