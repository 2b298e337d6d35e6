"""Reading prices from each integration's attributes and actions, and the errors for bad data.

The fixtures are written here after the shapes in each integration's source: Nord Pool (HACS)
keeps datetimes in local time with ``value``; ENTSO-e stringifies pandas timestamps (a space
between date and time); Energi Data Service keys its starts ``hour`` even at 15 minutes; Octopus
gives pounds per kWh with ``value_inc_vat``; core Nord Pool answers per MWh.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custom_components.openevse_moogo.charger.plan import (
    MalformedPriceError,
    PriceError,
    PriceFormat,
    PriceSlot,
    PricesUnavailableError,
    UnknownPriceFormatError,
    detect_entity_format,
    merge_series,
    normalize_slots,
    parse_price_entity,
    parse_price_response,
)

STOCKHOLM = ZoneInfo("Europe/Stockholm")
COPENHAGEN = ZoneInfo("Europe/Copenhagen")
LONDON = ZoneInfo("Europe/London")


def local_day(zone: ZoneInfo, day: date, step: timedelta) -> list[tuple[datetime, datetime]]:
    """The slots of one local day, stepped in real time (so DST days get 23 or 25 hours)."""
    start = datetime.combine(day, time(), zone)
    end = datetime.combine(day + timedelta(days=1), time(), zone)
    spans = []
    moment = start.astimezone(UTC)
    while moment < end.astimezone(UTC):
        spans.append((moment.astimezone(zone), (moment + step).astimezone(zone)))
        moment += step
    return spans


def nordpool_attributes(day: date, *, tomorrow: bool) -> dict[str, object]:
    today = [
        {"start": start, "end": end, "value": round(0.5 + 0.01 * i, 3)}
        for i, (start, end) in enumerate(local_day(STOCKHOLM, day, timedelta(minutes=15)))
    ]
    later = [
        {"start": start, "end": end, "value": round(0.4 + 0.01 * i, 3)}
        for i, (start, end) in enumerate(
            local_day(STOCKHOLM, day + timedelta(days=1), timedelta(minutes=15))
        )
    ]
    return {
        "average": 0.9,
        "unit": "kWh",
        "currency": "SEK",
        "region": "SE3",
        "today": [entry["value"] for entry in today],
        "tomorrow": [entry["value"] for entry in later] if tomorrow else [],
        "tomorrow_valid": tomorrow,
        "raw_today": today,
        "raw_tomorrow": later if tomorrow else [],
        "current_price": 0.5,
        "price_in_cents": False,
    }


def test_nordpool_quarter_hours_today_and_tomorrow() -> None:
    series = parse_price_entity("0.52", nordpool_attributes(date(2026, 1, 14), tomorrow=True))
    assert series.format is PriceFormat.NORDPOOL
    assert len(series.slots) == 192
    first = series.slots[0]
    assert first.start == datetime(2026, 1, 13, 23, tzinfo=UTC)
    assert first.duration == timedelta(minutes=15)
    assert first.price == 0.5
    assert all(a.end == b.start for a, b in zip(series.slots, series.slots[1:], strict=False))


def test_nordpool_before_the_auction_has_today_only() -> None:
    series = parse_price_entity("0.52", nordpool_attributes(date(2026, 1, 14), tomorrow=False))
    assert len(series.slots) == 96
    assert series.slots[-1].end == datetime(2026, 1, 14, 23, tzinfo=UTC)


def test_nordpool_autumn_dst_day_has_25_hours_without_overlap() -> None:
    series = parse_price_entity("0.52", nordpool_attributes(date(2026, 10, 25), tomorrow=False))
    assert len(series.slots) == 100  # 25 hours of quarter hours
    assert series.slots[-1].end - series.slots[0].start == timedelta(hours=25)


def test_nordpool_missing_values_leave_a_gap() -> None:
    attributes = nordpool_attributes(date(2026, 1, 14), tomorrow=False)
    raw = attributes["raw_today"]
    assert isinstance(raw, list)
    raw[4] = {**raw[4], "value": None}
    raw[5] = {**raw[5], "value": float("inf")}
    slots = parse_price_entity("1", attributes).slots
    assert len(slots) == 94
    assert slots[3].end != slots[4].start  # the gap stays a gap


def test_nordpool_iso_strings_from_a_restored_state() -> None:
    attributes = {
        "raw_today": [
            {"start": "2026-03-29T01:00:00+01:00", "end": "2026-03-29T03:00:00+02:00", "value": 1},
            {"start": "2026-03-29T03:00:00+02:00", "end": "2026-03-29T04:00:00+02:00", "value": 2},
        ],
        "raw_tomorrow": None,
    }
    slots = parse_price_entity("1", attributes).slots
    assert [slot.duration for slot in slots] == [timedelta(hours=1)] * 2  # spring forward


def test_entsoe_prices_today_and_tomorrow_with_inferred_ends() -> None:
    day = datetime(2026, 2, 2, tzinfo=ZoneInfo("Europe/Amsterdam"))
    today = [
        {"time": str(day + timedelta(minutes=15 * i)).replace("T", " "), "price": 0.1 + i / 1000}
        for i in range(96)
    ]
    tomorrow = [
        {"time": (day + timedelta(days=1, minutes=15 * i)).isoformat(), "price": 0.2}
        for i in range(96)
    ]
    attributes = {"prices_today": today, "prices_tomorrow": tomorrow, "prices": today + tomorrow}
    series = parse_price_entity("0.15", attributes)
    assert series.format is PriceFormat.ENTSOE
    assert len(series.slots) == 192
    assert series.slots[-1].duration == timedelta(minutes=15)
    assert series.slots[0].start == datetime(2026, 2, 1, 23, tzinfo=UTC)


def test_entsoe_only_the_combined_list() -> None:
    prices = [
        {"time": f"2026-02-02 {hour:02d}:00:00+01:00", "price": float(hour)} for hour in range(24)
    ]
    series = parse_price_entity("1", {"prices": prices})
    assert series.format is PriceFormat.ENTSOE
    assert [slot.duration for slot in series.slots] == [timedelta(hours=1)] * 24


def test_energi_data_service_hourly_then_quarters_and_forecast() -> None:
    day = datetime(2025, 9, 30, tzinfo=COPENHAGEN)
    raw_today = [{"hour": day + timedelta(hours=h), "price": 1.0 + h / 10} for h in range(24)]
    raw_tomorrow = [
        {"hour": day + timedelta(days=1, minutes=15 * q), "price": 0.9} for q in range(96)
    ]
    forecast = [
        {"hour": day + timedelta(days=1, hours=h), "price": 0.5} for h in range(20, 48)
    ]  # overlaps the known prices at first: those forecasts are ignored
    attributes = {
        "current_price": 1.0,
        "tomorrow_valid": True,
        "raw_today": raw_today,
        "raw_tomorrow": raw_tomorrow,
        "forecast": forecast,
    }
    known = parse_price_entity("1.0", attributes)
    assert known.format is PriceFormat.ENERGI_DATA_SERVICE
    assert len(known.slots) == 24 + 96
    assert known.slots[23].duration == timedelta(hours=1)  # followed by a quarter hour
    assert known.slots[24].duration == timedelta(minutes=15)
    with_forecast = parse_price_entity("1.0", attributes, include_forecast=True).slots
    assert len(with_forecast) == 24 + 96 + 24
    assert with_forecast[-1].price == 0.5


def test_energi_data_service_no_prices_yet() -> None:
    attributes = {"raw_today": None, "raw_tomorrow": None, "forecast": None}
    series = parse_price_entity("unknown", attributes, include_forecast=True)
    assert series.slots == ()


def test_octopus_current_day_rates_event() -> None:
    day = datetime(2026, 1, 20, tzinfo=LONDON)
    rates = [
        {
            "start": day + timedelta(minutes=30 * i),
            "end": day + timedelta(minutes=30 * (i + 1)),
            "value_inc_vat": 0.24 if 32 <= i < 38 else 0.12,
            "is_capped": False,
        }
        for i in range(48)
    ]
    attributes = {
        "rates": rates,
        "tariff_code": "E-1R-AGILE-24-10-01-C",
        "mpan": "1234567890123",
        "serial_number": "21L123456",
        "min_rate": 0.12,
        "max_rate": 0.24,
        "average_rate": 0.1425,
    }
    series = parse_price_entity("2026-01-20T00:00:00+00:00", attributes)
    assert series.format is PriceFormat.OCTOPUS_ENERGY
    assert len(series.slots) == 48
    assert series.slots[32].price == 0.24
    assert series.slots[0].duration == timedelta(minutes=30)


def test_octopus_current_and_next_day_merged() -> None:
    day = datetime(2026, 1, 20, tzinfo=UTC)

    def rates(offset: int) -> dict[str, object]:
        return {
            "rates": [
                {
                    "start": (day + timedelta(days=offset, minutes=30 * i)).isoformat(),
                    "end": (day + timedelta(days=offset, minutes=30 * (i + 1))).isoformat(),
                    "value_inc_vat": 0.2,
                }
                for i in range(48)
            ]
        }

    merged = merge_series(
        parse_price_entity("x", rates(0)).slots,
        parse_price_entity("x", rates(1)).slots,
        parse_price_entity("x", rates(1)).slots,  # the same day twice collapses
    )
    assert len(merged) == 96


def test_generic_list_with_and_without_end() -> None:
    with_end = {
        "prices": [
            {"start": "2026-05-01T00:00:00+02:00", "end": "2026-05-01T00:30:00+02:00", "price": 1},
            {"start": "2026-05-01T00:30:00+02:00", "end": "2026-05-01T01:30:00+02:00", "price": 2},
        ]
    }
    series = parse_price_entity("1", with_end)
    assert series.format is PriceFormat.GENERIC
    assert [slot.duration for slot in series.slots] == [
        timedelta(minutes=30),
        timedelta(hours=1),
    ]
    starts_only = {
        "data": [
            {"start": "2026-05-01T00:00:00Z", "price": 1.5},
            {"start": "2026-05-01T01:00:00Z", "price": -0.2},
            {"start": "2026-05-01T04:00:00Z", "price": 3},  # after a gap of two hours
        ]
    }
    slots = parse_price_entity("1", starts_only).slots
    assert [(slot.start.hour, slot.end.hour, slot.price) for slot in slots] == [
        (0, 1, 1.5),
        (1, 2, -0.2),
        (4, 5, 3.0),
    ]


def test_core_nordpool_action_response_is_converted_from_mwh() -> None:
    response = {
        "SE3": [
            {
                "start": f"2026-01-14T{hour:02d}:00:00+00:00",
                "end": f"2026-01-14T{hour:02d}:15:00+00:00",
                "price": 812.5,
            }
            for hour in range(3)
        ],
        "SE4": [],
    }
    series = parse_price_response(response, choose="se3")
    assert series.format is PriceFormat.NORDPOOL_ACTION
    assert [slot.price for slot in series.slots] == [0.8125] * 3
    with pytest.raises(MalformedPriceError, match="say which one"):
        parse_price_response(response)
    with pytest.raises(MalformedPriceError, match="has no 'NO1'"):
        parse_price_response(response, choose="no1")


def test_tibber_action_response() -> None:
    response = {
        "prices": {
            "Home": [
                {"start_time": f"2026-01-14T{hour:02d}:00:00.000+01:00", "price": 0.3 + hour}
                for hour in range(24)
            ]
        }
    }
    series = parse_price_response(response)
    assert series.format is PriceFormat.TIBBER_ACTION
    assert len(series.slots) == 24
    assert series.slots[0].start == datetime(2026, 1, 13, 23, tzinfo=UTC)
    assert series.slots[-1].duration == timedelta(hours=1)


def test_unrecognised_action_response() -> None:
    with pytest.raises(UnknownPriceFormatError):
        parse_price_response({"prices": 5})
    with pytest.raises(UnknownPriceFormatError):
        parse_price_response({})
    with pytest.raises(MalformedPriceError, match=r"response\[0\]: is not a mapping"):
        parse_price_response({"SE3": [1, 2]})


def test_unavailable_entity() -> None:
    with pytest.raises(PricesUnavailableError):
        parse_price_entity("unavailable", {"raw_today": []})


def test_unknown_attributes() -> None:
    with pytest.raises(UnknownPriceFormatError):
        detect_entity_format({"friendly_name": "Price"})


@pytest.mark.parametrize(
    ("attributes", "where"),
    [
        ({"raw_today": "soon"}, "raw_today: is not a list"),
        ({"raw_today": [1]}, r"raw_today\[0\]: is not a mapping"),
        ({"raw_today": [{"start": "2026-01-01T00:00:00+00:00", "value": 1}]}, "has no 'end'"),
        (
            {
                "prices": [
                    {"start": "2026-01-01T00:00:00", "end": "2026-01-01T01:00:00", "price": 1}
                ]
            },
            "has no UTC offset",
        ),
        ({"prices": [{"start": "tomorrow", "price": 1}]}, "is not an ISO 8601 time"),
        ({"prices": [{"start": 1767225600, "price": 1}]}, "is not a time"),
        ({"prices": [{"start": "0001-01-01T00:00:00+01:00", "price": 1}]}, "out of range"),
        ({"prices": [{"start": "2026-01-01T00:00:00Z", "price": 10**400}]}, "out of range"),
        ({"prices": [{"start": "2026-01-01T00:00:00Z", "price": "1.2"}]}, "is not a number"),
        ({"prices": [{"start": "2026-01-01T00:00:00Z", "price": True}]}, "is not a number"),
        (
            {
                "rates": [
                    {"start": "2026-01-01T01:00Z", "end": "2026-01-01T00:00Z", "value_inc_vat": 1}
                ]
            },
            "ends before it starts",
        ),
        (
            {"prices_today": [{"time": "2026-01-01T00:00Z", "price": 1}] * 2},
            "two prices start at",
        ),
    ],
)
def test_malformed_entries_name_where(attributes: dict[str, object], where: str) -> None:
    with pytest.raises(MalformedPriceError, match=where):
        parse_price_entity("1", attributes)


def test_slot_validation() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(MalformedPriceError, match="timezone-aware"):
        PriceSlot(start.replace(tzinfo=None), start + timedelta(hours=1), 1)
    with pytest.raises(MalformedPriceError, match="before it starts"):
        PriceSlot(start, start, 1)
    with pytest.raises(MalformedPriceError, match="not a number"):
        PriceSlot(start, start + timedelta(hours=1), math.nan)


def test_normalise_sorts_dedupes_and_refines_overlaps() -> None:
    start = datetime(2026, 1, 1, tzinfo=ZoneInfo("Europe/Berlin"))
    hour = PriceSlot(start, start + timedelta(hours=1), 4.0)
    quarter = PriceSlot(start, start + timedelta(minutes=15), 1.0)
    inside = PriceSlot(start + timedelta(minutes=20), start + timedelta(minutes=30), 9.0)
    later = PriceSlot(start + timedelta(hours=3), start + timedelta(hours=4), 2.0)
    fresher = PriceSlot(later.start, later.end, 2.5)
    result = normalize_slots([later, hour, inside, quarter, fresher])
    assert [(s.start - start, s.end - start, s.price) for s in result] == [
        (timedelta(0), timedelta(minutes=15), 1.0),
        (timedelta(minutes=15), timedelta(hours=1), 4.0),
        (timedelta(hours=3), timedelta(hours=4), 2.5),
    ]
    assert all(slot.start.tzinfo is UTC for slot in result)


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=30)
    | st.sampled_from(
        ["2026-01-01T00:00:00+01:00", "2026-01-01 01:00:00+01:00", "9999-12-31T23:59:59Z"]
    )
    | st.datetimes(timezones=st.sampled_from([UTC, STOCKHOLM]) | st.none()),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                ["start", "end", "time", "hour", "price", "value", "value_inc_vat", "x"]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)
KEYS = st.sampled_from(
    ["raw_today", "raw_tomorrow", "prices_today", "prices", "data", "rates", "forecast", "SE3"]
)


@settings(max_examples=500, deadline=None)
@given(st.dictionaries(KEYS, JSON, max_size=3), st.booleans())
def test_any_input_reads_or_raises_a_price_error(
    attributes: dict[str, object], forecast: bool
) -> None:
    for read in (
        lambda: parse_price_entity("1", attributes, include_forecast=forecast),
        lambda: parse_price_response(attributes),
    ):
        try:
            series = read()
        except PriceError:
            continue
        assert all(a.end <= b.start for a, b in zip(series.slots, series.slots[1:], strict=False))
