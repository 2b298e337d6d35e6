"""The circuit's loop: read the members and the loads, allocate, send lowers before raises.

It runs on every change a member's coordinator publishes (a car plugs in or out, starts or
stops drawing, the charger drops off or returns), on every report of a load sensor, and once a
second for deadlines and readings going stale. Each round is the pure core's work
(:func:`..allocation.allocate`, then :class:`..transition.Sequencer`); this module only reads
Home Assistant and carries the commands out, one round at a time.

Every command is our claim on the member (``max_current``, ``state`` disabled to pause), read
back from ``/claims/target`` as its confirmation: the sequencer raises nobody until every lower
is confirmed that way. A member whose coordinator fails is lost: it keeps its exposure and is
counted at its last allocation (or what it was last seen allowing) until it answers again. A
member that some other claim lets draw more than we allow (the charger's manual override,
another program) is counted at what that claim allows, and the override raises a repair issue.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from homeassistant.core import CALLBACK_TYPE, Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_track_state_change_event, async_track_time_interval
from homeassistant.helpers.storage import Store
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from ...charger.coordinator import ChargerCoordinator
from ...clients.openevse.models import ChargeState
from ...const import DOMAIN, LOGGER
from ..allocation import Allocation, MemberTarget, Reason, allocate
from ..fallback import RefusalReason, Request, check_request
from ..model import AllocatorState, Member, Staleness, Tuning, Vehicle
from ..transition import Command, Direction, Sequencer, Step
from .const import DRAW_FRESH_S, ISSUE_OVERRIDE, RETRY_S, TICK
from .loads import mains_volts, read_loads
from .members import (
    Outranked,
    in_force,
    member_coordinator,
    member_runtime,
    outranked,
    read_member,
    share_kw,
)
from .settings import CircuitSettings, MemberSettings

if TYPE_CHECKING:
    from .runtime import CircuitConfigEntry

STORE_VERSION = 1


def store_key(entry_id: str) -> str:
    """Where a circuit keeps what it last sent each member, across restarts."""
    return f"{DOMAIN}.circuit.{entry_id}"


@dataclass(frozen=True, slots=True)
class MemberView:
    """One member as the circuit's sensors show it."""

    name: str
    amps: int  # its allocation (0: paused)
    reason: str
    reachable: bool
    in_force: int | None  # what the charger allows now, by its own report
    draw: float


@dataclass(frozen=True, slots=True)
class CircuitData:
    """One round's result: the allocation and what the sensors show."""

    allocation: Allocation
    members: Mapping[str, MemberView]
    measured: tuple[float, ...]  # per phase: the other loads as counted plus the members' draw


class CircuitController(DataUpdateCoordinator[CircuitData]):
    """Runs one circuit: no connection of its own, only its members' coordinators."""

    config_entry: CircuitConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: CircuitConfigEntry,
        settings: CircuitSettings,
        shares: Mapping[str, int],
    ) -> None:
        """Set the loop up; :meth:`async_start` starts it."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"Circuit {entry.title}",
            update_interval=None,
            always_update=False,
        )
        self.settings = settings
        self._shares = dict(shares)
        # {"allocation": amps sent per member, "paused": members the user paused}
        self._store: Store[dict[str, dict[str, int]]] = Store(
            hass, STORE_VERSION, store_key(entry.entry_id)
        )
        self._stored: dict[str, int] = {}
        self._state = AllocatorState()
        self.tuning = Tuning()  # how the allocator shares (when a car counts as drawing less)
        self._sequencer: Sequencer | None = None
        self._members: dict[str, Member] = {}
        self._lost: set[str] = set()
        self._user_paused: set[str] = set()
        self._seen: dict[str, float] = {}
        self._sent: dict[str, Command] = {}  # the last command each member took
        self._failed: dict[str, float] = {}  # when a member's last command's request failed
        self._bound: dict[str, tuple[ChargerCoordinator, CALLBACK_TYPE]] = {}
        self._plan_share: dict[str, float] = {}  # the share in kW each member's plan was told
        self._busy = False
        self._again = False

    # --- lifecycle -------------------------------------------------------------------------

    async def async_start(self) -> None:
        """Load what the last run allocated, run a first round, then follow every change."""
        stored = await self._store.async_load() or {}
        self._stored = dict(stored.get("allocation", {}))
        self._user_paused = set(stored.get("paused", {}))
        entry = self.config_entry
        sensors = [*self.settings.load_current, *filter(None, [self.settings.load_power])]
        if sensors:
            entry.async_on_unload(
                async_track_state_change_event(self.hass, sensors, self._on_load_change)
            )
        entry.async_on_unload(async_track_time_interval(self.hass, self._on_tick, TICK))
        entry.async_on_unload(self._unbind_all)
        await self.async_run_round()

    @callback
    def _unbind_all(self) -> None:
        for member_id, (coordinator, unsubscribe) in self._bound.items():
            unsubscribe()
            coordinator.request_guard = None
            if member_id in self._plan_share:
                # The charger leaves the circuit: its plan may use the charger's own power.
                self._tell_plan(member_id, None)
        self._bound.clear()
        self._plan_share.clear()

    def _coordinator(self, member_id: str) -> ChargerCoordinator | None:
        """Return the member's coordinator, followed (listener, guard) from when it loads."""
        coordinator = member_coordinator(self.hass, member_id)
        bound = self._bound.get(member_id)
        if bound is not None and bound[0] is not coordinator:
            bound[1]()
            del self._bound[member_id]
            bound = None
        if coordinator is not None and bound is None:

            @callback
            def changed() -> None:
                self._seen[member_id] = time.monotonic()
                self._schedule()

            def guard(active: bool | None, amps: int | None) -> None:
                self._guard(member_id, active, amps)

            coordinator.request_guard = guard
            self._bound[member_id] = (coordinator, coordinator.async_add_listener(changed))
            self._seen[member_id] = time.monotonic()
        return coordinator

    # --- triggers --------------------------------------------------------------------------

    @callback
    def _on_load_change(self, _event: Event[EventStateChangedData]) -> None:
        self._schedule()

    @callback
    def _on_tick(self, _now: object) -> None:
        self._schedule()

    @callback
    def _schedule(self) -> None:
        """Run a round now, or once more right after the one running."""
        if self._busy:
            self._again = True
            return
        self.config_entry.async_create_background_task(
            self.hass, self.async_run_round(), f"circuit round {self.config_entry.title}"
        )

    async def async_run_round(self) -> None:
        """Allocate and carry the commands out; repeat while changes arrived meanwhile."""
        if self._busy:
            self._again = True
            return
        self._busy = True
        try:
            while True:
                self._again = False
                await self._carry_out(self._compute())
                await self._keep_active()
                if not self._again:
                    return
        finally:
            self._busy = False

    # --- one round -------------------------------------------------------------------------

    def _compute(self) -> Step:
        """Read everything, allocate, and return what the sequencer wants sent."""
        now = time.monotonic()
        circuit = self.settings.circuit
        members: list[Member] = []
        views: dict[str, MemberView] = {}
        for settings in self.settings.members:
            member, view = self._read(settings, now)
            members.append(member)
            views[settings.entry_id] = view
            self._members[settings.entry_id] = member
        if self._sequencer is None:
            self._sequencer = Sequencer(circuit, members)
        volts = mains_volts(
            coordinator.data.status.voltage
            for settings in self.settings.members
            if (coordinator := self._coordinator(settings.entry_id)) is not None
            and coordinator.data is not None
        )
        loads = read_loads(
            self.hass,
            self.settings.load_current,
            self.settings.load_power,
            dt_util.utcnow(),
            volts=volts,
        )
        allocation = allocate(
            circuit,
            members,
            loads,
            now,
            self._state,
            staleness=Staleness(draw_fresh_s=DRAW_FRESH_S),
            tuning=self.tuning,
        )
        self._state = allocation.state
        targets = {
            m.member_id: allocation.targets[m.member_id].amps for m in members if m.reachable
        }
        # The new targets and budget first: whatever a member's report releases below is
        # then weighed against them, never against the previous round's.
        planned = self._sequencer.set_targets(targets, allocation.member_budget(), now)
        followed = self._follow_members(members, now)
        ticked = self._sequencer.tick(now)
        for overdue in ticked.overdue:
            LOGGER.warning(
                "Charger %s did not confirm its %s to %s A on circuit %s",
                self._title(overdue.member_id),
                overdue.direction.value,
                overdue.amps,
                self.config_entry.title,
            )
        self._publish(allocation, views, members)
        return _merge(planned, followed, ticked)

    def _read(self, settings: MemberSettings, now: float) -> tuple[Member, MemberView]:
        """One member for the allocator, counted conservatively when lost or outranked.

        A lost member is counted at the most it may draw by what we know: what it last held,
        else what the previous run of Home Assistant last sent it, else the whole limit (a
        member never seen could be drawing anything). A member another claim outranks is
        counted at what that claim allows.
        """
        member_id = settings.entry_id
        coordinator = self._coordinator(member_id)
        previous = self._members.get(member_id)
        stored = self._stored.get(member_id)
        member = read_member(
            settings,
            coordinator,
            draw_age_s=now - self._seen.get(member_id, now),
            confirmed=previous.held_amps
            if previous is not None
            else (stored if stored is not None else int(self.settings.circuit.limit_amps)),
            commanded=stored,
            fallback_amps=self._shares.get(member_id, 0),
        )
        allowed: int | None = None
        data = coordinator.data if coordinator is not None else None
        if member.reachable and data is not None:
            allowed = in_force(data)
            over = outranked(data, allowed if stored is None else stored)
            self._follow_override(member_id, over)
            member = replace(member, confirmed_amps=allowed)
            if over is not None:
                member = replace(member, confirmed_amps=over.amps, reachable=False)
        view = MemberView(
            name=self._title(member_id),
            amps=0,
            reason="",
            reachable=member.reachable,
            in_force=allowed,
            draw=member.draw_amps,
        )
        return member, view

    def _follow_members(self, members: list[Member], now: float) -> Step:
        """Tell the sequencer which members were lost, came back or report another value."""
        sequencer = self._ready()
        steps: list[Step] = []
        for member in members:
            member_id = member.member_id
            value = member.confirmed_amps or 0
            if member.reachable:
                back = member_id in self._lost
                if back or value != sequencer.confirmed(member_id):
                    self._lost.discard(member_id)
                    steps.append(sequencer.confirm(member_id, value, now))
                if back:
                    # A reboot while it was away cleared our claim: its target goes out again.
                    steps.append(sequencer.rejoin(member_id, now))
                failed_at = self._failed.get(member_id)
                if failed_at is not None and (back or now - failed_at >= RETRY_S):
                    # A failed command goes out again: at once when the member is back,
                    # else after a pause (a refusing charger is not asked every second).
                    del self._failed[member_id]
                    steps.append(sequencer.retry(member_id, now))
                # A report read after the last command reached the charger answers it too:
                # its own read-back may have shown an override since cleared.
                sent = self._sent.get(member_id)
                if (
                    sent is not None
                    and sequencer.pending().get(member_id) == sent.amps
                    and _answer(sent, value) == sent.amps
                ):
                    steps.append(sequencer.confirm(member_id, sent.amps, now, seq=sent.seq))
            elif member_id not in self._lost or value > sequencer.member_exposure(member_id):
                # Lost, or outranked to more: it counts at that and no longer blocks the others.
                steps.append(sequencer.confirm(member_id, value, now))
                self._lost.add(member_id)
                steps.append(sequencer.lose(member_id, now))
        return _merge(*steps)

    def _publish(
        self, allocation: Allocation, views: dict[str, MemberView], members: list[Member]
    ) -> None:
        shown: dict[str, MemberView] = {}
        for member_id, view in views.items():
            target = allocation.targets[member_id]
            shown[member_id] = MemberView(
                name=view.name,
                amps=target.amps,
                reason=target.reason.value,
                reachable=view.reachable,
                in_force=view.in_force,
                draw=view.draw,
            )
        measured = list(allocation.other_loads)
        phases = self.settings.circuit.phase_ids
        for member in members:
            for i, phase in enumerate(phases):
                if len(phases) == 1 or phase in member.phases:
                    measured[i] += member.draw_amps
        self.async_set_updated_data(CircuitData(allocation, shown, tuple(measured)))
        for member in members:
            self._follow_share(member, allocation.targets[member.member_id])

    def _follow_share(self, member: Member, target: MemberTarget) -> None:
        """Tell a member's charge plan its share as power whenever its allocation changes.

        The plan plans hours ahead, so only what says something about them counts: nothing
        while the car is unplugged (0 only for want of a car), the member is lost (counted at
        what it may hold, not given it) or its car draws less (a car the plan pauses draws
        nothing, and planning with that would leave the plan ever less power); and never less
        than the charger's minimum (no room right now is the car's turn to wait, not its rate).
        """
        member_id = member.member_id
        coordinator = member_coordinator(self.hass, member_id)
        if (
            coordinator is None
            or not member.reachable
            or member.vehicle is Vehicle.UNPLUGGED
            or target.reason is Reason.DRAWS_LESS
        ):
            return
        kw = share_kw(member, max(target.amps, member.min_amps), coordinator.data)
        if self._plan_share.get(member_id) != kw:
            self._plan_share[member_id] = kw
            self._tell_plan(member_id, kw)

    @callback
    def _tell_plan(self, member_id: str, kw: float | None) -> None:
        """Hand the plan its share in the background: a round never waits for a re-plan."""
        runtime = member_runtime(self.hass, member_id)
        entry = self.hass.config_entries.async_get_entry(member_id)
        if runtime is None or entry is None:
            return
        # The charger's entry runs it: the plan is the charger's, and outlives the circuit.
        entry.async_create_background_task(
            self.hass,
            runtime.plan.async_set_power_share(kw),
            f"circuit share of {entry.title}",
        )

    async def _carry_out(self, step: Step) -> None:
        """Send the commands; each confirmation may release raises, sent in turn."""
        commands = list(step.commands)
        while commands:
            answers = await asyncio.gather(*(self._send(c) for c in commands))
            commands = [c for answer in answers for c in answer.commands]

    async def _send(self, command: Command) -> Step:
        """Set one member's claim, read it back, and hand the answer to the sequencer."""
        sequencer = self._ready()
        member_id = command.member_id
        coordinator = member_coordinator(self.hass, member_id)
        member = self._members.get(member_id)
        if coordinator is None or member is None:
            return Step()
        try:
            if command.amps > 0:
                # Active, not left to the charger: with the pause fallback its default is off.
                paused = member_id in self._user_paused
                state = (ChargeState.DISABLED if paused else ChargeState.ACTIVE).value
                await coordinator.async_set_own_claim(state=state, max_current=command.amps)
            else:
                await coordinator.async_set_own_claim(
                    state=ChargeState.DISABLED.value, max_current=member.min_amps
                )
            self._remember(member_id, command.amps)
            self._sent[member_id] = command
            self._failed.pop(member_id, None)
            target = await coordinator.async_read_claim_target()
        except HomeAssistantError as err:
            # Nothing confirmed, and it may or may not have arrived: it still counts, and the
            # target goes out again once the member answers (see _follow_members).
            self._failed[member_id] = time.monotonic()
            LOGGER.warning(
                "Could not set charger %s to %s A on circuit %s: %s",
                self._title(member_id),
                command.amps,
                self.config_entry.title,
                err,
            )
            return Step()
        confirmed = _answer(command, in_force(coordinator.data, target))
        LOGGER.debug("Charger %s reports %s A for %s", self._title(member_id), confirmed, command)
        return sequencer.confirm(member_id, confirmed, time.monotonic(), seq=command.seq)

    async def _keep_active(self) -> None:
        """Set our claim active on a member given current whose state nobody decided.

        A pause lifted by releasing the state (the plan turned off) would otherwise leave the
        charger to its default, off with the pause fallback, until the next share goes out.
        Only the state: ``max_current`` stays the share last sent.
        """
        for member_id, sent in list(self._sent.items()):
            coordinator = member_coordinator(self.hass, member_id)
            if coordinator is None or sent.amps <= 0 or member_id in self._user_paused:
                continue
            own = coordinator.data.own_claim
            if own is None or own.state is not None:
                continue  # no share of ours in force, or a state decided (ours: active)
            try:
                await coordinator.async_set_own_claim(state=ChargeState.ACTIVE.value)
            except HomeAssistantError as err:
                LOGGER.debug("Could not resume charger %s: %s", self._title(member_id), err)

    def _remember(self, member_id: str, amps: int) -> None:
        """Keep what each member was last sent across restarts of Home Assistant."""
        if self._stored.get(member_id) == amps:
            return
        self._stored[member_id] = amps
        self._save()

    def _save(self) -> None:
        """Store the shares sent and the user's pauses (a restart must not undo a pause)."""
        self._store.async_delay_save(
            lambda: {
                "allocation": dict(self._stored),
                "paused": dict.fromkeys(sorted(self._user_paused), 1),
            },
            1.0,
        )

    # --- refusals and overrides ------------------------------------------------------------

    def _guard(self, member_id: str, active: bool | None, amps: int | None) -> None:
        """Refuse a request that would let a member draw more than its allocation.

        The one rule for our claim's ``state`` on a member: the parts of this integration
        that decide whether the car charges (the Charging switch, the charge plan) ask here
        first, and the last one to ask wins; the circuit decides only ``max_current``, and the
        state only to pause a member it gives no current. A pause is remembered, so every
        later share carries it along, until someone asks to charge again. Asking to charge
        while the circuit gives no current is refused, yet it lifts the pause: the circuit
        starts the car when it has current for it, as it does for any car waiting its turn.
        """
        if active is False:
            self._user_paused.add(member_id)
            self._save()
            return
        member = self._members.get(member_id)
        refusal = None
        if member is not None and self.data is not None:
            share = self.data.allocation.targets[member_id]
            refusal = check_request(member, share, Request(active=active, amps=amps))
        if (
            active is True
            and member_id in self._user_paused
            and (refusal is None or refusal.reason is RefusalReason.PAUSED_BY_CIRCUIT)
        ):
            self._user_paused.discard(member_id)
            self._save()
            self._schedule()  # the next round sets it active if its share lets it charge
        if refusal is not None:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key=f"circuit_refused_{refusal.reason.value}",
                translation_placeholders={
                    "charger": self._title(member_id),
                    "circuit": self.config_entry.title,
                    "requested": str(refusal.requested),
                    "allowed": str(refusal.allowed),
                },
            )

    def _follow_override(self, member_id: str, over: Outranked | None) -> None:
        """Raise a repair issue while the charger's own override outranks the circuit."""
        issue_id = f"{ISSUE_OVERRIDE}_{self.config_entry.entry_id}_{member_id}"
        if over is not None and over.by_override:
            ir.async_create_issue(
                self.hass,
                DOMAIN,
                issue_id,
                is_fixable=False,
                severity=ir.IssueSeverity.WARNING,
                translation_key=ISSUE_OVERRIDE,
                translation_placeholders={
                    "charger": self._title(member_id),
                    "circuit": self.config_entry.title,
                    "amps": str(over.amps),
                },
            )
        else:
            ir.async_delete_issue(self.hass, DOMAIN, issue_id)

    # --- helpers ---------------------------------------------------------------------------

    def _ready(self) -> Sequencer:
        """Return the sequencer, made by the first round from what the members hold."""
        if self._sequencer is None:
            raise RuntimeError("the circuit has not run its first round")
        return self._sequencer

    def _title(self, member_id: str) -> str:
        entry = self.hass.config_entries.async_get_entry(member_id)
        return entry.title if entry is not None else member_id

    def member_ids(self) -> tuple[str, ...]:
        """Return the members' charger entry ids, in the order the user chose them."""
        return self.settings.member_ids


def _answer(command: Command, allowed: int) -> int:
    """Return what a member's report of ``allowed`` confirms of ``command``.

    The command's value when the charger allows no more (our claim in force, or less decided
    elsewhere: the user's charge current, the user's pause), since the member draws no more
    than asked; else what it reports. Paused is no confirmed raise.
    """
    if allowed <= command.amps and (allowed > 0 or command.direction is Direction.LOWER):
        return command.amps
    return allowed


def _merge(*steps: Step) -> Step:
    return Step(
        commands=tuple(c for s in steps for c in s.commands),
        overdue=tuple(o for s in steps for o in s.overdue),
        held=tuple(h for s in steps for h in s.held),
    )
