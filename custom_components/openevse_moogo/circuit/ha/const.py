"""Keys of a charging circuit's config entry, and the timings of its loop."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

CONF_LIMIT: Final = "limit"
CONF_PHASES: Final = "phases"
CONF_MARGIN: Final = "margin"
CONF_CHARGERS: Final = "chargers"
CONF_MEMBERS: Final = "members"  # [{"entry_id": ..., "phase": "1" | "2" | "3" | "all"}]
CONF_LOAD_CURRENT: Final = "load_current"  # current sensors: one, or one per phase
CONF_LOAD_POWER: Final = "load_power"  # a power sensor
CONF_FALLBACK_MODE: Final = "fallback_mode"
CONF_CONSENT: Final = "consent"
CONF_FALLBACK_PREVIOUS: Final = "fallback_previous"  # what the fallback replaced, per charger
CONF_SHARES: Final = "shares"  # each member's static share, as written with the fallback

MEMBER_ENTRY_ID: Final = "entry_id"
MEMBER_PHASE: Final = "phase"
PHASE_ALL: Final = "all"
PHASE_OPTIONS: Final = ("1", "2", "3", PHASE_ALL)

DEFAULT_MARGIN: Final = 1.0

# The loop also runs on this beat, without any event: deadlines, sensors going stale.
TICK: Final = timedelta(seconds=1)
# A command whose request failed is sent again after this long (at once when the member that
# was lost answers again).
RETRY_S: Final = 10.0
# A member's reading older than this is not trusted as its car's draw.
DRAW_FRESH_S: Final = 15.0

ISSUE_OVERRIDE: Final = "circuit_override"
ISSUE_FALLBACK_RESTORE: Final = "circuit_fallback_not_restored"
