"""Constants shared by the charger and pump halves of the integration."""

from __future__ import annotations

import logging
from typing import Final

DOMAIN: Final = "openevse_moogo"
LOGGER: Final = logging.getLogger(__package__)

# Every config entry is one charger or one Moogo account; this key in entry.data says which.
CONF_FAMILY: Final = "family"
FAMILY_CHARGER: Final = "charger"
FAMILY_PUMP: Final = "pump"
