"""Offline versions of the checks hassfest and the HACS action run on the repository.

Each validator returns a list of problems so the same function checks the real files and
proves, on mutated copies, that it would catch a broken one.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import voluptuous as vol
import yaml
from awesomeversion import AwesomeVersion, AwesomeVersionStrategy
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from PIL import Image

from custom_components.openevse_moogo.const import DOMAIN
from tests.test_translations import PLATFORMS, TRANSLATIONS, _descriptions

ROOT = Path(__file__).resolve().parent.parent
INTEGRATION = ROOT / "custom_components" / DOMAIN

# Keys hassfest's custom-integration manifest schema accepts.
MANIFEST_KEYS = {
    "domain", "name", "after_dependencies", "bluetooth", "codeowners", "config_flow",
    "dependencies", "dhcp", "documentation", "homekit", "import_executor", "integration_type",
    "iot_class", "issue_tracker", "loggers", "mqtt", "quality_scale", "requirements",
    "single_config_entry", "ssdp", "usb", "version", "zeroconf",
}  # fmt: skip
IOT_CLASSES = {
    "assumed_state", "calculated", "cloud_polling", "cloud_push", "local_polling", "local_push",
}  # fmt: skip
# Rules a quality scale may not exempt: what they ask for is either there or still to do.
NO_EXEMPTION = {"dependency-transparency"}
# Keys of HACS's hacs.json schema (it rejects any other key).
HACS_KEYS = {
    "name", "content_in_root", "zip_release", "filename", "hide_default_branch", "country",
    "homeassistant", "hacs", "persistent_directory", "render_readme",
}  # fmt: skip
SEMVER = re.compile(r"^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")
QUALITY_RULES = {
    # Bronze
    "action-setup", "appropriate-polling", "brands", "common-modules", "config-flow",
    "config-flow-test-coverage", "dependency-transparency", "docs-actions", "docs-triggers",
    "docs-conditions", "docs-high-level-description", "docs-installation-instructions",
    "docs-removal-instructions", "entity-event-setup", "entity-unique-id", "has-entity-name",
    "runtime-data", "test-before-configure", "test-before-setup", "unique-config-entry",
    # Silver
    "action-exceptions", "config-entry-unloading", "docs-configuration-parameters",
    "docs-installation-parameters", "entity-unavailable", "integration-owner",
    "log-when-unavailable", "parallel-updates", "reauthentication-flow", "test-coverage",
    # Gold
    "devices", "diagnostics", "discovery", "discovery-update-info", "docs-data-update",
    "docs-examples", "docs-known-limitations", "docs-supported-devices",
    "docs-supported-functions", "docs-troubleshooting", "docs-use-cases", "dynamic-devices",
    "entity-category", "entity-device-class", "entity-disabled-by-default",
    "entity-translations", "exception-translations", "icon-translations",
    "reconfiguration-flow", "repair-issues", "stale-devices",
    # Platinum
    "async-dependency", "inject-websession", "strict-typing",
}  # fmt: skip


def _load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def manifest_problems(manifest: dict[str, Any], directory_name: str) -> list[str]:
    """What hassfest and the HACS manifest check would reject."""
    problems: list[str] = []
    keys = list(manifest)
    if keys[:2] != ["domain", "name"] or keys[2:] != sorted(keys[2:]):
        problems.append("keys must be domain, name, then alphabetical")
    problems.extend(f"unknown key {key}" for key in keys if key not in MANIFEST_KEYS)
    if manifest.get("domain") != directory_name:
        problems.append("domain must equal the directory name")
    for key in ("name", "documentation", "issue_tracker", "version"):
        if not isinstance(manifest.get(key), str) or not manifest[key]:
            problems.append(f"{key} is required")
    for key in ("documentation", "issue_tracker"):
        if not str(manifest.get(key, "")).startswith("https://"):
            problems.append(f"{key} must be an https URL")
    codeowners = manifest.get("codeowners")
    if not isinstance(codeowners, list) or not codeowners:
        problems.append("codeowners must be a non-empty list")
    version = str(manifest.get("version", ""))
    if not SEMVER.match(version) or AwesomeVersion(version).strategy not in (
        AwesomeVersionStrategy.SEMVER,
        AwesomeVersionStrategy.SIMPLEVER,
    ):
        problems.append("version must be semver")
    if manifest.get("config_flow") is not True:
        problems.append("config_flow must be true")
    if manifest.get("integration_type") != "hub":
        problems.append("integration_type must be hub")
    if manifest.get("iot_class") not in IOT_CLASSES:
        problems.append("iot_class is invalid")
    if manifest.get("requirements") != []:
        problems.append("requirements must be empty: both clients are vendored")
    zeroconf = manifest.get("zeroconf", [])
    if not isinstance(zeroconf, list) or not all(isinstance(item, str | dict) for item in zeroconf):
        problems.append("zeroconf must be a list of service types")
    return problems


def hacs_problems(hacs: dict[str, Any]) -> list[str]:
    """What the HACS hacs.json schema would reject."""
    problems = [f"unknown key {key}" for key in hacs if key not in HACS_KEYS]
    if not isinstance(hacs.get("name"), str) or not hacs["name"]:
        problems.append("name is required")
    if hacs.get("zip_release") and "filename" not in hacs:
        problems.append("zip_release requires filename")
    minimum = hacs.get("homeassistant")
    if minimum is not None and AwesomeVersion(str(minimum)).strategy is (
        AwesomeVersionStrategy.UNKNOWN
    ):
        problems.append("homeassistant must be a version")
    return problems


def translation_problems(node: Any, path: str = "") -> list[str]:
    """Custom integrations ship flat English text: no [%key:...] references, only strings."""
    if isinstance(node, dict):
        return [
            problem
            for key, value in node.items()
            for problem in translation_problems(value, f"{path}.{key}")
        ]
    if not isinstance(node, str):
        return [f"{path} is not text"]
    if "[%key:" in node:
        return [f"{path} uses a [%key:...] reference"]
    return []


def quality_scale_problems(document: dict[str, Any]) -> list[str]:
    """Only valid rule ids and statuses; every rule listed; exemptions explained."""
    if set(document) != {"rules"}:
        return ["the only top-level key is rules"]
    rules: dict[str, Any] = document["rules"]
    problems = [f"unknown rule {rule}" for rule in rules if rule not in QUALITY_RULES]
    problems.extend(f"missing rule {rule}" for rule in sorted(QUALITY_RULES - set(rules)))
    for rule, value in rules.items():
        status = value["status"] if isinstance(value, dict) else value
        if status not in ("done", "todo", "exempt"):
            problems.append(f"{rule}: invalid status {status!r}")
        if status == "exempt" and not (isinstance(value, dict) and value.get("comment")):
            problems.append(f"{rule}: an exemption needs a comment")
        if status == "exempt" and rule in NO_EXEMPTION:
            problems.append(f"{rule}: admits no exemption")
    return problems


def test_manifest_is_valid() -> None:
    assert manifest_problems(_load_json(INTEGRATION / "manifest.json"), INTEGRATION.name) == []


@pytest.mark.parametrize(
    ("mutation", "expected"),
    [
        (lambda m: {"name": m["name"], **m}, "keys must be domain, name, then alphabetical"),
        (lambda m: {**m, "version": "one"}, "version must be semver"),
        (lambda m: {**m, "requirements": ["aiohttp==3.0"]}, "requirements must be empty"),
        (lambda m: {**m, "domain": "openevse"}, "domain must equal the directory name"),
        (lambda m: {k: v for k, v in m.items() if k != "codeowners"}, "codeowners"),
        (lambda m: {**m, "documentation": "http://example.com"}, "documentation must be"),
        (lambda m: {**m, "zzz_unknown": True}, "unknown key zzz_unknown"),
        (lambda m: {**m, "iot_class": "local_magic"}, "iot_class is invalid"),
    ],
)
def test_broken_manifest_is_caught(mutation: Any, expected: str) -> None:
    broken = mutation(_load_json(INTEGRATION / "manifest.json"))
    assert any(expected in problem for problem in manifest_problems(broken, INTEGRATION.name))


def test_hacs_json_is_valid() -> None:
    hacs = _load_json(ROOT / "hacs.json")
    assert hacs_problems(hacs) == []
    # The brand folder is served by Home Assistant from 2026.3 on.
    assert AwesomeVersion(hacs["homeassistant"]) >= AwesomeVersion("2026.3.0")


@pytest.mark.parametrize(
    ("mutation", "expected"),
    [
        (lambda h: {**h, "render_readme": True, "domains": ["x"]}, "unknown key domains"),
        (lambda h: {k: v for k, v in h.items() if k != "name"}, "name is required"),
        (
            lambda h: {k: v for k, v in h.items() if k != "filename"} | {"zip_release": True},
            "zip_release requires filename",
        ),
    ],
)
def test_broken_hacs_json_is_caught(mutation: Any, expected: str) -> None:
    assert expected in hacs_problems(mutation(_load_json(ROOT / "hacs.json")))


def test_translations_are_flat_text() -> None:
    translations = _load_json(INTEGRATION / "translations" / "en.json")
    assert translation_problems(translations) == []
    assert translation_problems({"a": {"b": "[%key:common::x%]"}}) == [
        ".a.b uses a [%key:...] reference"
    ]


def test_icons_json_is_valid() -> None:
    icons_file = INTEGRATION / "icons.json"
    if not icons_file.exists():
        return
    icons = _load_json(icons_file)
    assert set(icons) <= {"entity", "services"}


@pytest.mark.parametrize(
    ("name", "size"), [("icon.png", 256), ("icon@2x.png", 512), ("logo.png", 256)]
)
def test_brand_images(name: str, size: int) -> None:
    with Image.open(INTEGRATION / "brand" / name) as image:
        assert image.format == "PNG"
        assert image.size == (size, size)
        assert image.mode == "RGBA"
        assert image.getpixel((0, 0))[3] == 0  # transparent background


def test_quality_scale_is_valid() -> None:
    document = yaml.safe_load((INTEGRATION / "quality_scale.yaml").read_text(encoding="utf-8"))
    assert quality_scale_problems(document) == []
    assert quality_scale_problems({"rules": {"config_flow": "done"}})[0] == (
        "unknown rule config_flow"
    )
    assert "dependency-transparency: admits no exemption" in quality_scale_problems(
        {
            "rules": {
                **document["rules"],
                "dependency-transparency": {"status": "exempt", "comment": "vendored"},
            }
        }
    )
    assert "brands: an exemption needs a comment" in quality_scale_problems(
        {"rules": {**document["rules"], "brands": "exempt"}}
    )


def test_services_yaml_is_valid() -> None:
    """services.yaml passes the schema Home Assistant loads it with (a bad one hangs the UI)."""
    from homeassistant.helpers.service import _SERVICES_SCHEMA
    from homeassistant.util.yaml import load_yaml_dict

    services = load_yaml_dict(str(INTEGRATION / "services.yaml"))
    _SERVICES_SCHEMA(services)  # raises on anything Home Assistant would refuse
    with pytest.raises(vol.Invalid):
        _SERVICES_SCHEMA({"spray": {"fields": {"duration": {"selector": {"no_such": {}}}}}})


async def test_services_yaml_matches_registered_actions(hass: HomeAssistant) -> None:
    """Every action in services.yaml is registered by the integration, and the reverse."""
    services_file = INTEGRATION / "services.yaml"
    documented = (
        set(yaml.safe_load(services_file.read_text(encoding="utf-8")) or {})
        if services_file.exists()
        else set()
    )
    assert await async_setup_component(hass, DOMAIN, {})
    await hass.async_block_till_done()
    assert set(hass.services.async_services_for_domain(DOMAIN)) == documented


def _readme_section(heading: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(f"\n{heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def _disabled_by_default(family: str) -> set[str]:
    """English names of the family's entities that are created disabled."""
    return {
        TRANSLATIONS["entity"][platform][description.translation_key]["name"]
        for platform in PLATFORMS
        for description in _descriptions(family, platform)
        if description.entity_registry_enabled_default is False
        and description.translation_key is not None
    }


def documented_disabled_entities(section: str) -> dict[str, set[str]]:
    """The README table's entity names per device ("Charger", "Pump")."""
    documented: dict[str, set[str]] = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0] in ("Device", "---"):
            continue
        documented.setdefault(cells[0], set()).update(name.strip() for name in cells[1].split(","))
    return documented


def test_readme_lists_every_entity_disabled_by_default() -> None:
    """A user looking for the Wi-Fi signal (or any disabled entity) finds it in the README."""
    documented = documented_disabled_entities(_readme_section("## Entities disabled by default"))
    assert documented == {
        "Charger": _disabled_by_default("charger"),
        "Pump": _disabled_by_default("pump"),
    }
    assert "Wi-Fi signal" in documented["Charger"]


# Card and tile-feature types Home Assistant's frontend ships (no custom cards).
CORE_CARDS = {
    "entities", "gauge", "glance", "heading", "history-graph", "logbook", "markdown", "tile",
    "horizontal-stack", "vertical-stack", "grid", "energy-date-selection", "statistics-graph",
}  # fmt: skip
CORE_TILE_FEATURES = {"toggle", "numeric-input", "select-options"}


def _dashboard_items(node: Any, key: str) -> list[Any]:
    """Every value stored under ``key`` anywhere in the dashboard."""
    if isinstance(node, dict):
        found = [node[key]] if key in node else []
        return found + [item for value in node.values() for item in _dashboard_items(value, key)]
    if isinstance(node, list):
        return [item for value in node for item in _dashboard_items(value, key)]
    return []


def _snapshot_entity_ids() -> set[str]:
    ids: set[str] = set()
    for snapshot in ROOT.glob("tests/*/snapshots/*.ambr"):
        ids.update(re.findall(r"'entity_id': '([a-z_]+\.[a-z0-9_]+)'", snapshot.read_text()))
    return ids


def test_ready_dashboard_uses_core_cards_and_real_entities() -> None:
    """docs/dashboard.yaml names entities the integration creates, with core cards only."""
    dashboard = yaml.safe_load((ROOT / "docs" / "dashboard.yaml").read_text(encoding="utf-8"))
    cards = [card for section in dashboard["views"][0]["sections"] for card in section["cards"]]
    assert {card["type"] for card in cards} <= CORE_CARDS
    features = {feature["type"] for card in cards for feature in card.get("features", [])}
    assert features <= CORE_TILE_FEATURES
    entity_ids = {
        item if isinstance(item, str) else item["entity"]
        for item in _dashboard_items(dashboard, "entity")
        + [e for card in cards for e in card.get("entities", [])]
        + [e for target in _dashboard_items(dashboard, "target") for e in target["entity_id"]]
    }
    assert len(entity_ids) >= 20
    assert entity_ids <= _snapshot_entity_ids(), sorted(entity_ids - _snapshot_entity_ids())


def test_readme_pictures_exist() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", readme)
    assert len(pictures) >= 6
    for picture in pictures:
        assert (ROOT / picture).is_file(), picture


# hassfest's runtime-data rule (script/hassfest/quality_scale_validation/runtime_data.py): the
# integration's async_setup_entry stores entry.runtime_data itself and, with strict-typing done,
# every config-entry hook names a typed entry alias in its annotation.
_TYPED_ENTRY = re.compile(r"^[A-Za-z]+ConfigEntry$")
_ENTRY_HOOKS: dict[str, dict[str, int]] = {
    "__init__": {
        "async_migrate_entry": 2,
        "async_remove_config_entry_device": 2,
        "async_remove_entry": 2,
        "async_setup_entry": 2,
        "async_unload_entry": 2,
    },
    "diagnostics": {"async_get_config_entry_diagnostics": 2, "async_get_device_diagnostics": 2},
    **{platform.value: {"async_setup_entry": 2} for platform in Platform},
}


def runtime_data_problems(integration: Path) -> list[str]:
    """What hassfest's runtime-data rule (with strict-typing done) reports for the integration."""

    def functions(module: ast.Module) -> dict[str, ast.AsyncFunctionDef | ast.FunctionDef]:
        return {
            node.name: node
            for node in module.body
            if isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef)
        }

    def annotated(function: ast.AsyncFunctionDef | ast.FunctionDef, position: int) -> bool:
        if len(function.args.args) < position:
            return False
        annotation = function.args.args[position - 1].annotation
        return isinstance(annotation, ast.Name) and bool(_TYPED_ENTRY.match(annotation.id))

    problems: list[str] = []
    init = functions(ast.parse((integration / "__init__.py").read_text()))
    setup = init.get("async_setup_entry")
    if setup is None or len(setup.args.args) != 2:
        return ["async_setup_entry missing or with the wrong signature"]
    entry_name = setup.args.args[1].arg
    if not any(
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == entry_name
        and node.attr == "runtime_data"
        and isinstance(node.ctx, ast.Store)
        for node in ast.walk(setup)
    ):
        problems.append("async_setup_entry does not set entry.runtime_data")
    for module_name, hooks in _ENTRY_HOOKS.items():
        path = integration / f"{module_name}.py"
        if not path.exists():
            continue
        found = functions(ast.parse(path.read_text()))
        for name, position in hooks.items():
            if name in found and not annotated(found[name], position):
                problems.append(f"{path.name}: {name} does not use a typed ConfigEntry")
    for node in ast.parse((integration / "config_flow.py").read_text()).body:
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if (
                    isinstance(item, ast.FunctionDef)
                    and item.name == "async_get_options_flow"
                    and not annotated(item, 1)
                ):
                    problems.append("config_flow.py: async_get_options_flow is not typed")
    return problems


def test_runtime_data_rule_as_hassfest_reads_it(tmp_path: Path) -> None:
    """The real integration passes; copies that break the rule are caught."""
    assert runtime_data_problems(INTEGRATION) == []
    broken = tmp_path / DOMAIN
    shutil.copytree(INTEGRATION, broken, ignore=shutil.ignore_patterns("clients", "__pycache__"))
    init = broken / "__init__.py"
    init.write_text(init.read_text().replace("entry.runtime_data = await", "_runtime_data = await"))
    sensor = broken / "sensor.py"
    sensor.write_text(sensor.read_text().replace("entry: OpenEVSEMoogoConfigEntry", "entry"))
    assert runtime_data_problems(broken) == [
        "async_setup_entry does not set entry.runtime_data",
        "sensor.py: async_setup_entry does not use a typed ConfigEntry",
    ]
