"""The browser check behind `scripts/screenshot`: the live stack, then Chromium takes a picture.

Starts the simulators and a real Home Assistant as `scripts/develop` does, lets the charger
simulator plug in and charge a car, then drives headless Chromium (Debian's `chromium` with
`playwright-core`) to log in and save the charger's device page as docs/screenshot-charger.png.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

import aiohttp

from tests.e2e.stack import (
    ROOT,
    HomeAssistantApi,
    HomeAssistantProcess,
    add_charger,
    add_moogo_account,
    free_port,
)
from tests.simulators.moogo import MoogoCloudSimulator
from tests.simulators.openevse import ChargerSimulator

USERNAME = "demo"
PASSWORD = "openevse-moogo"  # noqa: S105  (a throwaway local login)


async def run(output: Path) -> int:
    """Take the screenshot; return the browser's exit code."""
    charger = ChargerSimulator()
    cloud = MoogoCloudSimulator(devices=1)
    hass = HomeAssistantProcess(config_dir=ROOT / ".develop" / "screenshot", port=free_port())
    await charger.start()
    await cloud.start()
    try:
        await hass.start()
        async with aiohttp.ClientSession() as session:
            api = HomeAssistantApi(session, hass.url)
            await api.onboard(name="Demo", username=USERNAME, password=PASSWORD)
            await add_charger(api, port=charger.port)
            await add_moogo_account(
                api, email=cloud.email, password=cloud.password, cloud_url=cloud.url
            )
            await charger.plug_in()
            await charger.start_charging()
            await asyncio.sleep(5)  # a few seconds of rising energy and power
            device_id = await api.render_template("{{ device_id('sensor.openevse_7c40_status') }}")
        browser = await asyncio.create_subprocess_exec(
            "node",
            str(ROOT / "scripts" / "screenshot.mjs"),
            hass.url,
            USERNAME,
            PASSWORD,
            f"/config/devices/device/{device_id}",
            str(output),
            env={"BROWSER_TOOLS": str(ROOT / ".node"), "PATH": "/usr/bin:/bin:/usr/local/bin"},
        )
        return await browser.wait()
    finally:
        await hass.stop()
        await cloud.stop()
        await charger.stop()


def main() -> None:
    """Parse the command line and take the screenshot."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "screenshot-charger.png")
    args = parser.parse_args()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    sys.exit(asyncio.run(run(args.output)))


if __name__ == "__main__":
    main()
