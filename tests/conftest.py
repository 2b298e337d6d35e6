"""Shared fixtures for the Home Assistant test harness."""

from __future__ import annotations

import logging
import re
from collections.abc import Generator
from dataclasses import dataclass
from unittest.mock import patch

import pytest

# Import the integration before any `hass` fixture runs: the harness ships its own package named
# `custom_components`, and Home Assistant's loader would otherwise find that one instead of ours.
from custom_components.openevse_moogo.const import DOMAIN

assert DOMAIN  # the import above is needed for its side effect


# What Home Assistant logs when an integration uses an API it deprecated (report_usage).
DEPRECATION_REPORTS = ("Detected that custom integration", "Detected code that")


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker a test uses to declare the errors it provokes on purpose."""
    config.addinivalue_line(
        "markers",
        "expected_errors(*(logger, message_regex), required=True): errors this test provokes "
        "on purpose; each must be logged at least once (with required=False: may be, for a "
        "race the test does not control) and nothing else may be",
    )


@dataclass(frozen=True)
class ExpectedError:
    """An error a test provokes on purpose: the logger and a regex its message must match."""

    logger: str
    message: str

    def matches(self, record: logging.LogRecord) -> bool:
        """Whether the record is this error."""
        return (
            record.name == self.logger and re.search(self.message, record.getMessage()) is not None
        )


class ProblemCollector(logging.Handler):
    """Collects errors, tracebacks and Home Assistant's deprecation reports from every logger."""

    def __init__(self) -> None:
        super().__init__(level=logging.NOTSET)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if (
            record.levelno >= logging.ERROR
            or (record.levelno >= logging.WARNING and record.exc_info is not None)
            or any(report in record.getMessage() for report in DEPRECATION_REPORTS)
        ):
            self.records.append(record)


def logged_problems(
    records: list[logging.LogRecord],
    expected: list[ExpectedError],
    may_happen: list[ExpectedError] = [],  # noqa: B006 - never mutated
) -> list[str]:
    """What makes a test fail: records nobody declared (a deprecation report always), and
    required declarations nothing matched."""
    declared = (*expected, *may_happen)
    unexpected = [
        record
        for record in records
        if not any(item.matches(record) for item in declared)
        or any(report in record.getMessage() for report in DEPRECATION_REPORTS)
    ]
    missing = [item for item in expected if not any(item.matches(record) for record in records)]
    return [f"unexpected: {_describe(record)}" for record in unexpected] + [
        f"declared but not logged: {item}" for item in missing
    ]


def _describe(record: logging.LogRecord) -> str:
    text = f"{record.levelname} {record.name}: {record.getMessage()}"
    if record.exc_info:
        text += "\n" + logging.Formatter().formatException(record.exc_info)
    return text


@pytest.fixture(autouse=True)
def fail_on_logged_problems(request: pytest.FixtureRequest) -> Generator[None]:
    """Fail the test on any error, traceback or deprecation report it did not declare.

    Set up before the `hass` fixture and torn down after it, so Home Assistant's start and stop
    are covered too. A test that provokes an error on purpose declares it with
    ``@pytest.mark.expected_errors(("logger", "message regex"), ...)``; each declared error must
    then be logged, so a declaration cannot outlive the behaviour it describes. Only an error
    that depends on a race the test does not control (a simulator noticing, or not, that a
    client gave up mid-request) is declared with ``required=False``.
    """
    expected: list[ExpectedError] = []
    may_happen: list[ExpectedError] = []
    for marker in request.node.iter_markers("expected_errors"):
        specs = [ExpectedError(*spec) for spec in marker.args]
        (expected if marker.kwargs.get("required", True) else may_happen).extend(specs)
    collector = ProblemCollector()
    root = logging.getLogger()
    root.addHandler(collector)
    try:
        yield
    finally:
        root.removeHandler(collector)
    if problems := logged_problems(collector.records, expected, may_happen):
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    fail_on_logged_problems: None, enable_custom_integrations: None
) -> None:
    """Let Home Assistant load the integration from custom_components/ in every test.

    Requesting the log check first sets it up before `hass` (which `enable_custom_integrations`
    needs), so it also sees what Home Assistant logs while it stops and unloads entries.
    """


@pytest.fixture
def entity_registry_enabled_by_default() -> Generator[None]:
    """Create every entity enabled, including those disabled by default."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        return_value=True,
    ):
        yield


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Capture every logger at DEBUG (request it with usefixtures to start before set-up)."""
    caplog.set_level(logging.DEBUG)
    return caplog


def everything_logged(caplog: pytest.LogCaptureFixture, *, skip: tuple[str, ...] = ()) -> str:
    """All that was logged (except by the loggers in ``skip``): messages and tracebacks."""
    lines = []
    for record in caplog.records:
        if record.name in skip:
            continue
        lines.append(record.getMessage())
        if record.exc_info:
            lines.append(logging.Formatter().formatException(record.exc_info))
    return "\n".join(lines)


@pytest.fixture(autouse=True)
def no_github(monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the firmware release check at a loopback port nobody listens on.

    Tests never reach the internet; those about firmware updates put a stand-in release server
    in place (tests/simulators/github_releases).
    """
    from custom_components.openevse_moogo.charger import releases

    monkeypatch.setattr(releases, "RELEASES_URL", "http://127.0.0.1:9/no-release-server")
