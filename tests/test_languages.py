"""Every language file matches en.json, and Home Assistant shows it.

Home Assistant fills a missing key from English and drops (with an error in the log) a string
whose placeholders differ from English, so a stale language file shows as a half-English UI
rather than failing. These tests hold each file to en.json's keys and placeholders, and load
each through Home Assistant's own translation helper.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.translation import async_get_translations
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openevse_moogo.const import DOMAIN
from scripts import translations_missing
from scripts.translations_missing import (
    TRANSLATIONS_DIR,
    compare,
    flatten,
    language_files,
    load,
    placeholders,
)
from tests.charger.conftest import SERIAL, entry_data
from tests.simulators.openevse import ChargerSimulator
from tests.test_packaging import translation_problems

# The languages the integration promises (README): a file lost from this list fails here.
LANGUAGES = ("da", "de", "es", "fr", "it", "nb", "nl", "pl", "sv")
ENGLISH: dict[str, Any] = load(TRANSLATIONS_DIR / "en.json")
CATEGORIES = tuple(key for key, value in ENGLISH.items() if isinstance(value, dict))


def _translation(language: str) -> dict[str, Any]:
    result: dict[str, Any] = load(TRANSLATIONS_DIR / f"{language}.json")
    return result


def test_every_promised_language_has_a_file() -> None:
    assert set(language_files()) == set(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_keys_and_placeholders_match_english(language: str) -> None:
    differences = compare(ENGLISH, _translation(language))
    assert not differences, "\n".join(differences.lines())


@pytest.mark.parametrize("language", LANGUAGES)
def test_is_flat_text_laid_out_like_english(language: str) -> None:
    path: Path = TRANSLATIONS_DIR / f"{language}.json"
    translation = _translation(language)
    assert translation_problems(translation) == []
    # Same layout as en.json: 2-space indent, characters as they are, a trailing newline.
    assert path.read_text(encoding="utf-8") == (
        json.dumps(translation, indent=2, ensure_ascii=False) + "\n"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_is_translated_not_copied(language: str) -> None:
    """Most strings differ from English; the few equal ones are names such as Host or Port."""
    english = flatten(ENGLISH)
    translated = flatten(_translation(language))
    same = [path for path, text in english.items() if translated.get(path) == text]
    assert len(same) < len(english) // 10, same


def test_compare_reports_each_kind_of_difference() -> None:
    source = {"a": {"b": "Hello {name}", "c": "Bye"}, "d": "Plain"}
    assert not compare(source, {"a": {"b": "Hallo {name}", "c": "Tschüss"}, "d": "Einfach"})
    found = compare(source, {"a": {"b": "Hallo {nom}", "x": "Extra"}, "d": " "})
    assert found.missing == ["a.c"]
    assert found.extra == ["a.x"]
    assert found.placeholders == ["a.b"]
    assert found.empty == ["d"]
    assert compare(source, {"a": {"b": "Hallo {name", "c": "x"}, "d": "y"}).placeholders == ["a.b"]
    assert compare(source, {"a": {"b": {"deeper": "x"}, "c": "x"}, "d": "y"}).missing == ["a.b"]
    assert placeholders("{name} at {host}, {name}") == {"name", "host"}


def test_tool_lists_what_a_language_lacks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """scripts/translations_missing.py passes the real files and names each stale key."""
    assert translations_missing.main() == 0
    assert capsys.readouterr().out.splitlines() == [f"{code}: complete" for code in LANGUAGES]

    stale = _translation("de")
    del stale["entity"]["sensor"]["power"]
    stale["entity"]["sensor"]["obsolete"] = {"name": "Veraltet"}
    stale["exceptions"]["unknown_error"]["message"] = "Unerwarteter Fehler"
    (tmp_path / "en.json").write_text(json.dumps(ENGLISH), encoding="utf-8")
    (tmp_path / "de.json").write_text(json.dumps(stale), encoding="utf-8")
    monkeypatch.setattr(translations_missing, "TRANSLATIONS_DIR", tmp_path)
    assert translations_missing.main() == 1
    assert capsys.readouterr().out.splitlines() == [
        "de:",
        "  missing      entity.sensor.power.name",
        "  extra        entity.sensor.obsolete.name",
        "  placeholders exceptions.unknown_error.message",
    ]


@pytest.mark.parametrize("language", LANGUAGES)
async def test_home_assistant_loads_the_whole_language(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture, language: str
) -> None:
    """Every category comes back from Home Assistant's helper as our text, none as English."""
    ours = flatten(_translation(language))
    for category in CATEGORIES:
        loaded = await async_get_translations(hass, language, category, [DOMAIN])
        prefix = f"component.{DOMAIN}.{category}."
        expected = {
            f"component.{DOMAIN}.{path}": text
            for path, text in ours.items()
            if path.startswith(f"{category}.")
        }
        assert expected, category
        assert {key: value for key, value in loaded.items() if key.startswith(prefix)} == expected
    # Home Assistant logs an error for each string it rejected.
    assert not [record for record in caplog.records if record.levelname == "ERROR"]


@pytest.mark.usefixtures("socket_enabled")
@pytest.mark.parametrize("language", LANGUAGES)
async def test_charger_entities_are_named_in_the_system_language(
    hass: HomeAssistant, language: str
) -> None:
    """A charger set up in Home Assistant's language names its entities in that language."""
    hass.config.language = language
    translated = _translation(language)["entity"]
    sim = ChargerSimulator(tick=0.05)
    await sim.start()
    try:
        entry = MockConfigEntry(
            domain=DOMAIN, title="openevse-7c40", unique_id=SERIAL, data=entry_data(sim)
        )
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        assert entry.state is ConfigEntryState.LOADED
        registry = er.async_get(hass)
        named = {
            (reg.domain, reg.translation_key): reg.entity_id
            for reg in er.async_entries_for_config_entry(registry, entry.entry_id)
        }
        for platform, key in (("sensor", "power"), ("switch", "charging_enabled")):
            state = hass.states.get(named[(platform, key)])
            assert state is not None
            name = translated[platform][key]["name"]
            assert name != ENGLISH["entity"][platform][key]["name"]
            assert state.attributes["friendly_name"].endswith(f" {name}")
        assert await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()
    finally:
        await sim.stop()
