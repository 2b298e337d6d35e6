"""Charge plans: prices read from Home Assistant's price integrations and the exact planner.

Pure Python without Home Assistant imports, so the planner is tested and benchmarked on its own
(``bench/plan_bench.py``). :mod:`.prices` turns a price entity's attributes or a price action's
response into :class:`PriceSlot` values, :mod:`.planner` chooses the cheapest slots that add the
wanted energy by departure, :mod:`.status` says what the plan is doing.
"""

from .planner import ChargeMode, ChargePlan, PlanError, PlannedInterval, plan_charge
from .prices import (
    MalformedPriceError,
    PriceError,
    PriceFormat,
    PriceSeries,
    PriceSlot,
    PricesUnavailableError,
    UnknownPriceFormatError,
    detect_entity_format,
    merge_series,
    normalize_slots,
    parse_price_entity,
    parse_price_response,
)
from .status import PlanStatus, plan_status

__all__ = [
    "ChargeMode",
    "ChargePlan",
    "MalformedPriceError",
    "PlanError",
    "PlanStatus",
    "PlannedInterval",
    "PriceError",
    "PriceFormat",
    "PriceSeries",
    "PriceSlot",
    "PricesUnavailableError",
    "UnknownPriceFormatError",
    "detect_entity_format",
    "merge_series",
    "normalize_slots",
    "parse_price_entity",
    "parse_price_response",
    "plan_charge",
    "plan_status",
]
