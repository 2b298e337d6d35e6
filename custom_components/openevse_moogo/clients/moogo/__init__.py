"""Async client for the Moogo misting-pump cloud API.

A self-contained library (aiohttp and yarl only, no Home Assistant imports)::

    async with MoogoClient(email="...", password="...") as client:
        await client.authenticate()
        for device in await client.get_devices():
            status = await client.get_device_status(device.device_id)

See :mod:`.client` for session ownership, timeouts and the login policy, :mod:`.models` for the
data returned and :mod:`.exceptions` for the errors raised.
"""

from .client import DEFAULT_BASE_URL, DEFAULT_TIMEOUT, MoogoClient
from .exceptions import (
    MoogoApiError,
    MoogoAuthenticationError,
    MoogoConnectionError,
    MoogoDeviceNotFoundError,
    MoogoDeviceOfflineError,
    MoogoError,
    MoogoInvalidCredentialsError,
    MoogoInvalidResponseError,
    MoogoLoginLimitError,
    MoogoRateLimitError,
    MoogoServerError,
    MoogoTimeoutError,
    MoogoTooColdError,
    MoogoValidationError,
)
from .login_guard import DEFAULT_MAX_LOGINS_PER_HOUR, LoginGuard
from .models import (
    EVERY_DAY,
    CommandState,
    LiquidLevel,
    MoogoAuthToken,
    MoogoCommandResult,
    MoogoConfigUpdate,
    MoogoDevice,
    MoogoDeviceConfig,
    MoogoDeviceStatus,
    MoogoLiquidType,
    MoogoOtaInfo,
    MoogoRecommendedPlan,
    MoogoSchedule,
    MoogoSchedules,
    MoogoScheduleTemplate,
    MoogoSprayRecord,
    ScheduleSpec,
    SprayCommand,
    SprayMode,
    iana_time_zone_name,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_LOGINS_PER_HOUR",
    "DEFAULT_TIMEOUT",
    "EVERY_DAY",
    "CommandState",
    "LiquidLevel",
    "LoginGuard",
    "MoogoApiError",
    "MoogoAuthToken",
    "MoogoAuthenticationError",
    "MoogoClient",
    "MoogoCommandResult",
    "MoogoConfigUpdate",
    "MoogoConnectionError",
    "MoogoDevice",
    "MoogoDeviceConfig",
    "MoogoDeviceNotFoundError",
    "MoogoDeviceOfflineError",
    "MoogoDeviceStatus",
    "MoogoError",
    "MoogoInvalidCredentialsError",
    "MoogoInvalidResponseError",
    "MoogoLiquidType",
    "MoogoLoginLimitError",
    "MoogoOtaInfo",
    "MoogoRateLimitError",
    "MoogoRecommendedPlan",
    "MoogoSchedule",
    "MoogoScheduleTemplate",
    "MoogoSchedules",
    "MoogoServerError",
    "MoogoSprayRecord",
    "MoogoTimeoutError",
    "MoogoTooColdError",
    "MoogoValidationError",
    "ScheduleSpec",
    "SprayCommand",
    "SprayMode",
    "iana_time_zone_name",
]
