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
        "expected_errors(*(logger, message_regex)): errors this test provokes on purpose; "
        "each must be logged at least once and nothing else may be",
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


class _ProblemCollector(logging.Handler):
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
    then be logged, so a declaration cannot outlive the behaviour it describes.
    """
    expected = [
        ExpectedError(*spec)
        for marker in request.node.iter_markers("expected_errors")
        for spec in marker.args
    ]
    collector = _ProblemCollector()
    root = logging.getLogger()
    root.addHandler(collector)
    try:
        yield
    finally:
        root.removeHandler(collector)
    unexpected = [
        record
        for record in collector.records
        if not any(item.matches(record) for item in expected)
        or any(report in record.getMessage() for report in DEPRECATION_REPORTS)
    ]
    missing = [
        item for item in expected if not any(item.matches(record) for record in collector.records)
    ]
    problems = [f"unexpected: {_describe(record)}" for record in unexpected]
    problems += [f"declared but not logged: {item}" for item in missing]
    if problems:
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
