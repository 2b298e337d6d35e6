"""A day on one circuit in virtual time, second by second, under one of three policies.

- ``run_ours``: the circuit's allocator and sequencer as the integration will run them. A
  command reaches its charger one second after it is sent and the charger's answer (its claim
  read back) arrives with it; the house sensor reports every ``sensor_period_s``; the chargers'
  own current readings arrive every second (their websocket). Optional incidents: a member's
  network lost (commands dropped; noticed ``detect_s`` later) and Home Assistant down (nothing
  runs; the chargers keep their claims; on its return the sequencer starts from the claims read
  back and the allocator from no history).
- ``run_static``: every charger holds a fixed equal share of the limit less the margin.
- ``run_ideal``: written here independently of the allocator: perfect knowledge of the house
  load and of what each car would draw, no delays, the whole breaker limit shared among the cars
  every second (each at least 6 A or paused, continuous currents, max-min fair).

Every policy drives its own cars (same visits, same batteries), so a car given less takes less
energy home when it leaves.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from custom_components.openevse_moogo.circuit.allocation import allocate
from custom_components.openevse_moogo.circuit.fallback import FallbackMode, static_shares
from custom_components.openevse_moogo.circuit.model import (
    AllocatorState,
    Circuit,
    Member,
    OtherLoad,
    Vehicle,
)
from custom_components.openevse_moogo.circuit.transition import Command, Sequencer, Step

from .car import J1772_MIN_AMPS, VOLTS, Car, CarSpec, Visit


@dataclass(frozen=True, slots=True)
class Outage:
    """``member_id`` (or Home Assistant, for None) unreachable from ``start`` for ``seconds``."""

    start: int
    seconds: int
    member_id: str | None = None

    def covers(self, t: int) -> bool:
        return self.start <= t < self.start + self.seconds


@dataclass(frozen=True)
class Scenario:
    """One circuit, its chargers' visits and the house load of every second."""

    house: Sequence[float]
    visits: Mapping[str, Sequence[tuple[CarSpec, Visit]]]
    limit_amps: float = 40.0
    margin_amps: float = 1.0
    charger_max_amps: int = 32
    sensor_period_s: int = 1
    network_loss: Outage | None = None
    ha_down: Outage | None = None
    detect_s: int = 5  # from a charger's network loss until its coordinator marks it lost

    @property
    def seconds(self) -> int:
        return len(self.house)

    @property
    def circuit(self) -> Circuit:
        return Circuit(limit_amps=self.limit_amps, margin_amps=self.margin_amps)


@dataclass
class Run:
    """What one policy did, second by second."""

    name: str
    draws: list[float] = field(default_factory=list)  # all chargers together
    energy_kwh: dict[str, float] = field(default_factory=dict)  # by car
    commands: int = 0
    member_draws: dict[str, list[float]] = field(default_factory=dict)  # by charger
    claims: dict[str, list[int]] = field(default_factory=dict)  # our claim in force, by charger

    def total(self, house: Sequence[float], t: int) -> float:
        return house[t] + self.draws[t]


class _Cars:
    """The cars of every charger, plugged in and out by the visits."""

    def __init__(self, scenario: Scenario) -> None:
        self.visits = scenario.visits
        self.plugged: dict[str, Car | None] = dict.fromkeys(scenario.visits)
        self.energy: dict[str, float] = {}

    def update(self, t: int) -> None:
        for member_id, visits in self.visits.items():
            car = None
            for spec, visit in visits:
                if visit.arrive <= t < visit.leave:
                    current = self.plugged[member_id]
                    same = current is not None and current.spec is spec
                    car = current if same else Car(spec, visit.soc)
            self.plugged[member_id] = car

    def record(self, run: Run) -> float:
        total = 0.0
        for member_id, car in self.plugged.items():
            run.member_draws.setdefault(member_id, []).append(car.draw if car else 0.0)
            if car is not None:
                self.energy[car.spec.name] = (
                    self.energy.get(car.spec.name, 0.0) + car.draw * VOLTS / 3.6e6
                )
                total += car.draw
        return total


def run_static(scenario: Scenario) -> Run:
    """Each charger holds ``(limit - margin) / chargers`` whatever the house draws."""
    share = math.floor((scenario.limit_amps - scenario.margin_amps) / len(scenario.visits))
    cars = _Cars(scenario)
    run = Run("static equal split")
    for t in range(scenario.seconds):
        cars.update(t)
        for car in cars.plugged.values():
            if car is not None:
                car.step(share)
        run.draws.append(cars.record(run))
    run.energy_kwh = cars.energy
    return run


def ideal_split(limit: float, wanted: Sequence[float]) -> list[float]:
    """Max-min fair continuous currents within ``limit``: 6 A or more each, or paused.

    A car wanting less than 6 A draws what it wants at a 6 A pilot. When not every car fits,
    the cars wanting most are admitted first (most energy per admitted car).
    """
    order = sorted(range(len(wanted)), key=lambda i: -wanted[i])
    admitted: list[int] = []
    room = limit
    for i in order:
        need = min(J1772_MIN_AMPS, wanted[i])
        if wanted[i] > 0 and need <= room:
            admitted.append(i)
            room -= need
    out = [0.0] * len(wanted)
    if not admitted:
        return out

    # Water level L: each admitted car draws min(wanted, max(6, L)); find L by bisection.
    def drawn(level: float) -> float:
        return sum(min(wanted[i], max(J1772_MIN_AMPS, level)) for i in admitted)

    if drawn(max(wanted)) <= limit:
        level = max(wanted)
    else:
        low, high = 0.0, max(wanted)
        for _ in range(60):
            mid = (low + high) / 2
            low, high = (mid, high) if drawn(mid) <= limit else (low, mid)
        level = low
    for i in admitted:
        out[i] = min(wanted[i], max(J1772_MIN_AMPS, level))
    return out


def run_ideal(scenario: Scenario) -> Run:
    """Perfect knowledge, no delays, the whole breaker limit."""
    cars = _Cars(scenario)
    run = Run("ideal")
    ids = list(scenario.visits)
    for t in range(scenario.seconds):
        cars.update(t)
        wanted = [
            min(scenario.charger_max_amps, c.wanted()) if (c := cars.plugged[i]) else 0.0
            for i in ids
        ]
        split = ideal_split(max(0.0, scenario.limit_amps - scenario.house[t]), wanted)
        for member_id, amps in zip(ids, split, strict=True):
            car = cars.plugged[member_id]
            if car is not None:
                car.charge(amps)
        run.draws.append(cars.record(run))
    run.energy_kwh = cars.energy
    return run


@dataclass
class _Charger:
    claim: int = 0  # our claim in force (0: paused)
    soft_max: int = 32


class _Integration:
    """The circuit's side: allocator, sequencer, what the coordinators last saw."""

    def __init__(self, scenario: Scenario, mode: FallbackMode, run: Run) -> None:
        self.scenario = scenario
        self.circuit = scenario.circuit
        self.ids = list(scenario.visits)
        bare = [Member(i, max_amps=scenario.charger_max_amps) for i in self.ids]
        self.plan = static_shares(self.circuit, bare, mode)
        self.chargers = {
            i: _Charger(soft_max=min(scenario.charger_max_amps, self.plan.ceiling(m)))
            for i, m in zip(self.ids, bare, strict=True)
        }
        self.run = run
        self.in_flight: list[tuple[int, Command]] = []
        self.last_seen_draw: dict[str, tuple[float, int]] = dict.fromkeys(self.ids, (0.0, 0))
        self.reading, self.read_at = scenario.house[0], 0
        self.restart()

    def restart(self) -> None:
        """Start as Home Assistant does: claims read back, no allocator history."""
        members = [
            Member(i, confirmed_amps=c.claim, commanded_amps=c.claim)
            for i, c in self.chargers.items()
        ]
        self.seq = Sequencer(self.circuit, members, lower_timeout_s=10, raise_timeout_s=10)
        self.state = AllocatorState()
        self.known_lost: set[str] = set()
        self.signature: object = None
        self.allocated_at = -10

    def send(self, step: Step, t: int) -> None:
        for command in step.commands:
            self.run.commands += 1
            self.in_flight.append((t + 1, command))

    def deliver(self, t: int, lost_now: set[str]) -> list[tuple[str, int, int]]:
        """Commands due now reach their chargers (unless lost); their answers come back."""
        answers = []
        due = [f for f in self.in_flight if f[0] <= t]
        self.in_flight = [f for f in self.in_flight if f[0] > t]
        for _, command in due:
            if command.member_id in lost_now:
                continue  # dropped on the way
            self.chargers[command.member_id].claim = command.amps
            answers.append((command.member_id, command.amps, command.seq))
        return answers

    def notice_network(self, t: int, lost_now: set[str]) -> None:
        loss = self.scenario.network_loss
        if loss is None or loss.member_id is None:
            return
        member_id = loss.member_id
        if member_id in lost_now and t >= loss.start + self.scenario.detect_s:
            if member_id not in self.known_lost:
                self.known_lost.add(member_id)
                self.send(self.seq.lose(member_id, t), t)
        elif member_id in self.known_lost and member_id not in lost_now:
            self.known_lost.discard(member_id)
            self.send(self.seq.confirm(member_id, self.chargers[member_id].claim, t), t)

    def members(self, t: int, cars: _Cars, lost_now: set[str]) -> list[Member]:
        members = []
        for i in self.ids:
            car = cars.plugged[i]
            if i not in lost_now:
                self.last_seen_draw[i] = (car.draw if car else 0.0, t)
            draw, seen_at = self.last_seen_draw[i]
            if car is None:
                vehicle = Vehicle.UNPLUGGED
            else:
                vehicle = Vehicle.CHARGING if car.draw > 0.5 else Vehicle.PLUGGED
            members.append(
                Member(
                    i,
                    max_amps=self.chargers[i].soft_max,
                    vehicle=vehicle,
                    draw_amps=draw,
                    draw_age_s=t - seen_at,
                    reachable=i not in self.known_lost,
                    confirmed_amps=self.seq.confirmed(i),
                    commanded_amps=self.seq.member_exposure(i),
                    fallback_amps=self.plan.fallback_amps(i),
                )
            )
        return members

    def second(
        self, t: int, cars: _Cars, answers: list[tuple[str, int, int]], lost: set[str]
    ) -> None:
        """One second of the integration: answers, losses, an allocation round, deadlines."""
        for member_id, amps, number in answers:
            self.send(self.seq.confirm(member_id, amps, t, seq=number), t)
        self.notice_network(t, lost)
        members = self.members(t, cars, lost)
        signature = (self.reading, tuple((m.vehicle, m.reachable) for m in members))
        # A round on every change, and every 5 s for the slower rules (draws, turns).
        if signature != self.signature or t - self.allocated_at >= 5:
            age = float(t - self.read_at)
            loads = [OtherLoad("house", amps=(self.reading,), age_s=age)]
            result = allocate(self.circuit, members, loads, float(t), self.state)
            self.state = result.state
            targets = {i: x.amps for i, x in result.targets.items() if i not in self.known_lost}
            self.send(self.seq.set_targets(targets, result.member_budget(), float(t)), t)
            self.signature, self.allocated_at = signature, t
        self.send(self.seq.tick(float(t)), t)


def run_ours(
    scenario: Scenario, mode: FallbackMode = FallbackMode.PAUSE, name: str | None = None
) -> Run:
    """The allocator and the sequencer, with the network and the sensors in between."""
    cars = _Cars(scenario)
    run = Run(name or f"ours ({scenario.sensor_period_s} s sensor)")
    ours = _Integration(scenario, mode, run)
    was_down = False
    for t in range(scenario.seconds):
        cars.update(t)
        loss = scenario.network_loss
        lost = {loss.member_id} if loss and loss.member_id and loss.covers(t) else set()
        if t % scenario.sensor_period_s == 0:
            ours.reading, ours.read_at = scenario.house[t], t
        answers = ours.deliver(t, lost)
        if scenario.ha_down and scenario.ha_down.covers(t):
            was_down = True
        else:
            if was_down:
                ours.restart()
                answers, was_down = [], False
            ours.second(t, cars, answers, lost)
        for member_id, car in cars.plugged.items():
            charger = ours.chargers[member_id]
            run.claims.setdefault(member_id, []).append(charger.claim)
            if car is not None:
                car.step(min(charger.claim, charger.soft_max))
        run.draws.append(cars.record(run))
    run.energy_kwh = cars.energy
    return run
