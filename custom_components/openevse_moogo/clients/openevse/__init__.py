"""Async client for OpenEVSE EV chargers (WiFi gateway firmware 4.x/5.x), local HTTP + websocket.

Public API::

    async with aiohttp.ClientSession() as session:
        charger = OpenEVSE("openevse.local", session=session)
        await charger.update()
        print(charger.status, charger.status_data.charging_current)
        await charger.ws_disconnect()

:class:`OpenEVSE` is the charger client, :class:`OpenEVSEWebsocket` the push channel (also usable
on its own), the models in :mod:`.models` carry normalised units, and every failure is an
:class:`OpenEVSEError`. This package never imports Home Assistant.
"""

from .client import (
    CHANGED_CLAIM_TARGET,
    CHANGED_CONFIG,
    CHANGED_LIMIT,
    CHANGED_OVERRIDE,
    CHANGED_SCHEDULE,
    CHANGED_SCHEDULE_PLAN,
    DEFAULT_BACKGROUND_TIMEOUT,
    DEFAULT_CLAIM_CLIENT_ID,
    DEFAULT_REQUEST_TIMEOUT,
    WRITABLE_CONFIG_KEYS,
    ChangeCallback,
    OpenEVSE,
    StateCallback,
)
from .exceptions import (
    OpenEVSEAuthenticationError,
    OpenEVSECommandError,
    OpenEVSEConnectionError,
    OpenEVSEError,
    OpenEVSEInvalidResponseError,
    OpenEVSENotFoundError,
    OpenEVSERateLimitError,
    OpenEVSEResponseError,
    OpenEVSEServerError,
    OpenEVSETimeoutError,
)
from .models import (
    SCHEDULE_DAYS,
    SCHEDULE_FEATURE_KEYS,
    ChargeMode,
    ChargerConfig,
    ChargerFeatures,
    ChargerStatus,
    ChargeState,
    Claim,
    ClaimProperties,
    ClaimTarget,
    DivertMode,
    EvseState,
    Limit,
    LimitType,
    LogEntry,
    Override,
    PlanEntry,
    ScheduleEvent,
    SchedulePlan,
    ServiceLevel,
    VehicleDataSource,
)
from .version import FirmwareVersion
from .websocket import (
    SIGNAL_CONNECTION_STATE,
    SIGNAL_DATA,
    OpenEVSEWebsocket,
    WebsocketCallback,
    WebsocketHealth,
    WebsocketOptions,
    WebsocketState,
)

__all__ = [
    "CHANGED_CLAIM_TARGET",
    "CHANGED_CONFIG",
    "CHANGED_LIMIT",
    "CHANGED_OVERRIDE",
    "CHANGED_SCHEDULE",
    "CHANGED_SCHEDULE_PLAN",
    "DEFAULT_BACKGROUND_TIMEOUT",
    "DEFAULT_CLAIM_CLIENT_ID",
    "DEFAULT_REQUEST_TIMEOUT",
    "SCHEDULE_DAYS",
    "SCHEDULE_FEATURE_KEYS",
    "SIGNAL_CONNECTION_STATE",
    "SIGNAL_DATA",
    "WRITABLE_CONFIG_KEYS",
    "ChangeCallback",
    "ChargeMode",
    "ChargeState",
    "ChargerConfig",
    "ChargerFeatures",
    "ChargerStatus",
    "Claim",
    "ClaimProperties",
    "ClaimTarget",
    "DivertMode",
    "EvseState",
    "FirmwareVersion",
    "Limit",
    "LimitType",
    "LogEntry",
    "OpenEVSE",
    "OpenEVSEAuthenticationError",
    "OpenEVSECommandError",
    "OpenEVSEConnectionError",
    "OpenEVSEError",
    "OpenEVSEInvalidResponseError",
    "OpenEVSENotFoundError",
    "OpenEVSERateLimitError",
    "OpenEVSEResponseError",
    "OpenEVSEServerError",
    "OpenEVSETimeoutError",
    "OpenEVSEWebsocket",
    "Override",
    "PlanEntry",
    "ScheduleEvent",
    "SchedulePlan",
    "ServiceLevel",
    "StateCallback",
    "VehicleDataSource",
    "WebsocketCallback",
    "WebsocketHealth",
    "WebsocketOptions",
    "WebsocketState",
]
