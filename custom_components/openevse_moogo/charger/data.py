"""What the charger coordinator holds: the charger's state as one immutable snapshot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..clients.openevse.models import (
    ChargerConfig,
    ChargerFeatures,
    ChargerStatus,
    ClaimProperties,
    ClaimTarget,
    Limit,
    Override,
    ScheduleEvent,
    SchedulePlan,
)
from .history import FinishedSession


@dataclass(frozen=True, slots=True, kw_only=True)
class ChargerData:
    """One consistent view of a charger, replaced as a whole on every change.

    ``status`` follows every websocket delta; the other resources are refetched only when the
    matching ``*_version`` counter in the status moves, so deltas cause no HTTP traffic.
    """

    status: ChargerStatus
    config: ChargerConfig
    features: ChargerFeatures
    override: Override | None
    """The charger's own manual override (what its web UI sets); None when there is none."""
    claim_target: ClaimTarget | None
    """The winning claim properties and their owners; None when the firmware has no claims."""
    own_claim: ClaimProperties | None
    """What our own claim asks for; None while we hold no claim."""
    own_client_id: int
    """The claim slot our own claim uses (how the charger names us in its claims)."""
    limit: Limit | None
    """The active charge limit; None when there is none or the firmware has no limits."""
    boot_time: datetime | None
    """When the gateway booted, kept stable between deltas so it is not rewritten each second."""
    push_connected: bool
    """Whether the websocket delivers pushes right now."""
    last_session: FinishedSession | None
    """The last finished session from the charger's event log; None before one is known."""
    has_event_log: bool
    """Whether the charger serves its event log (``/logs``)."""
    schedule: tuple[ScheduleEvent, ...] | None = None
    """The charger's own timer events; None when its firmware has no timer."""
    schedule_plan: SchedulePlan | None = None
    """The timer's plan of the week (when each event really acts)."""

    @property
    def serial(self) -> str:
        """The charger's WiFi serial (its identity)."""
        return self.config.wifi_serial or ""
