"""Installing gateway firmware: start the download, follow the websocket, fail loudly.

The gateway answers ``POST /update {"url"}`` with ``started`` before it fetches anything
(web_server_update.cpp:50-82). From then on it reports only on the websocket: ``{"ota":
"started"}`` once the image begins to arrive, ``{"ota_progress": n}`` per percent written,
then ``{"ota": "completed"}`` and a reboot a second later, or ``{"ota": "failed"}`` when the
image is refused (http_update.cpp:96-173, main.cpp:325-328). A download that cannot start (an
unreachable URL, a TLS failure, a 404) calls error callbacks that do nothing: the charger goes
silent. That silence is the failure users report; here it becomes an error after a deadline.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from homeassistant.core import callback
from homeassistant.exceptions import HomeAssistantError

from ..const import DOMAIN, LOGGER
from . import const
from .const import REQUEST_TIMEOUT

if TYPE_CHECKING:
    from .coordinator import ChargerCoordinator

OTA_COMPLETED: Final = "completed"
OTA_FAILED: Final = "failed"


def _error(key: str, **placeholders: str) -> HomeAssistantError:
    return HomeAssistantError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


class FirmwareInstall:
    """One install on one charger: what the websocket said, in the order it said it."""

    def __init__(
        self, coordinator: ChargerCoordinator, on_progress: Callable[[int | None], None]
    ) -> None:
        """Follow ``coordinator``; ``on_progress`` gets each percentage the charger reports."""
        self._coordinator = coordinator
        self._on_progress = on_progress
        status = coordinator.data.status
        # The last message of an earlier install stays in the cache: only changes count.
        self._seen = (status.ota_state, status.ota_progress)
        self._reports: list[tuple[str | None, int | None]] = []
        self._news = asyncio.Event()

    @callback
    def _listen(self) -> None:
        status = self._coordinator.data.status
        report = (status.ota_state, status.ota_progress)
        if report != self._seen:
            # Every pushed message is one snapshot: record each, however fast they come.
            self._seen = report
            self._reports.append(report)
            self._news.set()

    async def async_run(self, url: str, version: str) -> None:
        """Install the image at ``url`` (release ``version``); return once it is flashed.

        Raises a translated error when the charger reports failure, stays silent after the
        request, or stops reporting progress.
        """
        coordinator = self._coordinator
        remove = coordinator.async_add_listener(self._listen)
        try:
            await coordinator.async_command(
                lambda client: client.start_firmware_update(url, request_timeout=REQUEST_TIMEOUT)
            )
            await self._async_follow(version)
        finally:
            remove()
        coordinator.config_entry.async_create_background_task(
            coordinator.hass, self._async_follow_reboot(), "openevse firmware reboot"
        )

    async def _async_follow(self, version: str) -> None:
        loop = asyncio.get_running_loop()
        started = False
        last_sign = loop.time()
        last_progress = self._seen[1]
        while True:
            deadline = const.OTA_STALL_DEADLINE if started else const.OTA_START_DEADLINE
            remaining = last_sign + deadline - loop.time()
            try:
                async with asyncio.timeout(max(remaining, 0)):
                    await self._news.wait()
            except TimeoutError:
                key = "charger_update_stalled" if started else "charger_update_silent"
                raise _error(key, seconds=f"{deadline:g}", version=version) from None
            self._news.clear()
            reports, self._reports = self._reports, []
            for state, progress in reports:
                last_sign = loop.time()
                if state == OTA_FAILED:
                    raise _error("charger_update_failed", version=version)
                if state == OTA_COMPLETED:
                    self._on_progress(100)
                    return
                started = True
                if progress != last_progress:
                    last_progress = progress
                    self._on_progress(progress)

    async def _async_follow_reboot(self) -> None:
        """Read the new firmware's config once the charger is back from its reboot.

        The configuration counter starts again at the same value after a boot, so nothing else
        would tell the client to refetch the config that names the new version. The reboot
        shows as the push channel dropping and coming back, or as a new boot time.
        """
        coordinator = self._coordinator
        booted = coordinator.data.boot_time
        back = asyncio.Event()
        went_down = False

        @callback
        def listen() -> None:
            nonlocal went_down
            data = coordinator.data
            if not data.push_connected:
                went_down = True
            elif went_down or data.boot_time != booted:
                back.set()

        remove = coordinator.async_add_listener(listen)
        try:
            async with asyncio.timeout(const.OTA_REBOOT_DEADLINE):
                await back.wait()
        except TimeoutError:
            LOGGER.info("%s did not come back from its firmware update", coordinator.name)
            return
        finally:
            remove()
        try:
            await coordinator.async_command(
                lambda client: client.update(request_timeout=REQUEST_TIMEOUT)
            )
        except HomeAssistantError as err:
            LOGGER.debug("Could not read %s after its firmware update: %s", coordinator.name, err)
