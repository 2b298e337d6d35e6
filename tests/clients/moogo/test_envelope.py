"""Decoding of the cloud's envelope and payloads: exact mappings and property-based robustness."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from custom_components.openevse_moogo.clients.moogo import (
    LiquidLevel,
    MoogoApiError,
    MoogoDevice,
    MoogoDeviceConfig,
    MoogoDeviceNotFoundError,
    MoogoDeviceOfflineError,
    MoogoDeviceStatus,
    MoogoError,
    MoogoInvalidCredentialsError,
    MoogoInvalidResponseError,
    MoogoLiquidType,
    MoogoLoginLimitError,
    MoogoOtaInfo,
    MoogoRateLimitError,
    MoogoRecommendedPlan,
    MoogoSchedule,
    MoogoSchedules,
    MoogoServerError,
    MoogoSprayRecord,
    MoogoTooColdError,
    MoogoValidationError,
)
from custom_components.openevse_moogo.clients.moogo.envelope import (
    UnauthorizedError,
    decode_response,
    parse_retry_after,
)
from custom_components.openevse_moogo.clients.moogo.models import (
    format_repeat_days,
    parse_repeat_days,
)
from custom_components.openevse_moogo.clients.moogo.parsing import (
    as_bool,
    as_datetime,
    as_duration,
    as_float,
    as_int,
    as_items,
    as_str,
)


def body(code: Any, message: str = "", data: Any = None) -> bytes:
    return json.dumps({"code": code, "message": message, "data": data}).encode()


def test_success_returns_data() -> None:
    assert decode_response(200, {}, body(0, "success", {"a": 1})) == {"a": 1}
    assert decode_response(200, {}, body("0")) is None  # code as a string


@pytest.mark.parametrize(
    ("code", "message", "device", "error"),
    [
        (401, "Unauthorized", False, UnauthorizedError),
        (10104, "Incorrect email or password", False, MoogoInvalidCredentialsError),
        (
            10000,
            "Exceeded maximum login attempts today. Please try again tomorrow.",
            False,
            MoogoLoginLimitError,
        ),
        (10000, "A schedule at this time already exists", True, MoogoValidationError),
        (10201, "Your device may be offline", True, MoogoDeviceOfflineError),
        (10202, "Too cold", True, MoogoTooColdError),
        (403, "No permission", True, MoogoDeviceNotFoundError),
        (404, "Device does not exist", True, MoogoDeviceNotFoundError),
        (404, "Not Found", False, MoogoApiError),
        (429, "", False, MoogoRateLimitError),
        (500, "Invalid field names", True, MoogoServerError),
        (10102, "registered", False, MoogoApiError),
    ],
)
def test_business_codes(code: int, message: str, device: bool, error: type[MoogoError]) -> None:
    with pytest.raises(error) as caught:
        decode_response(200, {}, body(code, message), device_request=device)
    assert type(caught.value) is error
    if isinstance(caught.value, MoogoApiError):
        assert caught.value.code == code
        assert caught.value.api_message == message


def test_login_cap_is_latched_flag() -> None:
    with pytest.raises(MoogoLoginLimitError) as caught:
        decode_response(200, {}, body(10000, "Exceeded maximum login attempts today."))
    assert caught.value.daily_cap


@pytest.mark.parametrize(
    ("status", "payload", "error"),
    [
        (401, b"", UnauthorizedError),
        (429, b"", MoogoRateLimitError),
        (503, b"<!DOCTYPE html><html>Error 503</html>", MoogoServerError),
        (500, body(500), MoogoServerError),
        (200, b"<html><body>challenge</body></html>", MoogoInvalidResponseError),
        (200, b"{not json", MoogoInvalidResponseError),
        (200, b"[1, 2]", MoogoInvalidResponseError),
        (200, b'{"message": "no code"}', MoogoInvalidResponseError),
        (200, body("abc"), MoogoInvalidResponseError),
        (200, b"[" * 100_000, MoogoInvalidResponseError),
        (302, body(0), MoogoInvalidResponseError),
        (404, b"Not Found", MoogoInvalidResponseError),
    ],
)
def test_http_level(status: int, payload: bytes, error: type[MoogoError]) -> None:
    with pytest.raises(error):
        decode_response(status, {}, payload)


def test_device_gone_at_http_level() -> None:
    with pytest.raises(MoogoDeviceNotFoundError):
        decode_response(403, {}, b"Forbidden", device_request=True)


def test_retry_after_forms() -> None:
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after("120") == 120
    assert parse_retry_after("-5") == 0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("Thu, 01 Jan 2026 12:01:30 GMT", now) == 90
    assert parse_retry_after("Thu, 01 Jan 2026 12:01:30", now) == 90  # no zone: UTC
    with pytest.raises(MoogoRateLimitError) as caught:
        decode_response(429, {"Retry-After": "7"}, b"")
    assert caught.value.retry_after == 7


def test_lenient_numbers() -> None:
    assert as_int("12") == 12
    assert as_int(" 12.6 ") == 13
    assert as_int(True) == 1
    assert as_int(None) is None
    assert as_int("twelve") is None
    assert as_int("9" * 5000) is None
    assert as_float(10**400) is None
    assert as_float("nan") is None
    assert as_float(float("inf")) is None
    assert as_float([1]) is None
    assert as_bool("true") is True
    assert as_bool("OFF") is False
    assert as_bool("0") is False
    assert as_bool(2) is True
    assert as_bool("maybe") is None
    assert as_str(5) == "5"
    assert as_str(True) is None
    assert as_str({"a": 1}) is None
    assert as_str(10**5000) is None
    assert as_datetime(0) is None
    assert as_datetime("1767268800") == datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert as_datetime(1767268800000) == datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert as_datetime(1e300) is None
    assert as_duration("-1") is None
    assert as_duration(1e300) is None
    assert as_duration("90") == timedelta(seconds=90)


def test_status_with_strings_and_nulls() -> None:
    status = MoogoDeviceStatus.from_api(
        {
            "deviceId": "abc",
            "deviceName": None,
            "onlineStatus": "1",
            "runStatus": None,
            "rssi": "-60",
            "temperature": "21.5",
            "humidity": None,
            "liquid_level": "0",
            "water_level": None,
            "liquidConcentration": "80",
            "latestSprayingDuration": "30",
            "latestSprayingEnd": "1767268800",
            "firmware": "",
        }
    )
    assert status.online
    assert not status.running
    assert status.name == ""
    assert (status.rssi, status.temperature, status.humidity) == (-60, 21.5, None)
    assert status.concentrate_level is LiquidLevel.LOW
    assert status.water_level is None
    assert status.concentration == 80
    assert status.firmware is None
    assert status.latest_spray_duration == timedelta(seconds=30)
    assert status.latest_spray_end == datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def test_identifiers_are_required() -> None:
    with pytest.raises(MoogoInvalidResponseError, match="deviceId"):
        MoogoDeviceStatus.from_api({"deviceId": ""})
    with pytest.raises(MoogoInvalidResponseError, match="object"):
        MoogoDevice.from_api(["deviceId"])
    with pytest.raises(MoogoInvalidResponseError, match="list"):
        MoogoSchedules.from_api({"items": "nope"})
    with pytest.raises(MoogoInvalidResponseError, match="schedules"):
        MoogoRecommendedPlan.from_api({"title": "x", "schedules": {}})


def test_repeat_days() -> None:
    assert parse_repeat_days("0,1, 6") == {0, 1, 6}
    assert parse_repeat_days("") == frozenset()
    assert parse_repeat_days(None) == frozenset()
    assert parse_repeat_days("1,,9,x,-1") == {1}
    assert format_repeat_days([6, 0, 3, 3]) == "0,3,6"


def test_missing_lists_read_as_empty() -> None:
    assert as_items(None, "devices") == []
    assert as_items({"total": 0}, "devices") == []
    assert as_items([1], "devices") == [1]


def test_schedules_default_to_empty() -> None:
    listing = MoogoSchedules.from_api(None)
    assert listing.schedules == ()
    assert listing.master_switch_on is None


def test_ota_without_version_object() -> None:
    info = MoogoOtaInfo.from_api({"currentVersion": "1.0", "version": None, "needUpgrade": "0"})
    assert info.latest_version is None
    assert not info.update_available


# ---------------------------------------------------------------------------------- properties

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)

field_names = st.sampled_from(
    [
        "code",
        "message",
        "data",
        "items",
        "deviceId",
        "deviceName",
        "onlineStatus",
        "runStatus",
        "rssi",
        "temperature",
        "humidity",
        "liquid_level",
        "water_level",
        "latestSprayingEnd",
        "latestSprayingDuration",
        "id",
        "hour",
        "minute",
        "duration",
        "repeatSet",
        "status",
        "nextSprayingTime",
        "scheduleSwitchStatus",
        "liquidName",
        "liquidConcentration",
        "timeZone",
        "createdAt",
        "seconds",
        "version",
        "currentVersion",
        "needUpgrade",
        "schedules",
        "title",
        "token",
        "ttl",
    ]
)

api_objects = st.recursive(
    json_values,
    lambda children: (
        st.dictionaries(field_names, children, max_size=8) | st.lists(children, max_size=3)
    ),
    max_leaves=20,
)

MODELS = (
    MoogoDevice,
    MoogoDeviceStatus,
    MoogoSchedule,
    MoogoSchedules,
    MoogoDeviceConfig,
    MoogoSprayRecord,
    MoogoOtaInfo,
    MoogoLiquidType,
    MoogoRecommendedPlan,
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(status=st.integers(min_value=100, max_value=599), payload=st.binary(max_size=200))
def test_arbitrary_bytes_only_raise_typed_errors(status: int, payload: bytes) -> None:
    with contextlib.suppress(MoogoError):
        decode_response(status, {}, payload)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    status=st.sampled_from([200, 200, 200, 201, 400, 401, 403, 404, 429, 500, 503]),
    envelope=api_objects,
    device=st.booleans(),
    retry_after=st.none() | st.text(max_size=30),
)
def test_malformed_envelopes_only_raise_typed_errors(
    status: int, envelope: Any, device: bool, retry_after: str | None
) -> None:
    headers = {} if retry_after is None else {"Retry-After": retry_after}
    try:
        data = decode_response(
            status, headers, json.dumps(envelope).encode(), device_request=device
        )
    except MoogoError:
        return
    # Whatever came back, every model either reads it or refuses it with a typed error.
    for model in MODELS:
        with contextlib.suppress(MoogoInvalidResponseError):
            model.from_api(data)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(payload=api_objects)
def test_models_never_raise_untyped(payload: Any) -> None:
    for model in MODELS:
        try:
            parsed = model.from_api(payload)
        except MoogoInvalidResponseError:
            continue
        repr(parsed)  # every field is a plain value that renders


@given(days=st.frozensets(st.integers(min_value=0, max_value=6)))
def test_repeat_days_round_trip(days: frozenset[int]) -> None:
    assert parse_repeat_days(format_repeat_days(days)) == days
