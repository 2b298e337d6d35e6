"""Constants shared by the charger and pump halves of the integration."""

from __future__ import annotations

import logging
from typing import Final

DOMAIN: Final = "openevse_moogo"
LOGGER: Final = logging.getLogger(__package__)

# Every config entry is one charger, one Moogo account or one charging circuit; this key in
# entry.data says which.
CONF_FAMILY: Final = "family"
FAMILY_CHARGER: Final = "charger"
FAMILY_PUMP: Final = "pump"
# A charging circuit: several charger entries sharing one breaker (no device connection).
FAMILY_CIRCUIT: Final = "circuit"
