"""Static shares that hold with every car drawing, and the refusal of requests above a share."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from custom_components.openevse_moogo.circuit.allocation import MemberTarget, Reason
from custom_components.openevse_moogo.circuit.fallback import (
    FallbackMode,
    Refusal,
    RefusalReason,
    Request,
    check_request,
    static_shares,
)
from custom_components.openevse_moogo.circuit.model import (
    ALL_PHASES,
    Circuit,
    Member,
    Phase,
    Vehicle,
)


def test_equal_shares_whatever_the_cars_are_doing_now() -> None:
    members = [Member("a"), Member("b", vehicle=Vehicle.CHARGING, reachable=False), Member("c")]
    plan = static_shares(Circuit(limit_amps=40, margin_amps=1), members)
    assert plan.shares == {"a": 13, "b": 13, "c": 13}


def test_a_small_charger_leaves_its_rest_to_the_others() -> None:
    members = [Member("a", max_amps=10), Member("b"), Member("c")]
    plan = static_shares(Circuit(limit_amps=40, margin_amps=1), members)
    assert plan.shares == {"a": 10, "b": 15, "c": 14}


def test_a_member_the_split_cannot_give_six_amperes_pauses_on_its_own() -> None:
    plan = static_shares(
        Circuit(limit_amps=16, margin_amps=1), [Member("a"), Member("b"), Member("c")]
    )
    assert sorted(plan.shares.values()) == [0, 7, 8]


def test_three_phase_shares_count_a_three_phase_member_on_every_phase() -> None:
    members = [
        Member("three", phases=ALL_PHASES),
        Member("on1", phases=frozenset({1})),
        Member("on2", phases=frozenset({2})),
    ]
    plan = static_shares(Circuit(limit_amps=20, phases=3, margin_amps=0), members)
    assert plan.shares == {"three": 10, "on1": 10, "on2": 10}


def test_the_two_modes() -> None:
    members = [Member("a", max_amps=32), Member("b", max_amps=32)]
    circuit = Circuit(limit_amps=40, margin_amps=2)
    shares = static_shares(circuit, members, FallbackMode.STATIC_SHARE)
    assert shares.fallback_amps("a") == 19
    assert shares.ceiling(members[0]) == 19  # the firmware caps every claim at the soft max
    pause = static_shares(circuit, members)
    assert pause.mode is FallbackMode.PAUSE
    assert pause.fallback_amps("a") == 0
    assert pause.ceiling(members[0]) == 32


PHASE_SETS: list[frozenset[Phase]] = [frozenset({1}), frozenset({2}), frozenset({3}), ALL_PHASES]


@given(
    st.integers(6, 100),
    st.booleans(),
    st.integers(0, 5),
    st.lists(
        st.tuples(st.integers(6, 12), st.integers(0, 40), st.sampled_from(PHASE_SETS)),
        min_size=1,
        max_size=8,
    ),
)
@settings(max_examples=300, deadline=None)
def test_shares_hold_even_if_every_car_draws_at_once(
    limit: int, three: bool, margin: int, specs: list[tuple[int, int, frozenset[Phase]]]
) -> None:
    if margin >= limit:
        margin = 0
    circuit = Circuit(limit_amps=limit, phases=3 if three else 1, margin_amps=margin)
    members = [
        Member(f"m{i}", phases=p if three else frozenset({1}), min_amps=low, max_amps=low + extra)
        for i, (low, extra, p) in enumerate(specs)
    ]
    plan = static_shares(circuit, members)
    for phase in circuit.phase_ids:
        on_phase = sum(
            plan.shares[m.member_id] for m in members if circuit.phases == 1 or phase in m.phases
        )
        assert on_phase <= limit - margin
    for m in members:
        share = plan.shares[m.member_id]
        assert share == 0 or m.min_amps <= share <= m.max_amps


def share(amps: int) -> MemberTarget:
    return MemberTarget("a", amps, Reason.FAIR_SHARE if amps else Reason.TAKING_TURNS, 32)


MEMBER = Member("a", vehicle=Vehicle.CHARGING, min_amps=6)


def test_pausing_and_lowering_are_always_allowed() -> None:
    assert check_request(MEMBER, share(10), Request(active=False)) is None
    assert check_request(MEMBER, share(0), Request(active=False, amps=32)) is None
    assert check_request(MEMBER, share(10), Request(amps=8)) is None
    assert check_request(MEMBER, share(10), Request(active=True, amps=10)) is None
    assert check_request(MEMBER, share(10), Request(active=True)) is None
    assert check_request(MEMBER, share(0), Request()) is None


def test_more_than_the_share_is_refused() -> None:
    assert check_request(MEMBER, share(10), Request(amps=16)) == Refusal(
        "a", RefusalReason.ABOVE_SHARE, 16, 10
    )
    # Below the minimum the firmware still gives the minimum.
    assert check_request(MEMBER, share(0), Request(amps=3)) == Refusal(
        "a", RefusalReason.PAUSED_BY_CIRCUIT, 6, 0
    )
    assert check_request(MEMBER, share(0), Request(active=True)) == Refusal(
        "a", RefusalReason.PAUSED_BY_CIRCUIT, 0, 0
    )
