"""What the user set for a charger's plan, as the plan entities show it (persisted as a whole)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime, time
from typing import Any, Final

from ..plan import ChargeMode

DEFAULT_DEPARTURE: Final = time(7, 0)


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanSettings:
    """One charger's plan settings.

    ``target_soc`` and ``battery_capacity_kwh`` are used instead of ``target_energy_kwh`` while
    the charger knows the vehicle's state of charge and a capacity is set (a SoC difference
    becomes energy only through the battery's size).
    """

    enabled: bool = False
    departure: time = DEFAULT_DEPARTURE
    one_off_departure: datetime | None = None
    target_energy_kwh: float = 20.0
    target_soc: float = 80.0
    battery_capacity_kwh: float | None = None
    minimum_kwh: float = 0.0
    mode: ChargeMode = ChargeMode.SPLIT
    precondition: bool = False

    def changed(self, **changes: Any) -> PlanSettings:
        """Return a copy with ``changes`` applied (unknown names are a programming error)."""
        return replace(self, **changes)

    def as_dict(self) -> dict[str, Any]:
        """Return the settings as JSON values, for the store."""
        raw = asdict(self)
        raw["departure"] = self.departure.isoformat()
        raw["one_off_departure"] = (
            self.one_off_departure.isoformat() if self.one_off_departure else None
        )
        raw["mode"] = self.mode.value
        return raw

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> PlanSettings:
        """Read stored settings; a value that does not parse keeps its default."""
        known = {field.name for field in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in raw.items():
            if key not in known or value is None:
                continue
            try:
                values[key] = _parse(key, value)
            except TypeError, ValueError:
                continue
        return cls(**values)


def _parse(key: str, value: Any) -> Any:
    match key:
        case "departure":
            return time.fromisoformat(value)
        case "one_off_departure":
            moment = datetime.fromisoformat(value)
            if moment.utcoffset() is None:
                raise ValueError("naive departure")
            return moment
        case "mode":
            return ChargeMode(value)
        case "enabled" | "precondition":
            return bool(value)
        case _:
            return float(value)
