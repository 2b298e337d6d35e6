"""Energy prices as typed slots, read from what Home Assistant's price integrations publish.

A :class:`PriceSlot` is one traded product: an aware ``start``, an aware ``end`` and a
``price`` per kWh in the source's currency. Slots can be of any length (15-minute European
day-ahead products since October 2025, half-hourly Octopus rates, hourly prices) and lengths may
mix within one series.

Sources and the shapes read (each researched in the integration's own code):

- Nord Pool from HACS (``custom-components/nordpool``): attributes ``raw_today`` and
  ``raw_tomorrow``, lists of ``{"start", "end", "value"}`` (``value`` per kWh, or per MWh / in
  cents as the user configured the sensor; taken as it is).
- ENTSO-e (``JaccoR/hass-entso-e``): ``prices_today``, ``prices_tomorrow`` and ``prices``, lists
  of ``{"time", "price"}`` with ``time`` an ISO string; the end of a slot is inferred.
- Energi Data Service (``MTrab/energidataservice``): ``raw_today`` / ``raw_tomorrow`` lists of
  ``{"hour", "price"}`` (hourly or 15-minute, despite the key) and, with Carnot, ``forecast`` of
  the same shape. Forecasts are predictions, not prices: read only on request, and only beyond
  the last known price.
- Octopus Energy (``BottlecapDave/HomeAssistant-OctopusEnergy``): the rate event entities'
  ``rates`` (also ``current_day_rates``), lists of ``{"start", "end", "value_inc_vat"}`` in
  pounds per kWh.
- The generic list documented here: an attribute ``prices`` (or ``data``) holding a list of
  ``{"start", "end", "price"}``; ``end`` may be left out, it is then inferred like ENTSO-e's.
- Core integrations that only answer through an action: ``nordpool.get_prices_for_date``
  (``{area: [{"start", "end", "price"}]}`` with the price per MWh, divided by 1000 here) and
  ``tibber.get_prices`` (``{"prices": {home: [{"start_time", "price"}]}}``, per kWh).

Times may be ``datetime`` objects (the live state machine) or ISO strings (restored or
templated states); both must carry an offset, since a naive time is ambiguous around DST.
Missing prices (``None``, NaN, infinity: Nord Pool's placeholders) leave a gap rather than an
invented price. Every malformed input raises a :class:`PriceError` subclass naming where it is.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from itertools import pairwise

UNAVAILABLE = "unavailable"
# Spacing up to this long between two start-only entries is one slot; longer means a gap.
LONGEST_INFERRED_SLOT = timedelta(hours=1)
DEFAULT_SLOT = timedelta(hours=1)  # a single start-only entry, with no spacing to learn from
MWH_PER_KWH = 1000.0
# Times outside these bounds cannot be prices (and would overflow datetime arithmetic).
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


class PriceError(Exception):
    """Base of every error raised while reading prices."""


class PricesUnavailableError(PriceError):
    """The price entity is unavailable: its attributes cannot be trusted."""


class UnknownPriceFormatError(PriceError):
    """No known price attribute or response shape was found."""


class MalformedPriceError(PriceError):
    """A price entry is not what its format promises."""

    def __init__(self, where: str, problem: str) -> None:
        """Say ``where`` (e.g. ``raw_today[3].start``) and what the ``problem`` is."""
        super().__init__(f"{where}: {problem}")
        self.where = where
        self.problem = problem


class PriceFormat(StrEnum):
    """The shapes :func:`parse_price_entity` and :func:`parse_price_response` recognise."""

    NORDPOOL = "nordpool"
    ENTSOE = "entsoe"
    ENERGI_DATA_SERVICE = "energi_data_service"
    OCTOPUS_ENERGY = "octopus_energy"
    GENERIC = "generic"
    NORDPOOL_ACTION = "nordpool_action"
    TIBBER_ACTION = "tibber_action"


@dataclass(frozen=True, slots=True)
class PriceSlot:
    """One price: ``price`` per kWh from ``start`` (inclusive) to ``end`` (exclusive)."""

    start: datetime
    end: datetime
    price: float

    def __post_init__(self) -> None:
        """Refuse naive times, empty or reversed spans and non-finite prices."""
        if self.start.utcoffset() is None or self.end.utcoffset() is None:
            raise MalformedPriceError("slot", "start and end must be timezone-aware")
        # In UTC: aware times sharing one zone compare as wall clock, wrong across a DST change.
        if self.end.astimezone(UTC) <= self.start.astimezone(UTC):
            raise MalformedPriceError("slot", f"ends ({self.end}) before it starts ({self.start})")
        if not math.isfinite(self.price):
            raise MalformedPriceError("slot", f"price {self.price} is not a number")

    @property
    def duration(self) -> timedelta:
        """Length in real time (aware subtraction in UTC, so a DST change cannot distort it)."""
        return self.end.astimezone(UTC) - self.start.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class PriceSeries:
    """Slots read from one source and the format they were recognised as."""

    format: PriceFormat
    slots: tuple[PriceSlot, ...]


# ----- reading one value ---------------------------------------------------------------------


def _time(value: object, where: str) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError as err:
            raise MalformedPriceError(where, f"{value!r} is not an ISO 8601 time") from err
    else:
        raise MalformedPriceError(where, f"{value!r} is not a time")
    if moment.utcoffset() is None:
        raise MalformedPriceError(where, f"{value!r} has no UTC offset")
    if not EARLIEST <= moment <= LATEST:
        raise MalformedPriceError(where, f"{value!r} is out of range")
    return moment.astimezone(UTC)


def _price(value: object, where: str) -> float | None:
    """Read a price; None where the source marks it missing (None, NaN, infinity)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MalformedPriceError(where, f"{value!r} is not a number")
    try:
        number = float(value)
    except OverflowError as err:
        raise MalformedPriceError(where, f"{value!r} is out of range") from err
    return number if math.isfinite(number) else None


def _entries(value: object, where: str) -> list[Mapping[str, object]]:
    """Read a list of mappings; None (no data yet) reads as empty."""
    if value is None:
        return []
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise MalformedPriceError(where, "is not a list")
    entries: list[Mapping[str, object]] = []
    for index, item in enumerate(value):
        if not isinstance(item, Mapping):
            raise MalformedPriceError(f"{where}[{index}]", "is not a mapping")
        entries.append(item)
    return entries


def _field(entry: Mapping[str, object], key: str, where: str) -> object:
    if key not in entry:
        raise MalformedPriceError(where, f"has no {key!r}")
    return entry[key]


# ----- the two entry shapes ------------------------------------------------------------------


def _slots_with_end(
    entries: Iterable[Mapping[str, object]],
    where: str,
    *,
    start_key: str,
    end_key: str,
    price_key: str,
    scale: float = 1.0,
) -> list[PriceSlot]:
    slots: list[PriceSlot] = []
    for index, entry in enumerate(entries):
        at = f"{where}[{index}]"
        start = _time(_field(entry, start_key, at), f"{at}.{start_key}")
        end = _time(_field(entry, end_key, at), f"{at}.{end_key}")
        price = _price(_field(entry, price_key, at), f"{at}.{price_key}")
        if end <= start:
            raise MalformedPriceError(at, "ends before it starts")
        if price is not None:
            slots.append(PriceSlot(start, end, price / scale))
    return slots


def _slots_from_starts(
    entries: Iterable[Mapping[str, object]],
    where: str,
    *,
    start_key: str,
    price_key: str,
    scale: float = 1.0,
) -> list[PriceSlot]:
    """Slots of entries that only give their start: each ends where the next begins.

    The spacing of consecutive entries is the slot length when it is at most an hour (so a day
    of hourly prices followed by a day of quarter hours reads right); a longer spacing is a gap,
    and the slot before it (like the last one) takes the length most common in the series.
    """
    points: list[tuple[datetime, float | None]] = []
    for index, entry in enumerate(entries):
        at = f"{where}[{index}]"
        start = _time(_field(entry, start_key, at), f"{at}.{start_key}")
        points.append((start, _price(_field(entry, price_key, at), f"{at}.{price_key}")))
    points.sort(key=lambda point: point[0])
    spacings = [
        later[0] - earlier[0]
        for earlier, later in pairwise(points)
        if timedelta(0) < later[0] - earlier[0] <= LONGEST_INFERRED_SLOT
    ]
    typical = Counter(spacings).most_common(1)[0][0] if spacings else DEFAULT_SLOT
    slots: list[PriceSlot] = []
    for index, (start, price) in enumerate(points):
        following = points[index + 1][0] if index + 1 < len(points) else None
        if following is not None and following == start:
            raise MalformedPriceError(f"{where}", f"two prices start at {start.isoformat()}")
        if following is not None and following - start <= LONGEST_INFERRED_SLOT:
            end = following
        else:
            end = start + typical
        if price is not None:
            slots.append(PriceSlot(start, end, price / scale))
    return slots


# ----- entity formats ------------------------------------------------------------------------


def _first_entry(attributes: Mapping[str, object], keys: Iterable[str]) -> Mapping[str, object]:
    for key in keys:
        value = attributes.get(key)
        if isinstance(value, Sequence) and not isinstance(value, str | bytes):
            for item in value:
                if isinstance(item, Mapping):
                    return item
    return {}


def detect_entity_format(attributes: Mapping[str, object]) -> PriceFormat:
    """Which integration's attributes these are; :class:`UnknownPriceFormatError` if none."""
    if "raw_today" in attributes or "raw_tomorrow" in attributes:
        sample = _first_entry(attributes, ("raw_today", "raw_tomorrow", "forecast"))
        return PriceFormat.ENERGI_DATA_SERVICE if "hour" in sample else PriceFormat.NORDPOOL
    if any(key in attributes for key in ("prices_today", "prices_tomorrow")):
        return PriceFormat.ENTSOE
    if "rates" in attributes or "current_day_rates" in attributes:
        return PriceFormat.OCTOPUS_ENERGY
    if "prices" in attributes or "data" in attributes:
        sample = _first_entry(attributes, ("prices", "data"))
        if "time" in sample and "start" not in sample:
            return PriceFormat.ENTSOE
        return PriceFormat.GENERIC
    raise UnknownPriceFormatError(
        "no price attribute found (expected raw_today, prices_today, rates or prices)"
    )


def parse_price_entity(
    state: str | None,
    attributes: Mapping[str, object],
    *,
    include_forecast: bool = False,
) -> PriceSeries:
    """Read the slots of a price entity from its state and attributes (format auto-detected).

    An empty result means the source has no prices yet (e.g. Nord Pool's empty ``raw_tomorrow``
    before the auction). ``include_forecast`` adds Energi Data Service's forecast beyond the last
    known price.
    """
    if state == UNAVAILABLE:
        raise PricesUnavailableError("the price entity is unavailable")
    price_format = detect_entity_format(attributes)
    slots: list[PriceSlot] = []
    match price_format:
        case PriceFormat.NORDPOOL:
            for key in ("raw_today", "raw_tomorrow"):
                slots += _slots_with_end(
                    _entries(attributes.get(key), key),
                    key,
                    start_key="start",
                    end_key="end",
                    price_key="value",
                )
        case PriceFormat.ENERGI_DATA_SERVICE:
            entries = [
                *_entries(attributes.get("raw_today"), "raw_today"),
                *_entries(attributes.get("raw_tomorrow"), "raw_tomorrow"),
            ]
            slots = _slots_from_starts(entries, "raw", start_key="hour", price_key="price")
            if include_forecast:
                forecast = _slots_from_starts(
                    _entries(attributes.get("forecast"), "forecast"),
                    "forecast",
                    start_key="hour",
                    price_key="price",
                )
                known_until = max((slot.end for slot in slots), default=None)
                slots += [s for s in forecast if known_until is None or s.start >= known_until]
        case PriceFormat.ENTSOE:
            keys: tuple[str, ...] = ("prices_today", "prices_tomorrow")
            if not any(attributes.get(key) for key in keys):
                keys = ("prices",)
            entries = [entry for key in keys for entry in _entries(attributes.get(key), key)]
            slots = _slots_from_starts(entries, "prices", start_key="time", price_key="price")
        case PriceFormat.OCTOPUS_ENERGY:
            for key in ("rates", "current_day_rates"):
                slots += _slots_with_end(
                    _entries(attributes.get(key), key),
                    key,
                    start_key="start",
                    end_key="end",
                    price_key="value_inc_vat",
                )
        case _:
            key = "prices" if "prices" in attributes else "data"
            entries = _entries(attributes.get(key), key)
            if all("end" in entry for entry in entries):
                slots = _slots_with_end(
                    entries, key, start_key="start", end_key="end", price_key="price"
                )
            else:
                slots = _slots_from_starts(entries, key, start_key="start", price_key="price")
    return PriceSeries(price_format, tuple(normalize_slots(slots)))


# ----- action responses ----------------------------------------------------------------------


def _pick(options: Mapping[str, object], wanted: str | None, what: str) -> object:
    if wanted is not None:
        if wanted not in options:
            raise MalformedPriceError(what, f"has no {wanted!r} (has {sorted(options)})")
        return options[wanted]
    if len(options) != 1:
        raise MalformedPriceError(what, f"holds {sorted(options)}: say which one to use")
    return next(iter(options.values()))


def parse_price_response(
    response: Mapping[str, object], *, choose: str | None = None
) -> PriceSeries:
    """Read the response of ``nordpool.get_prices_for_date`` or ``tibber.get_prices``.

    ``choose`` names the Nord Pool area or the Tibber home when the response holds several.
    """
    prices = response.get("prices")
    if isinstance(prices, Mapping):  # tibber: {"prices": {home: [{start_time, price}]}}
        home = _pick(prices, choose, "prices")
        entries = _entries(home, "prices")
        slots = _slots_from_starts(entries, "prices", start_key="start_time", price_key="price")
        return PriceSeries(PriceFormat.TIBBER_ACTION, tuple(normalize_slots(slots)))
    if response and all(
        isinstance(value, Sequence) and not isinstance(value, str | bytes)
        for value in response.values()
    ):  # nordpool: {area: [{start, end, price per MWh}]}
        area = str(choose).upper() if choose is not None else None
        entries = _entries(_pick(response, area, "response"), area or "response")
        slots = _slots_with_end(
            entries, "response", start_key="start", end_key="end", price_key="price",
            scale=MWH_PER_KWH,
        )  # fmt: skip
        return PriceSeries(PriceFormat.NORDPOOL_ACTION, tuple(normalize_slots(slots)))
    raise UnknownPriceFormatError("not a nordpool.get_prices_for_date or tibber.get_prices reply")


# ----- normalisation -------------------------------------------------------------------------


def normalize_slots(slots: Iterable[PriceSlot]) -> list[PriceSlot]:
    """Sorted UTC slots without overlaps; gaps stay gaps.

    Identical slots collapse into one (the last given wins: later sources are fresher). Where
    slots of different lengths overlap, the shorter one starting first is kept and the rest of
    the longer one (after it) survives, so quarter hours refine an hour rather than double it.
    """
    by_span: dict[tuple[datetime, datetime], PriceSlot] = {}
    for slot in slots:
        start, end = slot.start.astimezone(UTC), slot.end.astimezone(UTC)
        by_span[start, end] = PriceSlot(start, end, slot.price)
    ordered = sorted(by_span.values(), key=lambda slot: (slot.start, slot.end))
    result: list[PriceSlot] = []
    for slot in ordered:
        if result and slot.start < result[-1].end:
            if slot.end <= result[-1].end:
                continue  # wholly covered by a slot already kept
            slot = PriceSlot(result[-1].end, slot.end, slot.price)  # noqa: PLW2901
        result.append(slot)
    return result


def merge_series(*series: Iterable[PriceSlot]) -> list[PriceSlot]:
    """One series from several sources (e.g. Octopus' current and next day rates)."""
    return normalize_slots(slot for slots in series for slot in slots)
