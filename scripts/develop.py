"""The live demo behind `scripts/develop` (run that script, not this module, on a fresh machine).

Starts the charger simulator and the Moogo cloud simulator in scenario mode in this process,
a real Home Assistant beside them with the integration from this working tree, onboards it
with a local demo user, adds a charger and a Moogo account through the integration's real
config flow, prints where to log in, and stops everything on Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal

import aiohttp

from tests.e2e.stack import (
    ROOT,
    HomeAssistantApi,
    HomeAssistantProcess,
    add_charger,
    add_moogo_account,
)
from tests.simulators.moogo import MoogoCloudSimulator
from tests.simulators.openevse import ChargerSimulator

DEMO_USER = "demo"
DEMO_PASSWORD = "openevse-moogo"  # noqa: S105  (a documented local demo login)


async def run(port: int) -> None:
    """Run the demo until interrupted."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)

    charger = ChargerSimulator()
    cloud = MoogoCloudSimulator(devices=2, spray_confirm_delay=4.0)
    hass = HomeAssistantProcess(config_dir=ROOT / ".develop" / "config", port=port)
    scenarios: list[asyncio.Task[None]] = []
    try:
        await charger.start()
        await cloud.start()
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
        await cloud.stop()
        await charger.stop()


def main() -> None:
    """Parse the command line and run the demo."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8123, help="Home Assistant's HTTP port")
    args = parser.parse_args()
    asyncio.run(run(args.port))


if __name__ == "__main__":
    main()
