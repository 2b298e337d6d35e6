"""Every name, state, error, repair and action the code refers to has English text.

Home Assistant shows a raw key (or nothing) when a translation is missing, and hassfest does
not check custom integrations' usage, so these tests read the code's own references.
"""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from homeassistant.components.sensor import SensorDeviceClass, SensorEntityDescription
from homeassistant.helpers.entity import EntityDescription

from custom_components.openevse_moogo.charger.errors import CHARGER_ERRORS
from custom_components.openevse_moogo.charger.planning import entities as plan_entities
from custom_components.openevse_moogo.const import DOMAIN
from custom_components.openevse_moogo.pump.errors import PUMP_ERRORS

INTEGRATION = Path(__file__).resolve().parent.parent / "custom_components" / DOMAIN
PLATFORMS = (
    "sensor",
    "binary_sensor",
    "switch",
    "number",
    "select",
    "button",
    "event",
    "update",
    "light",
    "calendar",
)
TRANSLATIONS: dict[str, Any] = json.loads(
    (INTEGRATION / "translations" / "en.json").read_text(encoding="utf-8")
)
ICONS: dict[str, Any] = json.loads((INTEGRATION / "icons.json").read_text(encoding="utf-8"))


def _descriptions(family: str, platform: str) -> list[EntityDescription]:
    """Every entity description a family's platform module defines."""
    if not (INTEGRATION / family / f"{platform}.py").exists():
        return []
    module = importlib.import_module(f"custom_components.{DOMAIN}.{family}.{platform}")
    # A description may be both a module constant and a member of the platform's tuple: once each.
    found: dict[int, EntityDescription] = {}
    for value in vars(module).values():
        candidates = value if isinstance(value, tuple | list) else (value,)
        found.update((id(item), item) for item in candidates if isinstance(item, EntityDescription))
    return list(found.values())


# The charge plan's entities are described in one module for all their platforms.
PLAN_DESCRIPTIONS: list[tuple[str, EntityDescription]] = [
    *(("switch", description) for description in plan_entities.SWITCHES),
    *(("number", description) for description in plan_entities.NUMBERS),
    *(("sensor", description) for description in plan_entities.SENSORS),
    ("select", plan_entities.MODE),
    ("time", plan_entities.DEPARTURE),
]
DESCRIPTION_MODULES = (*PLATFORMS, "entities", "value_sensor")

ALL_DESCRIPTIONS = [
    (platform, description)
    for family in ("charger", "pump")
    for platform in PLATFORMS
    for description in _descriptions(family, platform)
] + PLAN_DESCRIPTIONS


def test_every_family_platform_has_descriptions() -> None:
    assert {platform for platform, _ in ALL_DESCRIPTIONS} == {*PLATFORMS, "time"}


@pytest.mark.parametrize(
    ("platform", "description"),
    ALL_DESCRIPTIONS,
    ids=[f"{platform}.{d.key}" for platform, d in ALL_DESCRIPTIONS],
)
def test_entity_names_and_states_are_translated(
    platform: str, description: EntityDescription
) -> None:
    key = description.translation_key
    if key is None:  # named by its device class, which Home Assistant translates itself
        assert description.device_class is not None
        return
    entry = TRANSLATIONS["entity"][platform][key]
    assert entry.get("name"), f"entity.{platform}.{key}.name"
    if (
        isinstance(description, SensorEntityDescription)
        and description.device_class is SensorDeviceClass.ENUM
        and description.options
    ):
        assert set(description.options) <= set(entry.get("state", {})), key


def test_icons_refer_to_translated_entities() -> None:
    for platform, icons in ICONS.get("entity", {}).items():
        assert set(icons) <= set(TRANSLATIONS["entity"][platform]), platform


def test_error_tables_are_translated() -> None:
    keys = set(CHARGER_ERRORS.values()) | set(PUMP_ERRORS.values()) | {"unknown_error"}
    assert keys <= set(TRANSLATIONS["exceptions"])
    for key in keys:
        assert TRANSLATIONS["exceptions"][key]["message"]


def test_literal_error_and_issue_keys_are_translated() -> None:
    """translation_key="..." outside entity descriptions: an exception, an issue or a selector."""
    known = (
        set(TRANSLATIONS["exceptions"])
        | set(TRANSLATIONS.get("issues", {}))
        | set(TRANSLATIONS.get("selector", {}))
    )
    literal = re.compile(r'translation_key="([a-z0-9_]+)"')
    used: set[str] = set()
    for path in INTEGRATION.rglob("*.py"):
        if path.stem in DESCRIPTION_MODULES or "clients" in path.parts:
            continue
        used.update(literal.findall(path.read_text(encoding="utf-8")))
    assert used, "the pattern should find the keys the code raises"
    assert used <= known, sorted(used - known)


def test_actions_and_their_fields_are_translated() -> None:
    services = yaml.safe_load((INTEGRATION / "services.yaml").read_text(encoding="utf-8"))
    for action, spec in services.items():
        text = TRANSLATIONS["services"][action]
        assert text["name"], action
        assert text["description"], action
        for field in (spec or {}).get("fields", {}):
            assert text["fields"][field]["name"], f"{action}.{field}"


def _english_name(platform: str, description: EntityDescription) -> str:
    """The name a user sees on the device page (a device class's name when untranslated)."""
    if description.translation_key is None:
        return f"<{description.device_class}>"
    return str(TRANSLATIONS["entity"][platform][description.translation_key]["name"])


@pytest.mark.parametrize("family", ["charger", "pump"])
def test_entity_names_are_unique_on_a_device(family: str) -> None:
    """Two entities of one device never share a name (say, a Charging sensor and switch)."""
    names: dict[str, list[str]] = {}
    for platform in PLATFORMS:
        for description in _descriptions(family, platform):
            name = _english_name(platform, description).casefold()
            names.setdefault(name, []).append(f"{platform}.{description.key}")
    assert {name: keys for name, keys in names.items() if len(keys) > 1} == {}


def test_count_sensors_carry_no_plural_unit() -> None:
    """A translated unit reads wrong for a count of one ("1 schedules"): counts have none."""
    units = {
        key: entry["unit_of_measurement"]
        for key, entry in TRANSLATIONS["entity"]["sensor"].items()
        if "unit_of_measurement" in entry
    }
    assert units == {}


def test_config_flow_errors_are_translated() -> None:
    """Every error key a config or options flow shows has English text."""
    shown = re.compile(r'(?:return (?:CONF_\w+|BASE|None), |errors\[[^\]]+\] = )"([a-z_]+)"')
    used: dict[str, set[str]] = {"config": set(), "options": set()}
    for family in ("charger", "pump"):
        source = (INTEGRATION / family / "config_flow.py").read_text(encoding="utf-8")
        options_class = re.search(r"^class \w+OptionsFlow\(", source, flags=re.MULTILINE)
        options_at = options_class.start() if options_class else -1
        for match in shown.finditer(source):
            used["options" if 0 <= options_at < match.start() else "config"].add(match[1])
    assert {"charger_invalid_auth", "invalid_auth", "grid_and_solar"} <= used["config"] | used[
        "options"
    ]
    for flow, keys in used.items():
        assert keys <= set(TRANSLATIONS[flow]["error"]), (flow, keys)


def test_charger_credentials_error_speaks_of_the_charger() -> None:
    """A charger has a user name, not an e-mail: its error must not ask about an e-mail."""
    text = TRANSLATIONS["config"]["error"]["charger_invalid_auth"].lower()
    assert "user name" in text
    assert "email" not in text
