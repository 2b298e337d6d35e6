"""A stand-in for GitHub's releases API and release downloads, served over loopback.

It serves what the charger firmware update needs from GitHub, as GitHub serves it (see
FIDELITY.md): the latest release of a repository (``GET /repos/{owner}/{repo}/releases/latest``)
and its asset downloads (``/{owner}/{repo}/releases/download/{tag}/{name}``, redirected to the
storage host as GitHub does). Each asset is an ESP32 app image whose app description names the
release's tag, so a simulated charger that flashes it reports that version after its reboot.

Usage in tests::

    server = ReleaseServer()
    server.publish("v5.1.6", notes="## Fixes\\n- ...", build_envs=("openevse_wifi_v1",))
    await server.start()         # server.latest_url is what the integration is pointed at
    server.faults.status = 403   # answer the API like an exhausted rate limit
    await server.stop()
"""

from .server import Release, ReleaseFaults, ReleaseServer, firmware_image

__all__ = ["Release", "ReleaseFaults", "ReleaseServer", "firmware_image"]
