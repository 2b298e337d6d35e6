"""The development branch's energy history (energy_logger.cpp, the build without ENABLE_TSDB).

Once a minute the logger takes a sample of the charge current, the monitor temperature and the
session energy into a RAM ring of 180 (three hours), lost at a reboot. ``/energy/raw`` serves
that ring. Every three hours the ring is also written to flash, and at each midnight and month
change daily, monthly and annual summaries are appended to files that ``/energy/daily``,
``/monthly`` and ``/annual`` read back; the simulator keeps no such files (see FIDELITY.md).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any, Final

ENERGY_SAMPLE_TICKS: Final = 60
"""Monitor seconds (simulator ticks) between samples (ENERGY_LOGGER_SAMPLE_INTERVAL)."""
ENERGY_BUFFER_SIZE: Final = 180  # ENERGY_LOGGER_BUFFER_SIZE
RAW_SAVE_HOURS: Final = 3  # ENERGY_LOGGER_RAW_SAVE_HOURS


def json_number(value: float) -> float | int:
    """A double as ArduinoJson writes it: whole values without a fraction (6, not 6.0)."""
    return int(value) if float(value).is_integer() else value


@dataclass
class EnergyLogger:
    """The RAM ring of one-minute samples."""

    samples: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=ENERGY_BUFFER_SIZE))

    def sample(self, timestamp: int, amps: float, temperature: float, energy_wh: float) -> None:
        """EnergyLogger::sample: a temperature that is not valid is stored as 0."""
        self.samples.append(
            {
                "ts": timestamp,
                "a": json_number(amps),
                "t": json_number(temperature),
                "e": json_number(energy_wh),
            }
        )

    def raw(self, max_samples: int, before: int, zone: tzinfo) -> dict[str, Any]:
        """getRawSamples: the newest ``max_samples`` (all when <= 0), or one earlier block.

        With ``before`` > 0 the firmware steps back one save interval, rounds down to the
        block's start on the local clock and serves that three-hour block (from its flash file
        when written, else from the ring).
        """
        ring = list(self.samples)
        if before <= 0:
            if 0 < max_samples < len(ring):
                ring = ring[-max_samples:]
            return {"samples": ring}
        target = datetime.fromtimestamp(before - RAW_SAVE_HOURS * 3600, UTC).astimezone(zone)
        hour = target.hour // RAW_SAVE_HOURS * RAW_SAVE_HOURS
        start = target.replace(hour=hour, minute=0, second=0, microsecond=0)
        start_ts = int(start.timestamp())
        end_ts = start_ts + RAW_SAVE_HOURS * 3600
        block = [entry for entry in ring if start_ts <= entry["ts"] < end_ts]
        if max_samples > 0:
            block = block[:max_samples]
        return {"samples": block}
