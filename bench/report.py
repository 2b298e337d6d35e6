"""What every benchmark prints: tables, measurements against targets, ratios and percentiles.

Standard library only, so that importing it adds nothing to a process whose client is measured.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from statistics import quantiles
from typing import Literal


def print_table(
    header: Sequence[str], rows: Iterable[Sequence[str]], *, title: str | None = None
) -> None:
    """A Markdown table with padded columns, after a blank line and the title when there is one."""
    cells = [tuple(header), *(tuple(row) for row in rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]

    def line(row: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"

    if title is not None:
        print(f"\n{title}")
    print(line(cells[0]))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in cells[1:]:
        print(line(row))


@dataclass(frozen=True)
class Row:
    """One measurement beside its target.

    ``met`` is the verdict of the client or integration the target is for; None marks a figure
    shown for reference only. ``compared`` holds the verdicts of the others against the same
    target, shown for comparison; they never decide the exit status.
    """

    measurement: str
    figures: tuple[str, ...]
    target: str
    met: bool | None
    compared: tuple[bool | None, ...] = ()


def verdict(met: bool | None) -> str:
    return "-" if met is None else ("met" if met else "MISSED")


def print_rows(
    rows: Sequence[Row],
    figures: Sequence[str] = ("measured",),
    verdicts: Sequence[str] = ("",),
    *,
    title: str | None = None,
) -> None:
    """Rows under the columns measurement, ``figures``, target, ``verdicts``."""
    print_table(
        ("measurement", *figures, "target", *verdicts),
        (
            (row.measurement, *row.figures, row.target, *map(verdict, (row.met, *row.compared)))
            for row in rows
        ),
        title=title,
    )


def targets_met(rows: Iterable[Row]) -> bool:
    """Whether no row missed its target (reference rows have none to miss)."""
    return all(row.met is not False for row in rows)


def ratio(numerator: float | None, denominator: float | None, *, digits: int = 2) -> str:
    """``numerator / denominator`` as ``1.23x``; ``-`` when a figure is missing or both are 0."""
    if numerator is None or denominator is None:
        return "-"
    if denominator == 0:
        return "-" if numerator == 0 else "inf"
    return f"{numerator / denominator:.{digits}f}x"


def cost_ratio(ours: float, other: float, *, unit: str = "less") -> str:
    """How our cost (lower is better) compares with another's: ``3.1x less`` or ``1.2x more``."""
    if ours <= 0 or other <= 0:
        return "-"
    if ours <= other:
        return f"{ratio(other, ours, digits=1)} {unit}"
    return f"{ratio(ours, other, digits=1)} more"


def percentile(
    values: Sequence[float],
    percent: int,
    *,
    method: Literal["exclusive", "inclusive"] = "inclusive",
) -> float:
    """The ``percent``-th percentile, by ``statistics.quantiles``'s ``method``."""
    return quantiles(values, n=100, method=method)[percent - 1]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"
