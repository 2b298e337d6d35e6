"""The browser check behind `scripts/screenshot`: the live stack, then Chromium takes pictures.

Starts the simulators and a real Home Assistant as `scripts/develop` does, lets the charger
simulator charge a car and a pump spray, loads the ready dashboard of docs/dashboard.yaml, then
drives headless Chromium (Debian's `chromium` with `playwright-core`) to log in and save, in
docs/: the charger's and the pump's device pages, the dashboard, the calendar (the charger's
timer and the pump's sprays), both options dialogs and the Moogo form after a failed login.
Fails if a page shows a failed card, or if Home Assistant's log has an error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import aiohttp
import yaml

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
DASHBOARD = ROOT / "docs" / "dashboard.yaml"
DASHBOARD_URL = "charger-pump"


async def load_dashboard(api: HomeAssistantApi) -> str:
    """Create a dashboard holding docs/dashboard.yaml; return the path of its view."""
    config: dict[str, Any] = yaml.safe_load(DASHBOARD.read_text(encoding="utf-8"))
    await api.websocket_command(
        {
            "type": "lovelace/dashboards/create",
            "url_path": DASHBOARD_URL,
            "title": config["title"],
            "icon": config["views"][0]["icon"],
        }
    )
    await api.websocket_command(
        {"type": "lovelace/config/save", "url_path": DASHBOARD_URL, "config": config}
    )
    return f"/{DASHBOARD_URL}/{config['views'][0]['path']}"


def plan(
    base_url: str, output: Path, pages: dict[str, str], cloud: MoogoCloudSimulator
) -> dict[str, Any]:
    """What the browser script opens and where it saves each picture."""
    return {
        "baseUrl": base_url,
        "username": USERNAME,
        "password": PASSWORD,
        "shots": [
            {
                # Not for the README: the default dashboard a new user lands on, checked for
                # failed cards like every page.
                "kind": "page",
                "path": "/",
                "waitFor": "Living Room",
                "output": str(ROOT / ".develop" / "screenshot-overview.png"),
                "height": 900,
            },
            {
                "kind": "page",
                "path": pages["charger"],
                "waitFor": "Charging current",
                "output": str(output / "screenshot-charger.png"),
                "height": 2500,
            },
            {
                "kind": "page",
                "path": pages["pump"],
                "waitFor": "Spray duration",
                "output": str(output / "screenshot-pump.png"),
                "height": 1700,
            },
            {
                "kind": "page",
                "path": pages["dashboard"],
                "waitFor": "Misting pump",
                "output": str(output / "screenshot-dashboard.png"),
                "height": 1100,
            },
            {
                # The calendar panel: the charger's timer windows and the pump's sprays.
                "kind": "page",
                "path": "/calendar",
                "waitFor": "Charging schedule",
                "output": str(output / "screenshot-calendar.png"),
                "height": 1100,
            },
            {
                "kind": "options",
                "title": "Values fed to the charger",
                "output": str(output / "screenshot-charger-options.png"),
                "height": 1400,
            },
            {
                "kind": "options",
                "title": "Moogo polling",
                "output": str(output / "screenshot-pump-options.png"),
                "height": 700,
            },
            {
                "kind": "moogo_retry",
                "email": cloud.email,
                "password": "not-the-password",
                "url": cloud.url,
                "output": str(output / "screenshot-moogo-retry.png"),
                "height": 1000,
            },
        ],
    }


async def run(output: Path) -> int:
    """Take the screenshots; return the browser's exit code (or 1 on log errors)."""
    charger = ChargerSimulator()
    cloud = MoogoCloudSimulator(devices=1, spray_confirm_delay=1.0)
    hass = HomeAssistantProcess(config_dir=ROOT / ".develop" / "screenshot", port=free_port())
    # The charger's own timer: weeknights 22:00-06:00 and weekend middays 11:00-15:00.
    for event in (
        {
            "state": "active",
            "time": "22:00",
            "days": ["monday", "tuesday", "wednesday", "thursday"],
        },
        {
            "state": "disabled",
            "time": "06:00",
            "days": ["tuesday", "wednesday", "thursday", "friday"],
        },
        {"state": "active", "time": "11:00", "days": ["saturday", "sunday"]},
        {"state": "disabled", "time": "15:00", "days": ["saturday", "sunday"]},
    ):
        charger.timer.upsert(event, 0)
    charger.schedule_changed(commit=True)
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
            pump_id = await api.render_template("{{ device_id('switch.backyard_spray') }}")
            await api.call_action("openevse_moogo", "spray", {"device_id": pump_id})
            await api.wait_for_state("switch.backyard_spray", "on", within=15)
            for at, days in (("06:30", ["mon", "wed", "fri"]), ("19:45", None)):
                schedule: dict[str, Any] = {"device_id": pump_id, "time": at, "duration": 90}
                if days:
                    schedule["days"] = days
                await api.call_action("openevse_moogo", "add_schedule", schedule)
            await asyncio.sleep(5)  # a few seconds of rising energy and power
            charger_id = await api.render_template("{{ device_id('sensor.openevse_7c40_status') }}")
            pages = {
                "charger": f"/config/devices/device/{charger_id}",
                "pump": f"/config/devices/device/{pump_id}",
                "dashboard": await load_dashboard(api),
            }
        with tempfile.TemporaryDirectory() as scratch:
            plan_file = Path(scratch) / "plan.json"
            plan_file.write_text(json.dumps(plan(hass.url, output, pages, cloud)), encoding="utf-8")
            browser = await asyncio.create_subprocess_exec(
                "node",
                str(ROOT / "scripts" / "screenshot.mjs"),
                str(plan_file),
                env={"BROWSER_TOOLS": str(ROOT / ".node"), "PATH": "/usr/bin:/bin:/usr/local/bin"},
            )
            code = await browser.wait()
    finally:
        await hass.stop()
        await cloud.stop()
        await charger.stop()
    problems = hass.log_problems()
    for line in problems:
        print(f"Home Assistant log: {line}", file=sys.stderr)
    return code or (1 if problems else 0)


def main() -> None:
    """Parse the command line and take the screenshots."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, default=ROOT / "docs", help="folder for the PNGs")
    args = parser.parse_args()
    args.output.mkdir(parents=True, exist_ok=True)
    sys.exit(asyncio.run(run(args.output)))


if __name__ == "__main__":
    main()
