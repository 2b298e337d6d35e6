"""The endless demo story the simulator plays for a developer watching Home Assistant.

Each pump, staggered by its position so they do not move in lockstep, goes round a loop of
``step``-second beats: the weather drifts (temperature and humidity follow a slow wave), a
scheduled spray runs, the concentrate runs low and is refilled, and now and then the pump drops
off Wi-Fi for one beat. Every pump also gets a daily dusk schedule so the schedule view is real.
"""

from __future__ import annotations

import asyncio
import math
from typing import TYPE_CHECKING

from .schedules import Schedule

if TYPE_CHECKING:
    from .server import MoogoCloudSimulator

LOOP_BEATS = 12  # one full story per pump, in beats
DUSK = (19, 30)


async def play(simulator: MoogoCloudSimulator, *, step: float) -> None:
    """Run the story forever (until the task is cancelled)."""
    beat = 0
    while True:
        for position, device_id in enumerate(simulator.device_ids):
            _ensure_dusk_schedule(simulator, device_id)
            _beat(simulator, device_id, (beat + 3 * position) % LOOP_BEATS, step)
        beat += 1
        await asyncio.sleep(step)


def _ensure_dusk_schedule(simulator: MoogoCloudSimulator, device_id: str) -> None:
    device = simulator._advanced(device_id)
    if any((item.hour, item.minute) == DUSK for item in device.schedules):
        return
    if len(device.schedules) >= 20:
        return
    device.schedules.append(
        Schedule(
            schedule_id=device.next_id("S"),
            hour=DUSK[0],
            minute=DUSK[1],
            duration=60,
            repeat_days=(0, 1, 2, 3, 4, 5, 6),
            enabled=True,
            updated_at=int(simulator.now()),
        )
    )


def _beat(simulator: MoogoCloudSimulator, device_id: str, phase: int, step: float) -> None:
    angle = 2 * math.pi * phase / LOOP_BEATS
    simulator.set_temperature(device_id, 24 + 5 * math.sin(angle))
    simulator.set_humidity(device_id, round(60 - 15 * math.sin(angle)))
    simulator.set_rssi(device_id, -60 + round(4 * math.cos(3 * angle)))
    if phase == 1:
        simulator.start_scheduled_spray(device_id, max(5, round(2 * step)))
    elif phase == 4:
        simulator.set_levels(device_id, concentrate_low=True)
    elif phase == 7:
        simulator.set_levels(device_id, concentrate_low=False)
    elif phase == 9:
        simulator.set_online(device_id, False)
    elif phase == 10:
        simulator.set_online(device_id, True)
