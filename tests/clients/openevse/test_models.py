"""Parsing: the real captures, firmware versions, feature detection and hostile payloads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custom_components.openevse_moogo.clients.openevse import (
    ChargeMode,
    ChargerConfig,
    ChargerFeatures,
    ChargerStatus,
    ChargeState,
    Claim,
    ClaimTarget,
    DivertMode,
    EvseState,
    FirmwareVersion,
    Limit,
    OpenEVSEError,
    ScheduleEvent,
)
from custom_components.openevse_moogo.clients.openevse.client import _object, _objects
from custom_components.openevse_moogo.clients.openevse.transport import decode_json

from .conftest import CAPTURES

STATUS_CAPTURES = [*sorted(CAPTURES.glob("status-*.json")), CAPTURES / "ws-full-status-v4.json"]
CONFIG_CAPTURES = sorted(CAPTURES.glob("config-*.json"))


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def test_every_capture_is_covered() -> None:
    names = {path.name for path in CAPTURES.glob("*.json")}
    covered = {path.name for path in STATUS_CAPTURES + CONFIG_CAPTURES} | {"schedule.json"}
    assert names == covered
    assert len(names) == 9


@pytest.mark.parametrize("path", STATUS_CAPTURES, ids=lambda path: path.name)
def test_status_captures_parse(path: Path) -> None:
    status = ChargerStatus.from_dict(_object(decode_json(path.read_text()), "capture"))
    assert status.state_code is not None
    assert status.state is not None
    assert status.status_text is not None
    assert status.voltage is not None
    assert status.charging_current is not None
    assert status.ambient_temperature is not None
    assert status.total_energy is not None
    assert status.raw["state"] == status.state_code


def test_status_v512_capture_values() -> None:
    status = ChargerStatus.from_dict(load(CAPTURES / "status-v5.1.2.json"))
    assert status.state is EvseState.SLEEPING
    assert status.manager_status is ChargeState.DISABLED
    assert status.vehicle_connected is False
    assert status.charging_current == 0
    assert status.power == 4500
    assert status.charging_power == 4500
    assert status.ambient_temperature == pytest.approx(44.0)
    assert status.max_temperature == pytest.approx(58.8)
    assert status.rtc_temperature == pytest.approx(44.0)
    assert status.ir_temperature is None
    assert status.esp_temperature == pytest.approx(54.25)
    assert status.total_energy == pytest.approx(20127.22817)
    assert status.session_energy == 0
    assert status.grid_ie == -2489
    assert status.divert_mode is DivertMode.FAST
    assert status.limit_active is False
    assert status.shaper_updated is True
    assert status.time is not None
    assert status.time.tzinfo is not None
    assert status.limit_version == 1
    assert status.mac_address == "9C:9C:1F:E5:7B:2C"


def test_older_captures_fall_back_to_older_keys() -> None:
    esp8266 = ChargerStatus.from_dict(load(CAPTURES / "status-esp8266-v2.json"))
    assert esp8266.ambient_temperature == pytest.approx(34.0)  # temp1: no "temp" yet
    assert esp8266.session_energy == pytest.approx(25212279 / 3600)  # wattsec
    assert esp8266.total_energy == pytest.approx(1585.443)  # watthour in Wh -> kWh
    assert esp8266.free_ram == 12448  # free_heap
    assert esp8266.vehicle_connected is None  # neither "vehicle" nor "flags"
    assert esp8266.status_text == "not_connected"
    assert esp8266.divert_mode is DivertMode.FAST
    legacy = ChargerStatus.from_dict(load(CAPTURES / "status-legacy-handmade.json"))
    assert legacy.divert_mode is None  # divertmode 0 is not a firmware value
    assert legacy.vehicle_soc == 75
    assert legacy.vehicle_eta == 18000
    assert legacy.power is None
    assert legacy.charging_power == pytest.approx(240 * 32.2 / 1000)
    assert legacy.limit_active is None
    websocket = ChargerStatus.from_dict(load(CAPTURES / "ws-full-status-v4.json"))
    assert websocket.session_energy == pytest.approx(7950.783333)
    assert websocket.total_energy == pytest.approx(7875.444)


@pytest.mark.parametrize("path", CONFIG_CAPTURES, ids=lambda path: path.name)
def test_config_captures_parse(path: Path) -> None:
    config = ChargerConfig.from_dict(_object(decode_json(path.read_text()), "capture"))
    assert config.firmware_version.known
    assert config.controller_firmware is not None
    assert config.service_level is not None


def test_config_capture_values() -> None:
    v5 = ChargerConfig.from_dict(load(CAPTURES / "config-v5.1.2.json"))
    assert v5.firmware_version.release == (5, 1, 2)
    assert not v5.firmware_version.is_dev
    assert v5.wifi_serial == "9C9C1FE57B2C"
    assert v5.build_env == "openevse_wifi_v1"
    assert v5.evse_serial is None
    assert v5.charge_mode is ChargeMode.ECO
    assert v5.raw["tesla_created_at"] == 18446744073709551615
    assert not v5.auth_enabled
    dev = ChargerConfig.from_dict(load(CAPTURES / "config-dev-build.json"))
    assert dev.firmware_version.is_dev
    # "4.1.5.dev" is a 4.x build: it has 4.1's features, not 5.0's (no EVSE restart).
    assert dev.firmware_version.at_least("4.1.5")
    assert not dev.firmware_version.at_least("5.0")
    esp8266 = ChargerConfig.from_dict(load(CAPTURES / "config-esp8266-v2.json"))
    assert esp8266.wifi_serial is None
    assert esp8266.auth_enabled
    assert esp8266.max_current_hard is None


def test_schedule_capture_parses() -> None:
    events = [
        ScheduleEvent.from_dict(item) for item in _objects(load(CAPTURES / "schedule.json"), "x")
    ]
    assert [(event.event_id, event.state) for event in events] == [
        (2, ChargeState.DISABLED),
        (1, ChargeState.ACTIVE),
    ]
    assert len(events[0].days) == 7


def test_features_are_detected_from_keys() -> None:
    v5 = ChargerFeatures.detect(
        load(CAPTURES / "status-v5.1.2.json"), load(CAPTURES / "config-v5.1.2.json")
    )
    assert v5.power_reading
    assert v5.limits
    assert v5.claims
    assert v5.override_counter
    assert v5.serial
    assert v5.evse_restart
    assert v5.led_brightness
    assert v5.vehicle_data
    esp8266 = ChargerFeatures.detect(
        load(CAPTURES / "status-esp8266-v2.json"), load(CAPTURES / "config-esp8266-v2.json")
    )
    assert not esp8266.power_reading
    assert not esp8266.limits
    assert not esp8266.claims
    assert not esp8266.serial
    assert not esp8266.evse_restart
    assert esp8266.solar_divert
    assert not esp8266.current_shaper


@pytest.mark.parametrize(
    ("raw", "release", "dev"),
    [
        ("v5.1.5", (5, 1, 5), False),
        ("4.1.2", (4, 1, 2), False),
        ("5.1.5_rc1", (5, 1, 5), False),
        ("v4.2", (4, 2, 0), False),
        ("master_a5938d0c", None, True),
        ("main_1234567", None, True),
        ("local_feature-x_a5938d0c", None, True),
        ("v5.1.5_modified", (5, 1, 5), True),
        ("fix_wifi_abcdef12", None, True),
        ("4.1.5.dev", (4, 1, 5), True),
        ("something else", None, False),
        ("", None, False),
        (None, None, False),
        (5, None, False),
    ],
)
def test_firmware_versions(raw: object, release: tuple[int, int, int] | None, dev: bool) -> None:
    version = FirmwareVersion.parse(raw)
    assert version.release == release
    assert version.is_dev is dev
    assert version.known is (dev or release is not None)
    if release is None and dev:
        assert version.at_least("99.9.9")  # built from the current source, no release named
    elif release is None:
        assert not version.at_least("0.0.1")
        assert str(version) == (raw.strip() if isinstance(raw, str) and raw.strip() else "unknown")
    else:
        # A release, or a development build judged by the release it is based on.
        assert version.at_least("4.1")
        assert not version.at_least("6.0.0")
        assert str(version) == raw


def test_firmware_version_rejects_a_bad_minimum() -> None:
    with pytest.raises(ValueError, match="version"):
        FirmwareVersion.parse("v5.1.5").at_least("five")


def test_claim_models_tolerate_odd_values() -> None:
    target = ClaimTarget.from_dict(
        {"properties": "oops", "claims": {"state": 65537, "charge_current": "x"}}
    )
    assert target.properties.state is None
    assert dict(target.owners) == {"state": 65537}
    claim = Claim.from_dict({"client": 20.0, "priority": True, "state": "active"})
    assert claim.client_id == 20
    assert claim.priority is None
    assert claim.properties.state is ChargeState.ACTIVE
    limit = Limit.from_dict({"type": "weight", "value": float("nan"), "auto_release": 2})
    assert (limit.limit_type, limit.value, limit.auto_release) == (None, None, None)
    event = ScheduleEvent.from_dict({"id": 1, "time": "25:99", "days": "monday"})
    assert (event.time, event.days) == (None, ())


# --- property-based: hostile input never escapes as an untyped exception ---------------------

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=15), children, max_size=8)
    ),
    max_leaves=30,
)
KNOWN_KEYS = sorted(
    set(load(CAPTURES / "status-v5.1.2.json"))
    | set(load(CAPTURES / "config-v5.1.2.json"))
    | {"properties", "claims", "type", "value", "id", "time", "days", "client", "priority"}
)
PAYLOADS = st.dictionaries(st.sampled_from(KNOWN_KEYS), JSON_VALUES, max_size=25)

PARSERS = (ChargerStatus, ChargerConfig, ClaimTarget, Claim, Limit, ScheduleEvent)


def parse_everything(text: str) -> None:
    """The client's read path for every model: decode, check the shape, build the model."""
    try:
        body = decode_json(text)
        for model in PARSERS:
            model.from_dict(_object(body, "test"))
        for item in _objects(body, "test"):
            ScheduleEvent.from_dict(item)
    except OpenEVSEError:
        return


@settings(max_examples=300, deadline=None)
@given(PAYLOADS)
def test_random_payloads_parse_or_fail_typed(payload: dict[str, Any]) -> None:
    parse_everything(json.dumps(payload))
    for model in PARSERS:
        model.from_dict(payload)
    ChargerFeatures.detect(payload, payload)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(STATUS_CAPTURES + CONFIG_CAPTURES), st.integers(min_value=0, max_value=4000))
def test_truncated_captures_fail_typed(path: Path, cut: int) -> None:
    parse_everything(path.read_text()[:cut])


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200) | JSON_VALUES.map(json.dumps))
def test_arbitrary_text_fails_typed(text: str) -> None:
    parse_everything(text)


def test_deeply_nested_json_fails_typed() -> None:
    parse_everything("[" * 100_000)
    parse_everything('{"a":' * 100_000)


def test_error_states() -> None:
    assert EvseState.GFCI_FAULT.is_error
    assert EvseState.OVER_CURRENT.is_error
    assert not EvseState.CHARGING.is_error
    assert not EvseState.SLEEPING.is_error
