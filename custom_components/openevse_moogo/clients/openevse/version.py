"""Firmware version strings of the OpenEVSE WiFi gateway, parsed for feature gating.

The gateway reports its build tag: releases look like ``v5.1.5`` (older ones ``4.1.2`` without
the "v"), while development builds report ``<branch>_<hash>`` (``master_a5938d0c``), local builds
``local_<branch>_<hash>``, dirty trees add ``_modified`` and hand-made ones say ``4.1.5.dev``.
A development build that names the release it is based on (``4.1.7.dev``,
``v5.1.5_modified``) has that release's features; one that names none (``master_a5938d0c``) is
treated as newer than every release, because it is built from the current source. An
unreadable string is treated as older than every release, so gated features are only used when
the version proves them. Prefer feature detection by key presence where it
exists (see :mod:`.models`); use this only where the payload gives no hint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_RELEASE = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?")
# Markers of a build made from a branch rather than a release tag.
_DEV_WORDS = re.compile(
    r"(?:^|[_.\-])(?:master|main|dev|local|modified)(?:$|[_.\-])", re.IGNORECASE
)
_COMMIT_SUFFIX = re.compile(r"_[0-9a-f]{6,40}$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class FirmwareVersion:
    """A parsed gateway firmware version.

    ``release`` is the ``(major, minor, patch)`` found in the string, if any; ``is_dev`` tells a
    development build. ``raw`` keeps the string as reported.
    """

    raw: str | None
    release: tuple[int, int, int] | None
    is_dev: bool

    @classmethod
    def parse(cls, raw: object) -> FirmwareVersion:
        """Parse a version string as reported in ``/config`` (anything else yields unknown)."""
        if not isinstance(raw, str) or not raw.strip():
            return cls(raw=None, release=None, is_dev=False)
        text = raw.strip()
        match = _RELEASE.search(text)
        release = (int(match[1]), int(match[2]), int(match[3] or 0)) if match is not None else None
        is_dev = bool(_DEV_WORDS.search(text) or _COMMIT_SUFFIX.search(text))
        return cls(raw=text, release=release, is_dev=is_dev)

    @property
    def known(self) -> bool:
        """Whether the string told us anything usable."""
        return self.is_dev or self.release is not None

    def at_least(self, minimum: str) -> bool:
        """Tell whether this firmware is ``minimum`` (``"X.Y"`` or ``"X.Y.Z"``) or newer.

        A build is judged by the release it names, development builds included; a development
        build naming none always qualifies; unknown versions never do.
        """
        wanted = _RELEASE.fullmatch(minimum)
        if wanted is None:
            raise ValueError(f"not a version: {minimum!r}")
        if self.release is None:
            return self.is_dev
        return self.release >= (int(wanted[1]), int(wanted[2]), int(wanted[3] or 0))

    def __str__(self) -> str:
        """Return the version as the firmware reported it."""
        return self.raw or "unknown"
