"""The live demo behind `scripts/develop` (run that script, not this module, on a fresh machine).

Starts the charger simulator and the Moogo cloud simulator in scenario mode in this process,
a real Home Assistant beside them with the integration from this working tree, onboards it
with a local demo user, adds a charger and a Moogo account through the integration's real
config flow, prints where to log in, and stops everything on Ctrl-C.

With ``--firmware-release TAG`` it also serves a stand-in of GitHub's firmware releases
(`tests/simulators/github_releases`) publishing TAG with an image for the simulated charger's
board, and points the integration's release check at it (through the demo-only component in
`scripts/develop_components/`): the charger's *Firmware* entity offers the update, and
**Install** has the simulated charger download and flash it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from pathlib import Path

import aiohttp

from tests.e2e.stack import (
    ROOT,
    HomeAssistantApi,
    HomeAssistantProcess,
    add_charger,
    add_moogo_account,
)
from tests.simulators.github_releases import ReleaseServer
from tests.simulators.moogo import MoogoCloudSimulator
from tests.simulators.openevse import ChargerSimulator

DEMO_USER = "demo"
DEMO_PASSWORD = "openevse-moogo"  # noqa: S105  (a documented local demo login)
RELEASE_MIRROR_DIR = ROOT / "scripts" / "develop_components" / "openevse_moogo_release_mirror"
DEMO_RELEASE = "v5.1.6"
"""A release after the simulated charger's v5.1.5."""
DEMO_RELEASE_NOTES = """\
## Demo release
Served by the project's stand-in for GitHub's releases (`tests/simulators/github_releases`),
not a release of the OpenEVSE firmware.

- **Install** has the simulated charger download this release's image for its board and flash
  it, with progress.
- The charger then restarts and reports this version.
"""


def publish_demo_release(
    server: ReleaseServer, charger: ChargerSimulator, tag: str = DEMO_RELEASE
) -> None:
    """Publish ``tag`` with an image for the simulated charger's board (its ``buildenv``)."""
    server.publish(
        tag,
        name=f"OpenEVSE WiFi {tag}",
        notes=DEMO_RELEASE_NOTES,
        build_envs=(str(charger.config["buildenv"]),),
    )


def release_mirror(server: ReleaseServer) -> tuple[str, tuple[Path, ...]]:
    """What points Home Assistant's release check at a started ``server``: the lines for
    configuration.yaml and the component to link (``HomeAssistantProcess``'s extras)."""
    configuration = f"{RELEASE_MIRROR_DIR.name}:\n  url: {server.latest_url}\n"
    return configuration, (RELEASE_MIRROR_DIR,)


async def run(port: int, firmware_release: str | None) -> None:
    """Run the demo until interrupted."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)

    charger = ChargerSimulator()
    cloud = MoogoCloudSimulator(devices=2, spray_confirm_delay=4.0)
    releases = ReleaseServer()
    hass = HomeAssistantProcess(config_dir=ROOT / ".develop" / "config", port=port)
    if firmware_release is not None:
        publish_demo_release(releases, charger, firmware_release)
    scenarios: list[asyncio.Task[None]] = []
    try:
        await charger.start()
        await cloud.start()
        if firmware_release is not None:
            await releases.start()
            hass.extra_configuration, hass.extra_components = release_mirror(releases)
            print(f"Firmware releases:  {releases.latest_url} ({firmware_release})")
        scenarios = [
            asyncio.create_task(charger.run_scenario()),
            asyncio.create_task(cloud.run_scenario()),
        ]
        print(f"Charger simulator:  {charger.url}")
        print(f"Moogo cloud simul.: {cloud.url}")
        print("Starting Home Assistant ...")
        await hass.start()
        async with aiohttp.ClientSession() as session:
            api = HomeAssistantApi(session, hass.url)
            await api.onboard(name="Demo", username=DEMO_USER, password=DEMO_PASSWORD)
            await add_charger(api, port=charger.port)
            await add_moogo_account(
                api, email=cloud.email, password=cloud.password, cloud_url=cloud.url
            )
        print()
        print(f"  Home Assistant:  {hass.url}")
        print(f"  Log in as:       {DEMO_USER} / {DEMO_PASSWORD}")
        print("  A charger charges a car and two pumps spray on schedule. Ctrl-C stops it all.")
        print()
        await stop.wait()
    finally:
        print("Stopping ...")
        for task in scenarios:
            task.cancel()
        for task in scenarios:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await hass.stop()
        await releases.stop()
        await cloud.stop()
        await charger.stop()


def main() -> None:
    """Parse the command line and run the demo."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8123, help="Home Assistant's HTTP port")
    parser.add_argument(
        "--firmware-release",
        nargs="?",
        const=DEMO_RELEASE,
        metavar="TAG",
        help=f"offer this firmware release to the charger (default {DEMO_RELEASE})",
    )
    args = parser.parse_args()
    asyncio.run(run(args.port, args.firmware_release))


if __name__ == "__main__":
    main()
