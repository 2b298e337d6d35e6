"""The browser check behind `scripts/screenshot`: the live stack, then Chromium takes pictures.

Starts the simulators and a real Home Assistant as `scripts/develop` does, lets the charger
simulator charge a car and a pump spray, loads the ready dashboard of docs/dashboard.yaml, then
drives headless Chromium (Debian's `chromium` with `playwright-core`) to log in and save, in
docs/: the charger's and the pump's device pages, the dashboard, the calendar (the charger's
timer, the charge plan's runs and the pump's sprays), both options dialogs, the Moogo form after
a failed login, the charger's firmware update dialog (a stand-in GitHub release server offers a
newer release) and its charge plan (planned on day-ahead prices set as a sensor's ``prices``).
Fails if a page shows a failed card, or if Home Assistant's log has an error.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import yaml

from scripts.develop import publish_demo_release, release_mirror
from tests.e2e.stack import (
    ROOT,
    HomeAssistantApi,
    HomeAssistantError,
    HomeAssistantProcess,
    add_charger,
    add_moogo_account,
    free_port,
)
from tests.simulators.github_releases import ReleaseServer
from tests.simulators.moogo import MoogoCloudSimulator
from tests.simulators.openevse import ChargerSimulator

USERNAME = "demo"
PASSWORD = "openevse-moogo"  # noqa: S105  (a throwaway local login)
DASHBOARD = ROOT / "docs" / "dashboard.yaml"
DASHBOARD_URL = "charger-pump"
TIME_ZONE = ZoneInfo("Europe/Amsterdam")
"""The demo's time zone (tests/e2e/stack.py's configuration.yaml)."""
CHARGER = "openevse_7c40"
"""The simulated charger's entity id prefix."""
PRICES = "sensor.day_ahead_price"
# A winter weekday's day-ahead prices per local hour (EUR/kWh): cheap at night and midday,
# dear in the morning and evening peaks.
HOURLY_PRICES = (
    0.11, 0.10, 0.09, 0.09, 0.10, 0.12, 0.21, 0.27, 0.25, 0.20, 0.16, 0.13,
    0.12, 0.12, 0.14, 0.18, 0.24, 0.31, 0.34, 0.30, 0.25, 0.20, 0.16, 0.13,
)  # fmt: skip
PRICE_HOURS = 30
CHEAP_NOW = 0.06
"""The price of the coming hour, the cheapest: the plan charges the car at once, so the other
pictures show it charging, and again in the night's cheapest hours."""


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


def day_ahead_prices(now: datetime) -> list[dict[str, Any]]:
    """Quarter-hour prices from the current quarter on, in the generic ``{start, end, price}``
    format of the README's charge plan section."""
    local = now.astimezone(TIME_ZONE)
    start = local.replace(minute=local.minute - local.minute % 15, second=0, microsecond=0)
    prices = []
    for index in range(PRICE_HOURS * 4):
        begin = start + timedelta(minutes=15 * index)
        price = CHEAP_NOW if index < 4 else HOURLY_PRICES[begin.hour] + 0.004 * (index % 4)
        prices.append(
            {
                "start": begin.isoformat(),
                "end": (begin + timedelta(minutes=15)).isoformat(),
                "price": round(price, 3),
            }
        )
    return prices


async def set_up_charge_plan(api: HomeAssistantApi, entry_id: str) -> None:
    """Publish the prices, pick them in the charger's options, then plan 15 kWh by a departure
    ten hours ahead."""
    prices = day_ahead_prices(datetime.now(TIME_ZONE))
    await api.set_state(
        PRICES,
        str(prices[0]["price"]),
        {
            "prices": prices,
            "unit_of_measurement": "EUR/kWh",
            "friendly_name": "Day-ahead price",
            "icon": "mdi:currency-eur",
        },
    )
    switch = f"switch.{CHARGER}_charge_plan"
    before = (await api.state(switch))["last_changed"]
    await api.options_flow(entry_id, {"price_entity": PRICES})
    # The options reload the entry (after the flow has answered): wait for the entities to be
    # back, a fresh state each, before setting them.
    async with asyncio.timeout(60):
        while True:
            with contextlib.suppress(HomeAssistantError):
                state = await api.state(switch)
                if state["last_changed"] != before and state["state"] == "off":
                    break
            await asyncio.sleep(0.25)
    departure = datetime.now(TIME_ZONE) + timedelta(hours=10)
    departure = departure.replace(minute=30 if departure.minute >= 30 else 0)
    await api.call_action(
        "time",
        "set_value",
        {"entity_id": f"time.{CHARGER}_departure", "time": departure.strftime("%H:%M:00")},
    )
    await api.call_action(
        "number", "set_value", {"entity_id": f"number.{CHARGER}_plan_energy_to_add", "value": 15}
    )
    await api.call_action("switch", "turn_on", {"entity_id": switch})
    await api.wait_for_state(f"sensor.{CHARGER}_plan_status", "charging", within=60)


def plan(
    base_url: str, output: Path, pages: dict[str, str], cloud: MoogoCloudSimulator
) -> dict[str, Any]:
    """What the browser script opens and where it saves each picture."""
    return {
        "baseUrl": base_url,
        "username": USERNAME,
        "password": PASSWORD,
        "timeZone": str(TIME_ZONE),
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
                # The charge plan: on the charger's page its settings among the controls, its
                # status, next start, end, energy and cost among the sensors; under it the
                # plan's runs on the calendar (a list, without the other calendars).
                "kind": "stack",
                "output": str(output / "screenshot-charge-plan.png"),
                "parts": [
                    {
                        "kind": "page",
                        "path": pages["charger"],
                        "waitFor": "Plan status",
                        "clipTo": "Planned charging",
                        "height": 2700,
                    },
                    {
                        "kind": "calendar",
                        "waitFor": "Planned charging",
                        "hide": ["Backyard Spray schedule", "openevse-7c40 Charging schedule"],
                        "view": "List (7 days)",
                        "expect": ".fc-list-event",
                        "height": 720,
                    },
                ],
            },
            {
                # The firmware update dialog: the stand-in server's release, its notes, Install.
                "kind": "more_info",
                "path": pages["charger"],
                "waitFor": "Charging current",
                "entityId": f"update.{CHARGER}_firmware",
                "expect": ["Update available", "Demo release"],
                "output": str(output / "screenshot-charger-update.png"),
                "height": 900,
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
    releases = ReleaseServer()
    publish_demo_release(releases, charger)
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
    await releases.start()
    hass.extra_configuration, hass.extra_components = release_mirror(releases)
    try:
        await hass.start()
        async with aiohttp.ClientSession() as session:
            api = HomeAssistantApi(session, hass.url)
            await api.onboard(name="Demo", username=USERNAME, password=PASSWORD)
            charger_entry = await add_charger(api, port=charger.port)
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
            await set_up_charge_plan(api, charger_entry["result"]["entry_id"])
            await api.wait_for_state(f"update.{CHARGER}_firmware", "on", within=30)
            charger_id = await api.render_template(
                "{{ device_id('sensor." + CHARGER + "_status') }}"
            )
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
        await releases.stop()
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
