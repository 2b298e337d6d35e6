"""Release tooling, shared by the release workflow and the tests (standard library only).

    python3 scripts/release.py check v0.2.0      the tag, manifest.json and CHANGELOG.md agree
    python3 scripts/release.py notes v0.2.0      print the changelog's section for that version
    python3 scripts/release.py zip OUTPUT.zip    build the zip HACS installs

HACS (``zip_release`` in hacs.json) downloads the release asset named by ``filename`` and
unpacks it into ``custom_components/openevse_moogo/``: the zip holds that folder's contents at
its root, nothing else (no caches), with fixed timestamps so the same tree gives the same bytes.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = "openevse_moogo"
INTEGRATION = ROOT / "custom_components" / DOMAIN
CHANGELOG = ROOT / "CHANGELOG.md"
ZIP_NAME = f"{DOMAIN}.zip"
# A release heading of Keep a Changelog: "## [1.2.3] - 2026-12-01".
RELEASE_HEADING = re.compile(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})$", re.MULTILINE)
SECTION_HEADING = re.compile(r"^## ", re.MULTILINE)
TAG = re.compile(r"^v(\d+\.\d+\.\d+)$")
# 1980-01-01, the earliest time a zip entry can carry: the same files give the same zip.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class ReleaseError(Exception):
    """The tag, the manifest and the changelog disagree, or the changelog is malformed."""


def manifest_version(integration: Path = INTEGRATION) -> str:
    """The version in the integration's manifest.json."""
    manifest = json.loads((integration / "manifest.json").read_text(encoding="utf-8"))
    return str(manifest["version"])


def released_versions(changelog: str) -> list[str]:
    """The changelog's released versions, newest first (as written)."""
    return [match.group(1) for match in RELEASE_HEADING.finditer(changelog)]


def release_notes(changelog: str, version: str) -> str:
    """The body of the changelog's section for ``version``, without its heading."""
    for match in RELEASE_HEADING.finditer(changelog):
        if match.group(1) != version:
            continue
        following = SECTION_HEADING.search(changelog, match.end())
        # Link references ("[0.1.0]: https://...") close the file, after the last section.
        body = changelog[match.end() : following.start() if following else None]
        body = re.sub(r"^\[[^\]]+\]: \S+\s*$", "", body, flags=re.MULTILINE).strip()
        if not body:
            raise ReleaseError(f"the changelog's section {version} is empty")
        return body + "\n"
    raise ReleaseError(f"the changelog has no section ## [{version}] - YYYY-MM-DD")


def version_of_tag(tag: str) -> str:
    """The version a release tag names ("v0.2.0" -> "0.2.0")."""
    match = TAG.match(tag.removeprefix("refs/tags/"))
    if match is None:
        raise ReleaseError(f"{tag!r} is not a release tag like v1.2.3")
    return match.group(1)


def check(tag: str, *, changelog: str, version: str) -> None:
    """Raise unless the tag, the manifest's version and the newest changelog section agree."""
    tagged = version_of_tag(tag)
    if tagged != version:
        raise ReleaseError(f"tag {tag} but manifest.json says version {version}")
    released = released_versions(changelog)
    if not released or released[0] != version:
        newest = released[0] if released else "none"
        raise ReleaseError(f"manifest.json says {version}, the changelog's newest is {newest}")
    release_notes(changelog, version)
    if f"[{version}]: " not in changelog:
        raise ReleaseError(f"the changelog has no link reference for [{version}]")


def integration_files(integration: Path = INTEGRATION) -> list[Path]:
    """Every file HACS installs: the integration folder without Python's caches."""
    return sorted(
        path
        for path in integration.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    )


def build_zip(output: Path, integration: Path = INTEGRATION) -> list[str]:
    """Write the release zip; return the names it holds."""
    output.parent.mkdir(parents=True, exist_ok=True)
    names: list[str] = []
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in integration_files(integration):
            name = path.relative_to(integration).as_posix()
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())
            names.append(name)
    return names


def main(argv: list[str] | None = None) -> int:
    """Run one sub-command; print the problem and return 1 when it fails."""
    parser = argparse.ArgumentParser(description="Release tooling: check, notes, zip.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", help="tag, manifest and changelog agree").add_argument("tag")
    commands.add_parser("notes", help="the changelog's section of a tag").add_argument("tag")
    commands.add_parser("zip", help="build the zip HACS installs").add_argument("output", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            changelog = CHANGELOG.read_text(encoding="utf-8")
            check(args.tag, changelog=changelog, version=manifest_version())
            print(f"{args.tag}: manifest.json and CHANGELOG.md agree")
        elif args.command == "notes":
            changelog = CHANGELOG.read_text(encoding="utf-8")
            sys.stdout.write(release_notes(changelog, version_of_tag(args.tag)))
        else:
            names = build_zip(args.output)
            print(f"{args.output}: {len(names)} files")
    except ReleaseError as err:
        print(f"release: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
