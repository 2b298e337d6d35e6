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

# Every part of a pump is read on a fixed cadence: the status at the idle interval (the option
# above), the rest below; the account's device list and concentrate catalogue likewise. The
# budget stays under 70 requests per idle pump and hour. Changes made from Home Assistant are
# read back at once.
DEVICE_LIST_INTERVAL: Final = timedelta(minutes=15)
SCHEDULES_INTERVAL: Final = timedelta(minutes=30)
CONFIG_INTERVAL: Final = timedelta(hours=1)
FIRMWARE_INTERVAL: Final = timedelta(hours=6)
LIQUIDS_INTERVAL: Final = timedelta(hours=24)
# The spray history is read every two hours and once just after each spray Home Assistant sees
# end: 0.5 requests per idle pump and hour (the busiest idle hour stays within the budget).
HISTORY_INTERVAL: Final = timedelta(hours=2)
HISTORY_AFTER_SPRAY: Final = timedelta(seconds=10)

# Besides the regular reads, the status is read once just after a spray's announced end and just
# after a scheduled spray should have started (plus a little slack for the cloud to notice), so
# both show within seconds; while firmware installs its progress is read every minute.
SPRAY_END_SLACK: Final = timedelta(seconds=2)
SCHEDULED_START_SLACK: Final = timedelta(seconds=5)
FIRMWARE_PROGRESS_INTERVAL: Final = timedelta(minutes=1)

# A transient cloud failure keeps a reader's last data for two of its cycles, at least this long.
MIN_GRACE: Final = timedelta(minutes=1)
# A 429's Retry-After, up to this long, extends the grace to just after the read it asks for.
MAX_RETRY_AFTER_GRACE: Final = 600.0
RETRY_AFTER_SLACK: Final = timedelta(seconds=10)

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
# A pump whose cloud settings hold an empty or POSIX time zone: the cloud refuses every settings
# write until an IANA zone is written (one issue per pump, with a fix flow that writes Home
# Assistant's zone).
ISSUE_TIME_ZONE: Final = "moogo_time_zone_invalid"

MANUFACTURER: Final = "Moogo"
MODEL: Final = "Smart Mosquito Misting System"

# One login budget per account survives reloads of its entry, so reloading cannot storm logins.
DATA_LOGIN_GUARDS: HassKey[dict[str, LoginGuard]] = HassKey("openevse_moogo_login_guards")
