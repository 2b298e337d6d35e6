"""The simulated world of the soak: three chargers and one Moogo account with six pumps, and what
each entity should show according to the simulators.

The truth is read from the simulators' live state (what the device or the cloud would answer
right now), never from what Home Assistant was sent. Each checked entity has a kind with a bound:
how far Home Assistant may be from the truth at one instant (a charger's values move every second
while it charges, so a numeric one may be one tick behind).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.simulators.moogo import MoogoCloudSimulator
from tests.simulators.openevse import ChargerSimulator

# Distinct serials (entity ids openevse_7c41 ...) on distinct loopback addresses.
CHARGERS = (
    ("A4CF12B37C41", "127.0.0.1"),
    ("A4CF12B37C42", "127.0.0.2"),
    ("A4CF12B37C43", "127.0.0.3"),
)
PUMPS = 6
SCENARIO_STEP = 20.0  # seconds per beat of the pumps' demo story (the default)
GATEWAY_RESTART_DOWNTIME = 1.0  # what the Restart gateway button costs: a 1 s reboot

STATUS_NAMES = {
    0: "starting",
    1: "not_connected",
    2: "connected",
    3: "charging",
    4: "vent_required",
    5: "diode_check_failed",
    6: "gfci_fault",
    7: "no_ground",
    8: "stuck_relay",
    9: "gfci_self_test_failed",
    10: "over_temperature",
    11: "over_current",
    254: "sleeping",
    255: "disabled",
}
CHARGING = 3

# Per-kind bounds at one instant. Voltage: the simulator jitters it by +-1.5 V each 1 s tick, so
# one tick apart differ by at most 3 V. Lifetime energy: at most ~2 Wh per tick at 32 A, so 5 ticks
# apart differ by less than 0.01 kWh. Everything else must be equal.
VOLTAGE_BOUND = 3.0
ENERGY_BOUND_KWH = 0.01


def _on(value: bool) -> str:
    return "on" if value else "off"


def _numeric(state: str, truth: float, bound: float) -> bool:
    try:
        return abs(float(state) - truth) <= bound
    except ValueError:
        return False


@dataclass(frozen=True)
class Check:
    """One entity compared with its truth: ``matches(state, attributes)``, ``expected`` to show."""

    key: str
    expected: str
    matches: Callable[[str, dict[str, Any]], bool]


def charger_checks(charger: ChargerSimulator) -> list[Check]:
    """What a charger's checked entities should show now."""
    status = charger.status
    state = status.get("state")
    name = STATUS_NAMES.get(state, "unknown") if isinstance(state, int) else "unknown"
    voltage = float(status["voltage"])
    energy = float(status["total_energy"])
    plugged = _on(status.get("vehicle") == 1)
    charging = _on(state == CHARGING)
    push = _on(charger.ws_connections > 0 and not charger.faults.half_open)

    def energy_matches(value: str, attributes: dict[str, Any]) -> bool:
        scale = 1000.0 if attributes.get("unit_of_measurement") == "Wh" else 1.0
        return _numeric(value, energy * scale, ENERGY_BOUND_KWH * scale)

    return [
        Check("status", name, lambda value, _a: value == name),
        Check("voltage", f"{voltage}", lambda value, _a: _numeric(value, voltage, VOLTAGE_BOUND)),
        Check("total_energy", f"{energy}", energy_matches),
        Check("vehicle_plugged_in", plugged, lambda value, _a: value == plugged),
        Check("charging", charging, lambda value, _a: value == charging),
        Check("push_connection", push, lambda value, _a: value == push),
    ]


def pump_checks(cloud: MoogoCloudSimulator, device_id: str) -> list[Check]:
    """What a pump's checked entities should show now (read from the cloud, which is the truth)."""
    status = cloud.device(device_id)
    temperature = float(status["temperature"])
    humidity = float(status["humidity"])
    online = _on(status["onlineStatus"] == 1)
    spraying = _on(status["runStatus"] == 1)
    water_low = _on(status["water_level"] == 0)
    concentrate_low = _on(status["liquid_level"] == 0)
    return [
        Check("online", online, lambda value, _a: value == online),
        Check("temperature", f"{temperature}", lambda v, _a: _numeric(v, temperature, 0.0)),
        Check("humidity", f"{humidity}", lambda v, _a: _numeric(v, humidity, 0.0)),
        Check("spray", spraying, lambda value, _a: value == spraying),
        Check("water_low", water_low, lambda value, _a: value == water_low),
        Check("concentrate_low", concentrate_low, lambda value, _a: value == concentrate_low),
    ]


def _cloud() -> MoogoCloudSimulator:
    cloud = MoogoCloudSimulator(devices=PUMPS, spray_confirm_delay=4.0)
    # The soak expires tokens many times an hour (a real token lives a year), so the cloud's
    # realistic daily cap of 10 logins would end the run's cloud lane early; the cap is its own
    # fault, injected last (``faults._login_cap``).
    cloud.faults.login_cap_after = None
    return cloud


@dataclass
class World:
    """The simulators, running their scenarios in this process."""

    chargers: list[ChargerSimulator] = field(default_factory=list)
    cloud: MoogoCloudSimulator = field(default_factory=_cloud)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)
    """Every token the cloud issued (collected by ``collect_tokens``, for the secret scan)."""

    async def start(self) -> None:
        for serial, host in CHARGERS:
            charger = ChargerSimulator(
                serial=serial, tick=1.0, restart_downtime=GATEWAY_RESTART_DOWNTIME
            )
            await charger.start(host)
            charger.start_scenario()
            self.chargers.append(charger)
        await self.cloud.start()
        self._tasks.append(asyncio.create_task(self.cloud.run_scenario(step=SCENARIO_STEP)))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        for charger in self.chargers:
            charger.faults.clear()
        self.clear_cloud_faults()
        await self.cloud.stop()
        for charger in self.chargers:
            await charger.stop()

    def clear_cloud_faults(self) -> None:
        faults = self.cloud.faults
        for name, value in type(faults)().__dict__.items():
            setattr(faults, name, value)
        faults.login_cap_after = None  # lifted for the whole soak (see ``_cloud``)

    def collect_tokens(self) -> None:
        self.tokens.update(self.cloud._tokens)

    def logins_today(self) -> int:
        return self.cloud.login_attempts_today()

    @property
    def pump_ids(self) -> list[str]:
        return self.cloud.device_ids

    def secrets(self) -> dict[str, str]:
        """What must never appear in Home Assistant's log, by what it is."""
        found = {
            "account password": self.cloud.password,
            "account e-mail": self.cloud.email,
            "account user id": self.cloud.user_id,
        }
        for index, token in enumerate(sorted(self.tokens)):
            found[f"cloud token {index + 1}"] = token
        return found
