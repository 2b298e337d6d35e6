"""Constants of the Moogo pump family: entry keys, polling rates and deadlines."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from homeassistant.util.hass_dict import HassKey

from ..clients.moogo import DEFAULT_BASE_URL, LoginGuard

# Keys of a Moogo account entry's data (besides CONF_FAMILY, CONF_EMAIL, CONF_PASSWORD, CONF_URL).
CONF_TOKEN: Final = "token"  # noqa: S105 - a key name, not a secret
CONF_USER_ID: Final = "user_id"
CONF_TOKEN_EXPIRES_AT: Final = "token_expires_at"  # noqa: S105 - a key name

# Option: seconds between two status reads of an idle pump (each pump has its own cadence).
CONF_POLL_INTERVAL: Final = "poll_interval"
DEFAULT_POLL_INTERVAL: Final = 60
MIN_POLL_INTERVAL: Final = 30
MAX_POLL_INTERVAL: Final = 900

CLOUD_URL: Final = DEFAULT_BASE_URL

# The cloud accepts 1 s to one hour for a spray (the same bounds as a schedule's length).
MAX_SPRAY_SECONDS: Final = 3600

# While a pump sprays, read its status often enough to show the end of the spray promptly, and
# exactly when the cloud says the spray ends (plus a little slack for the cloud to notice).
# Each pump has its own cadence: a spraying pump does not speed up the reads of idle ones.
SPRAYING_POLL_INTERVAL: Final = timedelta(seconds=15)
MIN_SPRAYING_POLL_INTERVAL: Final = timedelta(seconds=2)
SPRAY_END_SLACK: Final = timedelta(seconds=2)
# An idle pump is read this long after its next scheduled spray should have started, so a
# schedule's spray (and its "started" event) shows within seconds instead of a poll later.
SCHEDULED_START_SLACK: Final = timedelta(seconds=5)

# The coordinator's timer rounds its wake-up to the second (it may fire up to a second before
# the time asked for): reads due within this tolerance are made by the poll at hand.
TIMER_TOLERANCE: Final = timedelta(seconds=1)
MIN_TIMER_INTERVAL: Final = timedelta(seconds=1)

# Data that changes rarely is fetched less often than the status (and at once after a change
# made from Home Assistant); the budget stays under 70 requests per idle pump and hour.
DEVICE_LIST_INTERVAL: Final = timedelta(minutes=15)
SCHEDULES_INTERVAL: Final = timedelta(minutes=30)
CONFIG_INTERVAL: Final = timedelta(hours=1)
FIRMWARE_INTERVAL: Final = timedelta(hours=6)
LIQUIDS_INTERVAL: Final = timedelta(hours=24)

# Every cloud call has its own deadline. One call may be a request, a re-login and a retry.
REQUEST_TIMEOUT: Final = 10.0
CALL_DEADLINE: Final = 35.0

# Waiting for a pump to act on a start/stop: the cloud flips its state 3-5 s after accepting
# the command. Nothing is read before the earliest expected flip, then the status is read every
# half second through the expected window and every second after it, up to CONFIRM_WITHIN.
CONFIRM_WITHIN: Final = 12.0
CONFIRM_FIRST_READ_AFTER: Final = 2.5
CONFIRM_FAST_UNTIL: Final = 6.0
CONFIRM_FAST_POLL_INTERVAL: Final = 0.5
CONFIRM_POLL_INTERVAL: Final = 1.0

# The cloud's daily login cap resets with the calendar day; retry a little after midnight UTC.
LOGIN_CAP_RESET_SLACK: Final = timedelta(minutes=10)
ISSUE_LOGIN_CAP: Final = "moogo_login_limit_reached"

MANUFACTURER: Final = "Moogo"
MODEL: Final = "Smart Mosquito Misting System"

# One login budget per account survives reloads of its entry, so reloading cannot storm logins.
DATA_LOGIN_GUARDS: HassKey[dict[str, LoginGuard]] = HassKey("openevse_moogo_login_guards")
