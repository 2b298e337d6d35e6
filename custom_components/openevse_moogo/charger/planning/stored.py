"""The plan's state as JSON for Home Assistant's store, so a restart mid-plan loses nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..plan import ChargePlan, PlannedInterval, PriceSlot
from .settings import PlanSettings


@dataclass(kw_only=True)
class PlanMemory:
    """What the plan keeps between restarts.

    ``prices`` are the known slots (the price source may not be ready right after a restart);
    ``baseline_wh`` is the session energy when the current plan cycle began (a car left plugged
    in across several departures adds its target once per departure); ``announced`` maps
    ``started`` / ``completed`` to the departure they were announced for (no duplicate event).
    """

    settings: PlanSettings = field(default_factory=PlanSettings)
    prices: list[PriceSlot] = field(default_factory=list)
    learned_power_kw: float | None = None
    applied: str | None = None
    cycle_departure: datetime | None = None
    baseline_wh: float = 0.0
    announced: dict[str, str] = field(default_factory=dict)
    plan: ChargePlan | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON for the store."""
        return {
            "settings": self.settings.as_dict(),
            "prices": [[s.start.isoformat(), s.end.isoformat(), s.price] for s in self.prices],
            "learned_power_kw": self.learned_power_kw,
            "applied": self.applied,
            "cycle_departure": _iso(self.cycle_departure),
            "baseline_wh": self.baseline_wh,
            "announced": dict(self.announced),
            "plan": None if self.plan is None else _plan_dict(self.plan),
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> PlanMemory:
        """Read what was stored; a part that does not parse is left at its default."""
        memory = cls(settings=PlanSettings.from_dict(raw.get("settings") or {}))
        try:
            memory.prices = [
                PriceSlot(datetime.fromisoformat(a), datetime.fromisoformat(b), float(p))
                for a, b, p in raw.get("prices") or []
            ]
        except TypeError, ValueError:
            memory.prices = []
        learned = raw.get("learned_power_kw")
        memory.learned_power_kw = float(learned) if isinstance(learned, int | float) else None
        applied = raw.get("applied")
        memory.applied = applied if isinstance(applied, str) else None
        memory.cycle_departure = _time(raw.get("cycle_departure"))
        baseline = raw.get("baseline_wh")
        memory.baseline_wh = float(baseline) if isinstance(baseline, int | float) else 0.0
        announced = raw.get("announced")
        if isinstance(announced, dict):
            memory.announced = {str(k): str(v) for k, v in announced.items()}
        plan = raw.get("plan")
        if isinstance(plan, dict):
            try:
                memory.plan = _plan_from(plan)
            except KeyError, TypeError, ValueError:
                memory.plan = None
        return memory


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.utcoffset() is not None else None


def _plan_dict(plan: ChargePlan) -> dict[str, Any]:
    return {
        "intervals": [
            [i.start.isoformat(), i.end.isoformat(), i.energy_kwh, i.cost, i.priced]
            for i in plan.intervals
        ],
        "energy_wanted_kwh": plan.energy_wanted_kwh,
        "energy_kwh": plan.energy_kwh,
        "cost": plan.cost,
        "reachable": plan.reachable,
        "awaiting_prices": plan.awaiting_prices,
        "prices_complete": plan.prices_complete,
        "departure": plan.departure.isoformat(),
        "latest_start": _iso(plan.latest_start),
        "unpriced_energy_kwh": plan.unpriced_energy_kwh,
        "available_from": _iso(plan.available_from),
    }


def _plan_from(raw: dict[str, Any]) -> ChargePlan:
    departure = _time(raw["departure"])
    if departure is None:
        raise ValueError("departure")
    return ChargePlan(
        intervals=tuple(
            PlannedInterval(
                datetime.fromisoformat(start),
                datetime.fromisoformat(end),
                float(energy),
                float(cost),
                bool(priced),
            )
            for start, end, energy, cost, priced in raw["intervals"]
        ),
        energy_wanted_kwh=float(raw["energy_wanted_kwh"]),
        energy_kwh=float(raw["energy_kwh"]),
        cost=float(raw["cost"]),
        reachable=bool(raw["reachable"]),
        awaiting_prices=bool(raw["awaiting_prices"]),
        prices_complete=bool(raw["prices_complete"]),
        departure=departure,
        latest_start=_time(raw.get("latest_start")),
        unpriced_energy_kwh=float(raw.get("unpriced_energy_kwh", 0.0)),
        available_from=_time(raw.get("available_from")),
    )
