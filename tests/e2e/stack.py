"""A live stack: the charger and cloud simulators in this process, a real Home Assistant beside it.

Used by the end-to-end test and by `scripts/develop`. Home Assistant runs as a child process
(`hass -c <config dir>`) with this working tree's integration linked into its
`custom_components/`; it is onboarded and configured only through its own HTTP APIs, the way
the frontend does it, so what works here works for a user.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[2]
INTEGRATION_DIR = ROOT / "custom_components" / "openevse_moogo"
DOMAIN = "openevse_moogo"
CLIENT_ID_PATH = "/"
CONFIGURATION_YAML = """\
homeassistant:
  name: OpenEVSE & Moogo demo
  unit_system: metric
  time_zone: Europe/Amsterdam
  country: NL
  currency: EUR
  latitude: 52.37
  longitude: 4.89
  elevation: 0
frontend:
config:
history:
logbook:
energy:
automation:
logger:
  default: warning
  logs:
    custom_components.openevse_moogo: {integration_log_level}
"""


def free_port() -> int:
    """Return a loopback TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class HomeAssistantError(RuntimeError):
    """Home Assistant answered an API call with an error."""


@dataclass
class HomeAssistantProcess:
    """A real Home Assistant child process on a loopback port."""

    config_dir: Path
    port: int = field(default_factory=free_port)
    integration_log_level: str = "info"
    extra_configuration: str = ""
    """YAML appended to configuration.yaml (the soak benchmark loads its probe so)."""
    extra_components: tuple[Path, ...] = ()
    """More custom integrations (their directories) linked beside ours."""
    process: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        """Base URL of the HTTP API and the frontend."""
        return f"http://127.0.0.1:{self.port}"

    def prepare(self) -> None:
        """Write a fresh configuration and link the working tree's integration into it."""
        self.config_dir.mkdir(parents=True, exist_ok=True)
        for stale in (".storage", "home-assistant_v2.db", "home-assistant.log"):
            path = self.config_dir / stale
            if path.is_dir():
                for child in sorted(path.rglob("*"), reverse=True):
                    child.unlink() if not child.is_dir() else child.rmdir()
                path.rmdir()
            elif path.exists():
                path.unlink()
        (self.config_dir / "configuration.yaml").write_text(
            CONFIGURATION_YAML.format(integration_log_level=self.integration_log_level)
            + self.extra_configuration,
            encoding="utf-8",
        )
        # Home Assistant keeps its HTTP settings in storage (YAML settings would be staged as a
        # change the owner must confirm in the UI): store loopback and our port as the settings.
        storage = self.config_dir / ".storage"
        storage.mkdir()
        (storage / "http").write_text(
            json.dumps(
                {
                    "version": 1,
                    "minor_version": 1,
                    "key": "http",
                    "data": {"server_host": ["127.0.0.1"], "server_port": self.port},
                }
            ),
            encoding="utf-8",
        )
        # The core configuration step of onboarding (location, units, time zone) is answered by
        # configuration.yaml above, so it is stored as done, as Home Assistant itself does when
        # it migrates an installation that predates the step. Completing it through the API would
        # also start the onboarding integrations (Google Translate, Met.no, Radio Browser,
        # Shopping list), which need the internet and fill a demo's log with errors.
        (storage / "onboarding").write_text(
            json.dumps(
                {
                    "version": 4,
                    "minor_version": 1,
                    "key": "onboarding",
                    "data": {"done": ["core_config"]},
                }
            ),
            encoding="utf-8",
        )
        custom = self.config_dir / "custom_components"
        custom.mkdir(exist_ok=True)
        for source in (INTEGRATION_DIR, *self.extra_components):
            link = custom / source.name
            if link.is_symlink() or link.exists():
                link.unlink()
            link.symlink_to(source, target_is_directory=True)

    async def start(self, *, within: float = 120.0) -> None:
        """Start Home Assistant and wait until its HTTP API answers."""
        self.prepare()
        hass = Path(sys.executable).with_name("hass")
        self.process = await asyncio.create_subprocess_exec(
            str(hass),
            "-c",
            str(self.config_dir),
            "--skip-pip",
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
            start_new_session=True,  # its own process group, so stop() reaches every child
        )
        async with aiohttp.ClientSession() as session, asyncio.timeout(within):
            while True:
                if self.process.returncode is not None:
                    raise HomeAssistantError(
                        f"Home Assistant exited with {self.process.returncode}; "
                        f"see {self.config_dir / 'home-assistant.log'}"
                    )
                with contextlib.suppress(aiohttp.ClientError):
                    async with session.get(f"{self.url}/api/onboarding") as response:
                        if response.status == 200:
                            return
                await asyncio.sleep(0.25)

    @property
    def log_file(self) -> Path:
        """The log Home Assistant writes into its configuration directory."""
        return self.config_dir / "home-assistant.log"

    def log_problems(self) -> list[str]:
        """The log's ERROR and CRITICAL records and tracebacks (none on a healthy run)."""
        if not self.log_file.exists():
            return [f"{self.log_file} was not written"]
        return [
            line
            for line in self.log_file.read_text(encoding="utf-8", errors="replace").splitlines()
            if " ERROR " in line or " CRITICAL " in line or line.startswith("Traceback")
        ]

    async def stop(self, *, within: float = 30.0) -> None:
        """Stop Home Assistant (SIGTERM, then SIGKILL) and every process it started."""
        process, self.process = self.process, None
        if process is None or process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            async with asyncio.timeout(within):
                await process.wait()
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            await process.wait()


@dataclass
class HomeAssistantApi:
    """The REST calls the frontend makes: onboarding, config flows, states and actions."""

    session: aiohttp.ClientSession
    url: str
    token: str | None = None

    @property
    def _client_id(self) -> str:
        return f"{self.url}{CLIENT_ID_PATH}"

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        async with self.session.request(
            method, f"{self.url}{path}", headers=headers, **kwargs
        ) as response:
            body = await response.json(content_type=None) if response.content_length != 0 else None
            if response.status >= 400:
                raise HomeAssistantError(f"{method} {path}: {response.status} {body}")
            return body

    async def onboard(self, *, name: str, username: str, password: str) -> None:
        """Create the owner account, finish onboarding and keep an access token."""
        created = await self._call(
            "POST",
            "/api/onboarding/users",
            json={
                "client_id": self._client_id,
                "name": name,
                "username": username,
                "password": password,
                "language": "en",
            },
        )
        tokens = await self._call(
            "POST",
            "/auth/token",
            data={
                "grant_type": "authorization_code",
                "code": created["auth_code"],
                "client_id": self._client_id,
            },
        )
        self.token = tokens["access_token"]
        await self._call("POST", "/api/onboarding/analytics")
        await self._call(
            "POST",
            "/api/onboarding/integration",
            json={"client_id": self._client_id, "redirect_uri": f"{self.url}/?auth_callback=1"},
        )

    async def config_flow(
        self, *, menu_choice: str, steps: list[dict[str, Any]], advanced: bool = False
    ) -> dict[str, Any]:
        """Run the integration's config flow: pick a menu entry, then submit each step's form."""
        result = await self._call(
            "POST",
            "/api/config/config_entries/flow",
            json={"handler": DOMAIN, "show_advanced_options": advanced},
        )
        flow_path = f"/api/config/config_entries/flow/{result['flow_id']}"
        result = await self._call("POST", flow_path, json={"next_step_id": menu_choice})
        for user_input in steps:
            if result["type"] != "form":
                raise HomeAssistantError(f"flow ended early: {result}")
            result = await self._call("POST", flow_path, json=user_input)
            if result.get("errors"):
                raise HomeAssistantError(f"flow step {result['step_id']}: {result['errors']}")
        if result["type"] != "create_entry":
            raise HomeAssistantError(f"flow did not create an entry: {result}")
        return dict(result)

    async def options_flow(self, entry_id: str, user_input: dict[str, Any]) -> dict[str, Any]:
        """Open an entry's options and submit its one form, as the Configure dialog does."""
        result = await self._call(
            "POST", "/api/config/config_entries/options/flow", json={"handler": entry_id}
        )
        flow_path = f"/api/config/config_entries/options/flow/{result['flow_id']}"
        result = await self._call("POST", flow_path, json=user_input)
        if result["type"] != "create_entry":
            raise HomeAssistantError(f"options flow did not finish: {result}")
        return dict(result)

    async def set_state(
        self, entity_id: str, state: str, attributes: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Set an entity's state and attributes in the state machine (REST ``POST /api/states``)."""
        return dict(
            await self._call(
                "POST",
                f"/api/states/{entity_id}",
                json={"state": state, "attributes": attributes or {}},
            )
        )

    async def states(self) -> dict[str, dict[str, Any]]:
        """Every entity state, by entity id."""
        return {state["entity_id"]: state for state in await self._call("GET", "/api/states")}

    async def state(self, entity_id: str) -> dict[str, Any]:
        """One entity's state."""
        return dict(await self._call("GET", f"/api/states/{entity_id}"))

    async def call_action(self, domain: str, action: str, data: dict[str, Any]) -> Any:
        """Call an action (service) and wait for it to finish."""
        return await self._call("POST", f"/api/services/{domain}/{action}", json=data)

    async def websocket_command(self, command: dict[str, Any]) -> Any:
        """Send one command over the websocket API (what the frontend uses for dashboards)."""
        async with self.session.ws_connect(f"{self.url}/api/websocket") as ws:
            await ws.receive_json()  # auth_required
            await ws.send_json({"type": "auth", "access_token": self.token})
            if (await ws.receive_json())["type"] != "auth_ok":
                raise HomeAssistantError("websocket authentication failed")
            await ws.send_json({"id": 1, **command})
            reply = await ws.receive_json()
        if not reply.get("success"):
            raise HomeAssistantError(f"{command['type']}: {reply.get('error')}")
        return reply.get("result")

    async def render_template(self, template: str) -> str:
        """Render a template on the server (how the test finds device ids)."""
        headers = {"Authorization": f"Bearer {self.token}"}
        async with self.session.post(
            f"{self.url}/api/template", headers=headers, json={"template": template}
        ) as response:
            if response.status >= 400:
                raise HomeAssistantError(f"template: {response.status}")
            return await response.text()

    async def wait_for_state(
        self, entity_id: str, expected: str, *, within: float = 15.0
    ) -> dict[str, Any]:
        """Poll the REST API until the entity has the expected state."""
        last: dict[str, Any] | None = None
        try:
            async with asyncio.timeout(within):
                while True:
                    with contextlib.suppress(HomeAssistantError):
                        last = await self.state(entity_id)
                        if last["state"] == expected:
                            return last
                    await asyncio.sleep(0.2)
        except TimeoutError as err:
            raise HomeAssistantError(f"{entity_id} stayed {last} instead of {expected}") from err


async def add_charger(
    api: HomeAssistantApi, *, port: int, host: str = "127.0.0.1"
) -> dict[str, Any]:
    """Add the simulated charger through the integration's config flow."""
    return await api.config_flow(
        menu_choice="charger",
        steps=[{"host": host, "port": port, "ssl": False, "verify_ssl": True}],
    )


async def add_moogo_account(
    api: HomeAssistantApi, *, email: str, password: str, cloud_url: str
) -> dict[str, Any]:
    """Add the simulated Moogo account through the integration's config flow."""
    return await api.config_flow(
        menu_choice="moogo",
        steps=[{"email": email, "password": password, "advanced": {"url": cloud_url}}],
    )
