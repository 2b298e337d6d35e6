"""The stand-in GitHub server: releases API, asset downloads and the faults worth testing."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, Self

from aiohttp import hdrs, web

OWNER: Final = "OpenEVSE"
REPO: Final = "openevse_esp32_firmware"
RATE_LIMIT: Final = 60
"""Requests an unauthenticated client may make per hour (GitHub's primary rate limit)."""
DOCS: Final = "https://docs.github.com/rest/releases/releases#get-the-latest-release"

# What an ESP32 app image starts with: the image header (magic 0xE9, 24 bytes), the first
# segment's header (8 bytes), then esp_app_desc_t: magic word, secure_version, two reserved
# words and version[32] (ESP-IDF esp_app_format.h).
_IMAGE_MAGIC: Final = b"\xe9"
_APP_DESC_MAGIC: Final = 0xABCD5432
_IMAGE_SIZE: Final = 64 * 1024


def firmware_image(version: str, *, size: int = _IMAGE_SIZE) -> bytes:
    """Build an ESP32 app image whose app description names ``version``."""
    header = _IMAGE_MAGIC + bytes(23) + bytes(8)
    app_desc = _APP_DESC_MAGIC.to_bytes(4, "little") + bytes(12)
    name = version.encode("ascii")[:31].ljust(32, b"\0")
    image = header + app_desc + name
    return image + bytes(max(0, size - len(image)))


@dataclass
class Release:
    """One published release: its tag, notes and one firmware asset per build environment."""

    release_id: int
    tag: str
    name: str
    notes: str
    build_envs: tuple[str, ...]
    prerelease: bool = False
    draft: bool = False
    published_at: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass
class ReleaseFaults:
    """Fault switches; they apply from the next request on."""

    status: int | None = None
    """Answer the releases API with this status (403 and 429 as GitHub's rate limit does,
    anything else with GitHub's error body)."""
    broken_image: bool = False
    """Serve assets that are not ESP32 app images (the charger refuses them)."""
    missing_asset: bool = False
    """Answer asset downloads with 404, as for an asset deleted after the release."""


class ReleaseServer:
    """GitHub's releases API and downloads for one repository, over loopback."""

    def __init__(self, *, owner: str = OWNER, repo: str = REPO) -> None:
        """Nothing published, nothing served yet."""
        self.owner = owner
        self.repo = repo
        self.releases: list[Release] = []
        self.faults = ReleaseFaults()
        self.requests: list[tuple[str, str]] = []
        """``(method, path)`` of every request received."""
        self.remaining = RATE_LIMIT
        self._runner: web.AppRunner | None = None
        self._port = 0

    # --- content ---------------------------------------------------------------------------

    def publish(
        self,
        tag: str,
        *,
        notes: str = "",
        name: str | None = None,
        build_envs: tuple[str, ...] = ("openevse_wifi_v1",),
        prerelease: bool = False,
        draft: bool = False,
    ) -> Release:
        """Publish a release (newest last) with a ``<build env>.bin`` asset per environment."""
        release = Release(
            release_id=100_000 + len(self.releases),
            tag=tag,
            name=tag if name is None else name,
            notes=notes,
            build_envs=build_envs,
            prerelease=prerelease,
            draft=draft,
        )
        self.releases.append(release)
        return release

    def latest(self) -> Release | None:
        """What ``/releases/latest`` returns: the newest release that is neither draft nor
        prerelease."""
        published = [r for r in self.releases if not r.draft and not r.prerelease]
        return max(published, key=lambda r: r.published_at, default=None)

    # --- serving ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """Base URL (API and downloads share it here; GitHub uses two hosts)."""
        return f"http://127.0.0.1:{self._port}"

    @property
    def latest_url(self) -> str:
        """The latest-release API URL of the repository."""
        return f"{self.url}/repos/{self.owner}/{self.repo}/releases/latest"

    def api_requests(self) -> int:
        """How many requests reached the releases API."""
        return sum(1 for _, path in self.requests if path.startswith("/repos/"))

    async def start(self) -> None:
        """Listen on a free loopback port."""
        app = web.Application()
        app.router.add_get("/repos/{owner}/{repo}/releases/latest", self._latest)
        app.router.add_get("/{owner}/{repo}/releases/download/{tag}/{name}", self._download)
        app.router.add_get("/storage/{release_id}/{name}", self._asset)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server  # aiohttp exposes the bound port only here
        assert server is not None
        self._port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    async def stop(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        """Start on entry."""
        await self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        """Stop on exit."""
        await self.stop()

    def _record(self, request: web.Request) -> None:
        self.requests.append((request.method, request.path))

    def _error(self, status: int, message: str, **headers: str) -> web.Response:
        body = {"message": message, "documentation_url": DOCS, "status": str(status)}
        return web.json_response(body, status=status, headers=headers)

    def _rate_headers(self) -> dict[str, str]:
        return {
            "x-ratelimit-limit": str(RATE_LIMIT),
            "x-ratelimit-remaining": str(self.remaining),
            "x-ratelimit-used": str(RATE_LIMIT - self.remaining),
            "x-ratelimit-resource": "core",
        }

    async def _latest(self, request: web.Request) -> web.StreamResponse:
        self._record(request)
        info = request.match_info
        if (info["owner"].lower(), info["repo"].lower()) != (
            self.owner.lower(),
            self.repo.lower(),
        ):
            return self._error(404, "Not Found")
        fault = self.faults.status
        if fault in (403, 429) or (fault is None and self.remaining <= 0):
            self.remaining = 0
            return self._error(
                fault or 403,
                "API rate limit exceeded for 127.0.0.1. (But here's the good news: "
                "Authenticated requests get a higher rate limit.)",
                **self._rate_headers(),
            )
        if fault is not None:
            return self._error(fault, "Server Error")
        release = self.latest()
        if release is None:
            return self._error(404, "Not Found")
        payload = self._release_json(release)
        body = json.dumps(payload).encode()
        etag = f'W/"{hashlib.sha256(body).hexdigest()}"'
        if request.headers.get(hdrs.IF_NONE_MATCH) == etag:
            # A conditional request answered 304 does not count against the rate limit.
            return web.Response(status=304, headers={hdrs.ETAG: etag, **self._rate_headers()})
        self.remaining -= 1
        return web.Response(
            body=body,
            content_type="application/json",
            charset="utf-8",
            headers={
                hdrs.ETAG: etag,
                hdrs.CACHE_CONTROL: "public, max-age=60, s-maxage=60",
                **self._rate_headers(),
            },
        )

    def _release_json(self, release: Release) -> dict[str, Any]:
        base = f"{self.url}/repos/{self.owner}/{self.repo}"
        stamp = release.published_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        assets = [
            {
                "url": f"{base}/releases/assets/{release.release_id * 10 + index}",
                "id": release.release_id * 10 + index,
                "name": f"{env}.bin",
                "label": "",
                "content_type": "application/octet-stream",
                "state": "uploaded",
                "size": _IMAGE_SIZE,
                "download_count": 0,
                "created_at": stamp,
                "updated_at": stamp,
                "browser_download_url": (
                    f"{self.url}/{self.owner}/{self.repo}/releases/download/{release.tag}/{env}.bin"
                ),
            }
            for index, env in enumerate(release.build_envs)
        ]
        return {
            "url": f"{base}/releases/{release.release_id}",
            "html_url": f"https://github.com/{self.owner}/{self.repo}/releases/tag/{release.tag}",
            "assets_url": f"{base}/releases/{release.release_id}/assets",
            "id": release.release_id,
            "tag_name": release.tag,
            "target_commitish": "master",
            "name": release.name,
            "body": release.notes,
            "draft": release.draft,
            "prerelease": release.prerelease,
            "created_at": stamp,
            "published_at": stamp,
            "tarball_url": f"{base}/tarball/{release.tag}",
            "zipball_url": f"{base}/zipball/{release.tag}",
            "assets": assets,
        }

    def _find(self, tag: str, name: str) -> Release | None:
        for release in self.releases:
            if release.tag == tag and name in {f"{env}.bin" for env in release.build_envs}:
                return release
        return None

    async def _download(self, request: web.Request) -> web.StreamResponse:
        """github.com answers a release download with a redirect to its storage host."""
        self._record(request)
        info = request.match_info
        release = self._find(info["tag"], info["name"])
        if release is None or self.faults.missing_asset:
            return web.Response(status=404, text="Not Found")
        location = f"{self.url}/storage/{release.release_id}/{info['name']}"
        return web.Response(status=302, headers={hdrs.LOCATION: location})

    async def _asset(self, request: web.Request) -> web.StreamResponse:
        self._record(request)
        info = request.match_info
        release = next((r for r in self.releases if str(r.release_id) == info["release_id"]), None)
        if release is None:
            return web.Response(status=404, text="Not Found")
        image = firmware_image(release.tag)
        if self.faults.broken_image:
            image = b"<html>not a firmware image</html>" + image
        return web.Response(body=image, content_type="application/octet-stream")
