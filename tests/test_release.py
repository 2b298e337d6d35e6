"""Releases: valid workflows, one tag pattern, version and changelog agreeing, the HACS zip.

The release workflow calls `scripts/release.py`; these tests call the same functions, build the
same zip and run the same checks, so what passes here is what the workflow publishes.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from scripts import release

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
RELEASE_WORKFLOW = WORKFLOWS / "release.yml"
CHANGELOG = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
CHANGE_TYPES = {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}


def _workflow(path: Path) -> dict[Any, Any]:
    document: dict[Any, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    # YAML 1.1 reads the key "on" as True.
    document["on"] = document.pop(True, document.get("on"))
    return document


def _schema_problems(*paths: Path) -> subprocess.CompletedProcess[str]:
    """Validate workflow files against GitHub's workflow schema (vendored, offline)."""
    return subprocess.run(  # noqa: S603 - our interpreter, our files
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            *map(str, paths),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def github_filter_regex(pattern: str) -> re.Pattern[str]:
    """Translate a GitHub Actions branch/tag filter pattern into a regular expression."""
    out = ""
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if pattern.startswith("**", index):
            out += ".*"
            index += 2
            continue
        if char == "*":
            out += "[^/]*"
        elif char in "+?":
            out += char  # one or more / zero or one of the preceding character
        elif char == "[":
            end = pattern.index("]", index)
            out += pattern[index : end + 1]
            index = end
        else:
            out += re.escape(char)
        index += 1
    return re.compile(f"^{out}$")


def _tag_patterns() -> list[str]:
    return list(_workflow(RELEASE_WORKFLOW)["on"]["push"]["tags"])


def test_workflow_files_are_valid() -> None:
    paths = sorted(WORKFLOWS.glob("*.yml"))
    assert RELEASE_WORKFLOW in paths
    result = _schema_problems(*paths)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_broken_workflow_is_caught(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    document = _workflow(RELEASE_WORKFLOW)
    del document["jobs"]["release"]["runs-on"]
    document["jobs"]["release"]["steps"] = {"run": "not a list"}
    broken.write_text(yaml.safe_dump(document), encoding="utf-8")
    assert _schema_problems(broken).returncode != 0


def test_tag_pattern_matches_the_manifest_version_only_as_a_release_tag() -> None:
    version = release.manifest_version()
    patterns = [github_filter_regex(pattern) for pattern in _tag_patterns()]
    assert any(pattern.match(f"v{version}") for pattern in patterns)
    for not_a_release in (version, f"v{version}-rc1", "v1.2", "latest", f"x{version}"):
        assert not any(pattern.match(not_a_release) for pattern in patterns), not_a_release
    # The script agrees with the workflow on what a release tag is.
    assert release.version_of_tag(f"v{version}") == version
    with pytest.raises(release.ReleaseError):
        release.version_of_tag(f"v{version}-rc1")


def test_filter_translation() -> None:
    assert github_filter_regex("v[0-9]+.[0-9]+").match("v10.2")
    assert not github_filter_regex("v[0-9]+.[0-9]+").match("v10x2")
    assert github_filter_regex("v*").match("v1.0")
    assert not github_filter_regex("v*").match("v1/0")


def test_version_changelog_and_tag_agree() -> None:
    version = release.manifest_version()
    release.check(f"v{version}", changelog=CHANGELOG, version=version)
    assert release.released_versions(CHANGELOG)[0] == version


def test_changelog_follows_keep_a_changelog() -> None:
    headings = re.findall(r"^## (.+)$", CHANGELOG, flags=re.MULTILINE)
    assert headings[0] == "[Unreleased]"
    released = release.released_versions(CHANGELOG)
    assert len(headings) == 1 + len(released), "every other section is '[X.Y.Z] - YYYY-MM-DD'"
    as_tuples = [tuple(int(part) for part in version.split(".")) for version in released]
    assert as_tuples == sorted(as_tuples, reverse=True), "newest first"
    dates = [match.group(2) for match in release.RELEASE_HEADING.finditer(CHANGELOG)]
    assert dates == sorted(dates, reverse=True)
    assert set(re.findall(r"^### (.+)$", CHANGELOG, flags=re.MULTILINE)) <= CHANGE_TYPES
    for name in ["Unreleased", *released]:
        assert re.search(rf"^\[{re.escape(name)}\]: https://\S+$", CHANGELOG, re.MULTILINE), name
    assert release.released_versions(CHANGELOG)[-1] == "0.1.0"


@pytest.mark.parametrize(
    ("tag", "manifest", "problem"),
    [
        ("v0.9.0", None, "tag v0.9.0 but manifest.json says"),
        ("0.2.0", None, "is not a release tag"),
        ("v9.9.9", "9.9.9", "the changelog's newest is"),
    ],
)
def test_disagreement_is_caught(tag: str, manifest: str | None, problem: str) -> None:
    version = manifest or release.manifest_version()
    with pytest.raises(release.ReleaseError, match=re.escape(problem)):
        release.check(tag, changelog=CHANGELOG, version=version)


def test_empty_section_or_missing_link_is_caught() -> None:
    version = release.manifest_version()
    heading = next(m for m in release.RELEASE_HEADING.finditer(CHANGELOG) if m[1] == version)
    following = release.SECTION_HEADING.search(CHANGELOG, heading.end())
    assert following is not None
    emptied = CHANGELOG[: heading.end()] + "\n\n" + CHANGELOG[following.start() :]
    with pytest.raises(release.ReleaseError, match="is empty"):
        release.check(f"v{version}", changelog=emptied, version=version)
    unlinked = CHANGELOG.replace(f"[{version}]: ", f"[{version}] ")
    with pytest.raises(release.ReleaseError, match="link reference"):
        release.check(f"v{version}", changelog=unlinked, version=version)


def test_release_notes_are_the_section_only() -> None:
    notes = release.release_notes(CHANGELOG, "0.1.0")
    assert notes.startswith("### Added\n")
    assert "## [" not in notes
    assert "https://github.com/" not in notes  # the link references are not part of it
    newest = release.release_notes(CHANGELOG, release.manifest_version())
    assert "0.1.0" not in newest.splitlines()[0]
    assert newest.strip() in CHANGELOG


def test_notes_command_prints_the_section(capsys: pytest.CaptureFixture[str]) -> None:
    version = release.manifest_version()
    assert release.main(["notes", f"v{version}"]) == 0
    assert capsys.readouterr().out == release.release_notes(CHANGELOG, version)
    assert release.main(["check", "v0.0.1"]) == 1
    assert "manifest.json says" in capsys.readouterr().err


def test_zip_holds_exactly_what_hacs_installs(tmp_path: Path) -> None:
    """The zip's root is the integration folder's contents, byte for byte, without caches."""
    hacs = json.loads((ROOT / "hacs.json").read_text(encoding="utf-8"))
    assert hacs["zip_release"] is True
    assert hacs["filename"] == release.ZIP_NAME
    output = tmp_path / hacs["filename"]
    assert release.main(["zip", str(output)]) == 0

    expected = {
        path.relative_to(release.INTEGRATION).as_posix(): path
        for path in release.INTEGRATION.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    with zipfile.ZipFile(output) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        assert sorted(names) == sorted(expected)
        for name in names:
            assert archive.read(name) == expected[name].read_bytes(), name
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["domain"] == "openevse_moogo"
    assert manifest["version"] == release.manifest_version()
    assert {"__init__.py", "translations/en.json", "clients/openevse/client.py"} <= set(names)
    assert not [name for name in names if name.endswith(".pyc") or name.startswith("/")]

    # The same tree gives the same bytes (fixed timestamps, sorted entries).
    again = tmp_path / "again.zip"
    release.build_zip(again)
    assert again.read_bytes() == output.read_bytes()


def test_workflow_uses_the_script_and_the_hacs_filename() -> None:
    """The workflow publishes what the tests build: the same script and file name."""
    workflow = _workflow(RELEASE_WORKFLOW)
    release_job = workflow["jobs"]["release"]
    assert release_job["needs"] == "test"
    assert release_job["permissions"] == {"contents": "write"}
    runs = "\n".join(step.get("run", "") for step in release_job["steps"])
    hacs = json.loads((ROOT / "hacs.json").read_text(encoding="utf-8"))
    for command in (
        'scripts/release.py check "$GITHUB_REF_NAME"',
        f"scripts/release.py zip dist/{hacs['filename']}",
        'scripts/release.py notes "$GITHUB_REF_NAME" > dist/release-notes.md',
        f'gh release create "$GITHUB_REF_NAME" dist/{hacs["filename"]}',
        "--notes-file dist/release-notes.md",
    ):
        assert command in runs, command
    assert "bash .ci/run" in "\n".join(
        step.get("run", "") for step in workflow["jobs"]["test"]["steps"]
    )
