"""List what each language file lacks against en.json.

Run: .venv/bin/python scripts/translations_missing.py

en.json is the source: every other file in translations/ must have exactly its keys, with the same
{placeholders} in each string. For each language this prints the key paths that are missing,
extra, empty or whose placeholders differ, and exits 1 if there is any, so a changed en.json
shows at once which strings to translate. tests/test_languages.py runs the same functions.
"""

from __future__ import annotations

import json
import string
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TRANSLATIONS_DIR = (
    Path(__file__).resolve().parent.parent / "custom_components" / "openevse_moogo" / "translations"
)
SOURCE_LANGUAGE = "en"


def load(path: Path) -> Any:
    """A translation file's JSON."""
    return json.loads(path.read_text(encoding="utf-8"))


def language_files() -> dict[str, Path]:
    """Every translation file but en.json, by language code."""
    return {
        path.stem: path
        for path in sorted(TRANSLATIONS_DIR.glob("*.json"))
        if path.stem != SOURCE_LANGUAGE
    }


def flatten(node: Any, prefix: str = "") -> dict[str, Any]:
    """Leaf values by dotted key path (a non-dict leaf is kept as it is, to be reported)."""
    if not isinstance(node, dict):
        return {prefix: node}
    leaves: dict[str, Any] = {}
    for key, value in node.items():
        leaves.update(flatten(value, f"{prefix}.{key}" if prefix else key))
    return leaves


def placeholders(text: str) -> set[str]:
    """The {name} placeholders of a string, as Home Assistant's translation helper reads them."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@dataclass
class Differences:
    """What one language file has different from en.json."""

    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    placeholders: list[str] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.missing or self.extra or self.placeholders or self.empty)

    def lines(self) -> list[str]:
        """One line per problem, in a fixed order."""
        return [
            *(f"missing      {path}" for path in self.missing),
            *(f"extra        {path}" for path in self.extra),
            *(f"placeholders {path}" for path in self.placeholders),
            *(f"empty        {path}" for path in self.empty),
        ]


def compare(source: Any, translation: Any) -> Differences:
    """The key paths of translation that are missing, extra, empty or with other placeholders."""
    expected = flatten(source)
    actual = flatten(translation)
    found = Differences(
        missing=[path for path in expected if path not in actual],
        extra=[path for path in actual if path not in expected],
    )
    for path, text in actual.items():
        if path not in expected:
            continue
        if not isinstance(text, str) or not text.strip():
            found.empty.append(path)
            continue
        try:
            same = placeholders(text) == placeholders(expected[path])
        except ValueError:  # an unbalanced brace: Home Assistant could not format it either
            same = False
        if not same:
            found.placeholders.append(path)
    return found


def main() -> int:
    source = load(TRANSLATIONS_DIR / f"{SOURCE_LANGUAGE}.json")
    failed = False
    for language, path in language_files().items():
        differences = compare(source, load(path))
        if not differences:
            print(f"{language}: complete")
            continue
        failed = True
        print(f"{language}:")
        for line in differences.lines():
            print(f"  {line}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
