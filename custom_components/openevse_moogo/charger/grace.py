"""Which failures to read a charger leave its entities at their last values, and for how long.

The push channel (the "Push connection" entity) says at once that something is wrong; this
decides when the entities' values are given up as well:

* a reboot we asked for (Restart gateway) or that the charger announced (a finished firmware
  update): everything short of refused credentials is expected for ``RESTART_GRACE``;
* a timeout, a 5xx or an unreadable reply: the charger is there but struggling, kept for
  ``TRANSIENT_GRACE`` from the first failure;
* refused credentials right after they worked: confirmed once, by the next retry, before the
  user is asked for the password (newer firmware counts every refusal, so only once);
* a refused or broken connection with no reboot expected: the charger is gone, at once.

Anything not tolerated makes the entities unavailable, as does a grace running out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from ..clients.openevse import (
    OpenEVSEAuthenticationError,
    OpenEVSEConnectionError,
    OpenEVSERateLimitError,
)

# The firmware reboots one second after answering /restart (main.cpp restart_system); an ESP32
# gateway is back on the network within 10-20 s (boot, Wi-Fi join, DHCP). A minute leaves room
# for a slow access point without hiding a charger that did not come back.
RESTART_GRACE: Final = 60.0
RESTART_DELAY: Final = 1.0
# A healthy gateway can stall its single loop for several seconds (a TLS connect to an MQTT or
# OCPP server, a flash write): 30 s, with retries every DEGRADED_POLL_INTERVAL, rides that out,
# while values older than that would mislead more than an unavailable entity.
TRANSIENT_GRACE: Final = 30.0
# How soon a tolerated failure is tried again (the push channel retries on its own meanwhile).
DEGRADED_POLL_INTERVAL: Final = timedelta(seconds=5)


@dataclass(slots=True)
class Trouble:
    """The current episode of failed requests to one charger (all times are loop times)."""

    since: float | None = None
    """When the first failure of the episode happened; None while the charger answers."""
    error: str | None = None
    """The latest failure, for diagnostics."""
    auth_refusals: int = 0
    restart_until: float | None = None
    """Until when a reboot is expected; None when none is."""

    def expect_restart(self, now: float) -> None:
        """Expect the charger away for a while: a reboot was asked for or announced."""
        self.restart_until = now + RESTART_GRACE

    def restart_expected(self, now: float) -> bool:
        """Whether a reboot is expected right now."""
        return self.restart_until is not None and now < self.restart_until

    def restart_seen(self) -> None:
        """Stop expecting a reboot: the charger is back from it."""
        self.restart_until = None

    def tolerates(self, err: Exception, now: float) -> bool:
        """Record a failure; True while the entities may keep their values."""
        if self.since is None:
            self.since = now
        self.error = str(err) or type(err).__name__
        if isinstance(err, OpenEVSEAuthenticationError | OpenEVSERateLimitError):
            self.auth_refusals += 1
            return self.auth_refusals == 1
        if self.restart_expected(now):
            return True
        if isinstance(err, OpenEVSEConnectionError):
            return False
        return now - self.since < TRANSIENT_GRACE

    def resolved(self) -> bool:
        """End the episode (the charger answered); True when there was one."""
        ended = self.since is not None
        self.since = self.error = None
        self.auth_refusals = 0
        return ended

    def resolved_by_push(self) -> bool:
        """End the episode because the push channel is back, unless credentials were refused.

        Firmware before the development branch lets the websocket in without credentials, so a
        push channel that connects proves the charger is there, not that our password still
        works: a refusal stays to be confirmed by the next poll, which then asks for the password.
        """
        if self.auth_refusals:
            return False
        return self.resolved()

    def retry_interval(self) -> timedelta:
        """How soon to try again while tolerating a failure."""
        return DEGRADED_POLL_INTERVAL
