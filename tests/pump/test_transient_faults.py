"""A transient cloud failure keeps entities at their last values for a grace; others do not.

The grace of a pump's status is two of its cycles (120 s at the default 60 s): a single lost
answer (a 503, a Cloudflare page, unreadable JSON, a 429) changes nothing but the connectivity
sensor and diagnostics, and logs no ERROR (the autouse log check fails any test that logs one
undeclared); three failed reads in a row outlast it, and that one is reported. A refused login
shows at once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntry
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant

from custom_components.openevse_moogo.clients.moogo import MoogoRateLimitError
from custom_components.openevse_moogo.const import DOMAIN
from custom_components.openevse_moogo.pump.diagnostics import async_get_pump_diagnostics
from tests.simulators.moogo import MoogoCloudSimulator

from .conftest import coordinator_of, let_time_pass

TEMPERATURE = "sensor.backyard_temperature"
SPRAY = "switch.backyard_spray"
ONLINE = "binary_sensor.backyard_online"
STATUS_ERROR = ("custom_components.openevse_moogo", "^Error fetching Moogo Backyard status data")


def _state(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state


def _status_reads(sim: MoogoCloudSimulator, since: int) -> int:
    path = f"/v1/devices/{sim.device_ids[0]}"
    return sum(1 for method, p in sim.requests[since:] if method == "GET" and p == path)


def _fail_with(sim: MoogoCloudSimulator, fault: str) -> None:
    if fault == "html":
        sim.faults.html_error = True
    elif fault == "malformed_json":
        sim.faults.malformed_json = True
    else:
        sim.faults.http_status = int(fault)


def _heal(sim: MoogoCloudSimulator) -> None:
    sim.faults.html_error = sim.faults.malformed_json = False
    sim.faults.http_status = None


@pytest.mark.parametrize("fault", ["503", "html", "malformed_json", "500"])
async def test_a_single_failed_read_keeps_the_values(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    frozen_account: tuple[MoogoCloudSimulator, ConfigEntry],
    fault: str,
) -> None:
    """One lost status read: every entity keeps its value, the connectivity sensor says off."""
    sim, entry = frozen_account
    before = {state.entity_id: state.state for state in hass.states.async_all()}
    _fail_with(sim, fault)
    await let_time_pass(hass, freezer, 61)  # the regular status read fails
    assert _state(hass, ONLINE) == STATE_OFF
    diagnostics = await async_get_pump_diagnostics(hass, entry)
    status = next(r for r in diagnostics["readers"] if r["name"] == "Moogo Backyard status")
    assert (status["last_read_ok"], status["usable"]) == (False, True)
    assert status["error"] in {"MoogoServerError", "MoogoInvalidResponseError"}
    after = {state.entity_id: state.state for state in hass.states.async_all()}
    assert {key: value for key, value in after.items() if value != before[key]} == {
        ONLINE: STATE_OFF
    }
    _heal(sim)
    await let_time_pass(hass, freezer, 60)
    assert _state(hass, ONLINE) == STATE_ON
    assert _state(hass, TEMPERATURE) == "22.0"


@pytest.mark.expected_errors(STATUS_ERROR)
async def test_three_failed_reads_in_a_row_outlast_the_grace(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    frozen_account: tuple[MoogoCloudSimulator, ConfigEntry],
    integration_errors: list[str],
) -> None:
    """Reads failing at 60, 120 and 180 s: values kept until 180 s, then unavailable.

    The two failures within the grace log nothing above DEBUG; the one that ends it is reported
    once, as Home Assistant reports any failing coordinator.
    """
    sim, _entry = frozen_account
    sim.faults.http_status = 503
    await let_time_pass(hass, freezer, 121)  # two failed reads: still within the grace
    assert _state(hass, TEMPERATURE) == "22.0"
    assert _state(hass, SPRAY) == STATE_OFF
    assert _state(hass, ONLINE) == STATE_OFF
    assert integration_errors == []
    await let_time_pass(hass, freezer, 60)  # the third
    assert _state(hass, TEMPERATURE) == STATE_UNAVAILABLE
    assert _state(hass, SPRAY) == STATE_UNAVAILABLE
    assert _state(hass, ONLINE) == STATE_OFF  # the connection sensor itself stays available
    assert integration_errors == ["Error fetching Moogo Backyard status data"]
    await let_time_pass(hass, freezer, 60)  # a fourth failure: nothing new to report
    assert len(integration_errors) == 1
    sim.faults.http_status = None
    await let_time_pass(hass, freezer, 61)
    assert _state(hass, TEMPERATURE) == "22.0"
    assert _state(hass, ONLINE) == STATE_ON


class _ErrorLines(logging.Handler):
    """Keeps the integration's ERROR lines up to their colon (the error's text varies)."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage().split(":")[0])


@pytest.fixture
def integration_errors() -> Iterator[list[str]]:
    """The ERROR lines the integration logs during the test, as they come."""
    handler = _ErrorLines()
    logger = logging.getLogger("custom_components.openevse_moogo")
    logger.addHandler(handler)
    yield handler.lines
    logger.removeHandler(handler)


async def test_rate_limit_waits_for_retry_after_and_keeps_the_values(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    frozen_account: tuple[MoogoCloudSimulator, ConfigEntry],
) -> None:
    """A 429 with Retry-After 300: no read before it, the values kept until the read after it."""
    sim, entry = frozen_account
    sim.faults.http_status = 429
    sim.faults.retry_after = 300
    await let_time_pass(hass, freezer, 61)
    status = coordinator_of(entry).pumps[sim.device_ids[0]].status
    assert isinstance(status.error, MoogoRateLimitError)
    assert _state(hass, ONLINE) == STATE_OFF
    sim.faults.http_status = None
    first = len(sim.requests)
    await let_time_pass(hass, freezer, 295)
    assert _status_reads(sim, first) == 0  # the cloud asked for five minutes of quiet
    assert _state(hass, TEMPERATURE) == "22.0"  # beyond two cycles, within the Retry-After
    await let_time_pass(hass, freezer, 10)
    assert _status_reads(sim, first) == 1
    assert status.read_ok
    assert _state(hass, ONLINE) == STATE_ON


@pytest.mark.expected_errors(
    ("custom_components.openevse_moogo", "^Authentication failed while fetching Moogo Backyard")
)
async def test_refused_login_shows_at_once_and_asks_to_sign_in(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    frozen_account: tuple[MoogoCloudSimulator, ConfigEntry],
) -> None:
    """Token rejected and the password refused: no grace, unavailable, reauth; online is off."""
    sim, _entry = frozen_account
    sim.expire_tokens()
    sim.faults.wrong_password = True
    await let_time_pass(hass, freezer, 61)
    assert _state(hass, TEMPERATURE) == STATE_UNAVAILABLE
    assert _state(hass, ONLINE) == STATE_OFF
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


@pytest.mark.expected_errors(STATUS_ERROR)
async def test_sign_in_outage_at_a_token_expiry_spends_no_login_budget(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    frozen_account: tuple[MoogoCloudSimulator, ConfigEntry],
) -> None:
    """The token expires while sign-in answers 503 for ten minutes: the failed logins are
    spaced (10 s doubling to a minute), none is counted against the hourly budget, and the
    pump is back within two of its read cycles once sign-in is."""
    sim, entry = frozen_account
    guard = coordinator_of(entry).cloud.client.login_guard
    counted = guard.attempts_in_window
    logins_before = sim.requests.count(("POST", "/v1/user/login"))
    sim.expire_tokens()
    sim.faults.login_http_status = 503
    await let_time_pass(hass, freezer, 600)
    assert _state(hass, TEMPERATURE) == STATE_UNAVAILABLE  # an outage past the grace
    tried = sim.requests.count(("POST", "/v1/user/login")) - logins_before
    assert 5 <= tried <= 10  # a read a minute; spaced 10, 20, 40, then 60 s
    assert guard.attempts_in_window == counted
    sim.faults.login_http_status = None
    await let_time_pass(hass, freezer, 125)  # the next spaced try within 60 s, then a read
    assert _state(hass, TEMPERATURE) == "22.0"
    assert _state(hass, ONLINE) == STATE_ON
    assert guard.attempts_in_window == counted + 1
