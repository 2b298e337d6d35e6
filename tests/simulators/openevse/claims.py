"""The firmware's claims engine: who asked for what, and which request wins.

Every client (manual override, HTTP API, limit, schedule, ...) holds at most one claim with a
fixed priority. Each property (state, charge_current, max_current) is taken from the
highest-priority claim that sets it; properties nobody sets fall back to the device defaults.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

# Client ids are (vendor << 16) | n; vendor 1 is OpenEVSE itself.
CLIENT_MANUAL: Final = 65537
CLIENT_LIMIT: Final = 65542

PRIORITY_API: Final = 500
PRIORITY_MANUAL: Final = 1000
PRIORITY_LIMIT: Final = 1100

CLAIM_PROPERTIES: Final = ("state", "charge_current", "max_current")
MAX_CLAIMS: Final = 10


class ClaimError(ValueError):
    """The claim request is not acceptable (bad property value)."""


@dataclass
class Claim:
    """One client's request for the charger."""

    priority: int
    properties: dict[str, Any] = field(default_factory=dict)
    auto_release: bool = True

    def as_wire(self) -> dict[str, Any]:
        """Return the claim as /claims/{client} reports it."""
        return {"priority": self.priority, **self.properties, "auto_release": self.auto_release}


def parse_claim_properties(body: Any) -> tuple[dict[str, Any], bool]:
    """Validate a claim/override request body and return (properties, auto_release).

    A property whose value is ``"clear"`` is left out (the firmware's way of dropping it).
    """
    if not isinstance(body, dict):
        raise ClaimError("not an object")
    properties: dict[str, Any] = {}
    for key in CLAIM_PROPERTIES:
        if key not in body or body[key] == "clear":
            continue
        value = body[key]
        if key == "state":
            if value not in ("active", "disabled"):
                raise ClaimError("bad state")
        elif isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise ClaimError(f"bad {key}")
        properties[key] = value
    auto_release = body.get("auto_release", True)
    return properties, bool(auto_release)


@dataclass
class ClaimsEngine:
    """Holds the claims and resolves the winning properties."""

    claims: dict[int, Claim] = field(default_factory=dict)

    def set(self, client: int, claim: Claim) -> None:
        """Add or replace a client's claim; raises ClaimError when all slots are taken."""
        if client not in self.claims and len(self.claims) >= MAX_CLAIMS:
            raise ClaimError("no free claim slot")
        self.claims[client] = claim

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

    def resolve(self, defaults: dict[str, Any]) -> tuple[dict[str, Any], dict[str, int]]:
        """Return (winning properties, client id that supplied each claimed property)."""
        properties = dict(defaults)
        sources: dict[str, int] = {}
        ranked = sorted(self.claims.items(), key=lambda item: item[1].priority, reverse=True)
        for key in CLAIM_PROPERTIES:
            for client, claim in ranked:
                if key in claim.properties:
                    properties[key] = claim.properties[key]
                    sources[key] = client
                    break
        auto_release = [claim.auto_release for _, claim in ranked]
        properties["auto_release"] = auto_release[0] if auto_release else True
        return properties, sources
