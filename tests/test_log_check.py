"""The autouse log check (tests/conftest.py) fails what it should, and only that."""

from __future__ import annotations

import logging

from tests.conftest import ExpectedError, ProblemCollector, logged_problems

INTEGRATION = "custom_components.openevse_moogo"


def _collect(*records: tuple[str, int, str, bool]) -> list[logging.LogRecord]:
    """Emit records (logger, level, message, with a traceback) through the collector."""
    collector = ProblemCollector()
    err = KeyError("pump")
    for name, level, message, traceback in records:
        exc_info = (type(err), err, None) if traceback else None
        collector.handle(logging.LogRecord(name, level, __file__, 1, message, (), exc_info))
    return collector.records


def test_errors_tracebacks_and_deprecation_reports_are_collected_nothing_else() -> None:
    records = _collect(
        (INTEGRATION, logging.ERROR, "Unexpected error updating listener", False),
        (INTEGRATION, logging.WARNING, "Could not feed values", True),
        (
            "homeassistant.helpers.frame",
            logging.WARNING,
            "Detected that custom integration x",
            False,
        ),
        (INTEGRATION, logging.WARNING, "Could not feed values", False),
        (INTEGRATION, logging.DEBUG, "Full error:", True),
        (INTEGRATION, logging.INFO, "Charger is reachable again", False),
    )
    assert [record.getMessage() for record in records] == [
        "Unexpected error updating listener",
        "Could not feed values",
        "Detected that custom integration x",
    ]


def test_an_undeclared_error_fails() -> None:
    records = _collect((INTEGRATION, logging.ERROR, "Error unloading entry", True))
    problems = logged_problems(records, [])
    assert len(problems) == 1
    assert problems[0].startswith(f"unexpected: ERROR {INTEGRATION}: Error unloading entry\n")
    assert "KeyError: 'pump'" in problems[0]


def test_a_declared_error_passes_only_from_its_logger_and_when_logged() -> None:
    declared = [ExpectedError(INTEGRATION, "^Error fetching .* HTTP 503")]
    assert (
        logged_problems(_collect((INTEGRATION, 40, "Error fetching x: HTTP 503", False)), declared)
        == []
    )
    other_logger = _collect(("aiohttp.server", 40, "Error fetching x: HTTP 503", False))
    assert logged_problems(other_logger, declared)[0].startswith("unexpected: ERROR aiohttp")
    assert logged_problems([], declared) == [f"declared but not logged: {declared[0]}"]
    assert logged_problems([], [], declared) == []  # required=False: it may not happen


def test_a_deprecation_report_fails_even_when_declared() -> None:
    report = "Detected that custom integration 'openevse_moogo' accesses `config_entries`"
    records = _collect(("homeassistant.helpers.frame", logging.WARNING, report, False))
    declared = [ExpectedError("homeassistant.helpers.frame", "Detected")]
    assert logged_problems(records, declared) == [
        f"unexpected: WARNING homeassistant.helpers.frame: {report}"
    ]
