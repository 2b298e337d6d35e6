"""The short soak: bench/soak_bench.py's soak for 150 s, with every invariant it can judge.

Three simulated chargers and a Moogo account with six pumps play their scenarios in a real
Home Assistant process while seeded random faults (every fault switch of both simulators,
reboots, entry reloads; outages of 15 s instead of the full soak's 60 s) hit them; the invariants
are those of the full soak (see bench/README.md), judged by the same code; the resource slopes
are reported only (two minutes of samples extrapolated to an hour are noise).

Marked ``soak``: part of the test command, but run once, on the Home Assistant the harness pins
(``scripts/test`` deselects it in the second run, on the newest release: the soak drives a real
``hass`` process over REST, so it judges the product rather than the harness, and three more
minutes of CI buy little). It prints the soak's tables (see them with ``-s`` or ``-rP``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.report import print_rows
from bench.soak.invariants import judge
from bench.soak.run import soak
from bench.soak_bench import print_faults

SECONDS = 150.0
OUTAGE = 15.0
SEED = 16


@pytest.mark.soak
@pytest.mark.timeout(900)
async def test_soak_short(tmp_path: Path, socket_enabled: None) -> None:
    observations = await soak(
        duration=SECONDS, seed=SEED, outage=OUTAGE, config_dir=tmp_path / "config"
    )
    verdicts = judge(observations, full=False)
    print_faults(observations)
    print_rows(verdicts.rows, title="Soak invariants")
    missed = [
        f"{row.measurement}: {', '.join(row.figures)} (target {row.target})"
        for row in verdicts.rows
        if row.met is False
    ]
    assert verdicts.rows
    assert not missed, "\n".join([*missed, *verdicts.details])
