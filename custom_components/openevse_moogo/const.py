"""Constants shared by the charger and pump halves of the integration."""

from __future__ import annotations

import logging
from typing import Final

DOMAIN: Final = "openevse_moogo"
LOGGER: Final = logging.getLogger(__package__)
