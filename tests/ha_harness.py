"""Loaded before every other plugin (``-p tests.ha_harness``): the harness on newer releases.

pytest-homeassistant-custom-component pins the Home Assistant it was released with; the suite
also runs on the newest release (requirements_ha_next.txt), where the harness trips twice:

- from 2026.11 importing ``homeassistant`` aliases ``httpx`` to ``httpx2`` and refuses when
  ``httpx`` was imported first, which the harness does (through ``respx``): importing Home
  Assistant here, before any plugin, keeps the order right;
- the harness imports ``_clear_logger_overwrites`` from ``homeassistant.components.logger``,
  which 2026.11 moved to that package's ``helpers`` module: it is made available at the old
  place again.

On the pinned release both are no-ops.
"""

from __future__ import annotations

import homeassistant  # noqa: F401  (before httpx: see above)
from homeassistant.components import logger

if not hasattr(logger, "_clear_logger_overwrites"):
    from homeassistant.components.logger.helpers import _clear_logger_overwrites

    logger._clear_logger_overwrites = _clear_logger_overwrites  # type: ignore[attr-defined]
