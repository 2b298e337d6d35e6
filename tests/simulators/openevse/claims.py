"""The firmware's claims engine: who asked for what, and which request wins (evse_man.cpp).

Every client (manual override, HTTP API, divert, limit, schedule, ...) holds at most one claim
with a fixed priority, in one of ten slots. Each property (state, charge_current, max_current)
is taken from the highest-priority claim that sets it; the state nobody claims falls back to
the configured default state, the currents nobody claims are left out of the target.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

# Client ids are (vendor << 16) | n; vendor 1 is OpenEVSE itself (evse_man.h).
CLIENT_MANUAL: Final = 65537
CLIENT_DIVERT: Final = 65538
CLIENT_LIMIT: Final = 65542

PRIORITY_DEFAULT: Final = 10
PRIORITY_DIVERT: Final = 50
PRIORITY_API: Final = 500
PRIORITY_TIMER_FEATURE: Final = 900  # master only: a timer window's divert (evse_man.h:55)
PRIORITY_MANUAL: Final = 1000
PRIORITY_LIMIT: Final = 1100

CLAIM_PROPERTIES: Final = ("state", "charge_current", "max_current")
MAX_CLAIMS: Final = 10
_UINT32: Final = 2**32


class ClaimError(ValueError):
    """No claim slot is free (the firmware's only reason to refuse a claim)."""


@dataclass
class Claim:
    """One client's request for the charger."""

    priority: int
    properties: dict[str, Any] = field(default_factory=dict)
    auto_release: bool = False

    def as_wire(self) -> dict[str, Any]:
        """Return the claim as /claims/{client} reports it."""
        return {"priority": self.priority, **self.properties, "auto_release": self.auto_release}


def as_uint32(value: Any) -> int:
    """Convert a JSON value the way ArduinoJson's ``as<uint32_t>()`` does."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float) and 0 <= value < _UINT32:
        return int(value)
    return 0


def parse_claim_properties(body: Any, *, default_auto_release: bool) -> tuple[dict[str, Any], bool]:
    """Read claim properties like ``EvseProperties::deserialize`` (any JSON is accepted).

    ``state`` counts by its first letter ("a"ctive / "d"isabled), anything else (and
    ``"clear"``) leaves it unset; a current of ``"clear"`` is unset, other values are converted
    to an unsigned integer. ``auto_release`` defaults to ``default_auto_release``: false for API
    claims, true for the manual override (manual.cpp).
    """
    properties: dict[str, Any] = {}
    if not isinstance(body, dict):
        return properties, default_auto_release
    state = body.get("state")
    if isinstance(state, str) and state[:1] in ("a", "d"):
        properties["state"] = "active" if state[0] == "a" else "disabled"
    for key in ("charge_current", "max_current"):
        if key in body and body[key] != "clear":
            properties[key] = as_uint32(body[key])
    auto_release = body.get("auto_release", default_auto_release)
    return properties, bool(auto_release)


@dataclass
class ClaimsEngine:
    """Holds the claims and resolves the target properties."""

    claims: dict[int, Claim] = field(default_factory=dict)

    def set(self, client: int, claim: Claim) -> bool:
        """Add or replace a client's claim; False when it is identical to the one held.

        Raises ClaimError when all slots are taken by other clients.
        """
        if client not in self.claims and len(self.claims) >= MAX_CLAIMS:
            raise ClaimError("no free claim slot")
        if self.claims.get(client) == claim:
            return False
        self.claims[client] = claim
        return True

    def release(self, client: int) -> bool:
        """Drop a client's claim; False when it had none."""
        return self.claims.pop(client, None) is not None

    def release_auto(self) -> list[int]:
        """Drop every claim marked auto_release (the session ended); return their clients."""
        released = [client for client, claim in self.claims.items() if claim.auto_release]
        for client in released:
            del self.claims[client]
        return released

    def listing(self) -> list[dict[str, Any]]:
        """Return GET /claims: every claim with its client id."""
        return [{"client": client, **claim.as_wire()} for client, claim in self.claims.items()]

    def resolve(self, default_state: str) -> tuple[dict[str, Any], dict[str, int]]:
        """Return /claims/target: (target properties, client that supplied each claimed one).

        Slots are scanned in order and only a strictly higher priority wins, so on a tie the
        older claim keeps the property. The target's ``auto_release`` is always false.
        """
        properties: dict[str, Any] = {"state": default_state}
        sources: dict[str, int] = {}
        best: dict[str, int] = dict.fromkeys(CLAIM_PROPERTIES, 0)
        for client, claim in self.claims.items():
            for key in CLAIM_PROPERTIES:
                if key in claim.properties and claim.priority > best[key]:
                    properties[key] = claim.properties[key]
                    sources[key] = client
                    best[key] = claim.priority
        properties["auto_release"] = False
        return {k: properties[k] for k in (*CLAIM_PROPERTIES, "auto_release") if k in properties}, {
            k: sources[k] for k in CLAIM_PROPERTIES if k in sources
        }
