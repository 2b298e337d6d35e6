"""A day of household current on one phase, second by second, made from seeded appliances.

The load is what a circuit's other-load sensor would measure: a standby base that drifts, a
fridge compressor, a heat pump cycling (more often in the cold morning and evening, with a
start-up surge), and the steps of cooking (kettle, hob plates switched on and off, an oven
holding its temperature), a washing machine and a dishwasher heating water. Each appliance is
a list of (start, seconds, amps) blocks added onto the base, so jumps are real steps, as a
sensor sees them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

DAY_S = 24 * 3600


@dataclass(frozen=True, slots=True)
class Block:
    """An appliance drawing ``amps`` from ``start`` for ``seconds``."""

    name: str
    start: int
    seconds: int
    amps: float


def _at(hours: float) -> int:
    return int(hours * 3600)


def _heat_pump(rng: random.Random) -> list[Block]:
    """Compressor cycles: 15-25 min on, 20-45 min off (10-20 min off in the cold hours)."""
    blocks: list[Block] = []
    t = rng.randrange(0, 1800)
    while t < DAY_S:
        on = rng.randrange(900, 1500)
        cold = t < _at(8) or t > _at(17)
        blocks.append(Block("heat pump surge", t, 3, 14.0))
        blocks.append(Block("heat pump", t + 3, on - 3, rng.uniform(7.5, 9.5)))
        t += on + (rng.randrange(600, 1200) if cold else rng.randrange(1200, 2700))
    return blocks


def _fridge(rng: random.Random) -> list[Block]:
    blocks: list[Block] = []
    t = rng.randrange(0, 1200)
    while t < DAY_S:
        on = rng.randrange(480, 720)
        blocks.append(Block("fridge", t, on, 0.8))
        t += on + rng.randrange(900, 1500)
    return blocks


def _plates(rng: random.Random, start: int, minutes: int, count: int) -> list[Block]:
    """Hob plates switched on one after another, each cycling its thermostat."""
    blocks: list[Block] = []
    for plate in range(count):
        t = start + plate * rng.randrange(60, 300)
        end = start + minutes * 60
        amps = rng.choice((5.0, 6.0, 7.0))
        while t < end:
            on = rng.randrange(120, 420)
            blocks.append(Block("hob", t, min(on, end - t), amps))
            t += on + rng.randrange(30, 150)
            amps = rng.choice((3.0, 4.0, amps))  # turned down once boiling
    return blocks


def _oven(rng: random.Random, start: int, minutes: int) -> list[Block]:
    blocks = [Block("oven preheat", start, 600, 10.5)]
    t = start + 600
    end = start + minutes * 60
    while t < end:
        on = rng.randrange(120, 300)
        blocks.append(Block("oven", t, min(on, end - t), 10.5))
        t += on + rng.randrange(120, 300)
    return blocks


def _cooking(rng: random.Random) -> list[Block]:
    blocks = [
        Block("kettle", _at(6.9) + rng.randrange(600), 180, 9.5),
        Block("toaster", _at(7.0) + rng.randrange(600), 150, 4.0),
        Block("coffee", _at(7.1) + rng.randrange(300), 90, 6.0),
        Block("kettle", _at(15.5) + rng.randrange(1800), 180, 9.5),
        Block("kettle", _at(17.7) + rng.randrange(600), 180, 9.5),
        Block("kettle", _at(21.5) + rng.randrange(900), 180, 9.5),
    ]
    blocks += _plates(rng, _at(12.25) + rng.randrange(600), 30, 2)
    blocks += _oven(rng, _at(18.0) + rng.randrange(600), 70)
    blocks += _plates(rng, _at(18.6) + rng.randrange(600), 40, 2)
    return blocks


def _appliances(rng: random.Random) -> list[Block]:
    return [
        Block("washing machine heater", _at(10.0) + rng.randrange(1800), 1200, 9.0),
        Block("washing machine", _at(10.0) + 1800, 3000, 1.2),
        Block("dishwasher heater", _at(20.5) + rng.randrange(1200), 900, 8.7),
        Block("dishwasher heater", _at(21.4) + rng.randrange(600), 600, 8.7),
        Block("hair dryer", _at(7.3) + rng.randrange(900), 300, 7.5),
    ]


def house_blocks(seed: int = 13) -> list[Block]:
    """Every appliance block of one day, for the trace and for describing it."""
    rng = random.Random(seed)
    return _heat_pump(rng) + _fridge(rng) + _cooking(rng) + _appliances(rng)


def house_trace(seed: int = 13, seconds: int = DAY_S) -> list[float]:
    """The household's current in amperes for every second of the day."""
    rng = random.Random(seed + 1)
    delta = [0.0] * (seconds + 1)
    for block in house_blocks(seed):
        if block.start >= seconds:
            continue
        delta[block.start] += block.amps
        delta[min(seconds, block.start + block.seconds)] -= block.amps
    trace: list[float] = []
    level = 0.0
    base = 1.2
    for t in range(seconds):
        level += delta[t]
        if t % 60 == 0:  # standby, lights, electronics: a slow drift
            base = min(2.5, max(0.6, base + rng.uniform(-0.15, 0.15)))
        trace.append(round(base + level, 2))
    return trace
