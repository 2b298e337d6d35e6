"""What every peer guard shares: named checks, expected failures, the one-line JSON summary.

A guard (``tests/peers/<peer>/guard.py``) registers async checks on a ``PeerGuard`` and calls
``main()``. Each check runs with a timeout; a check that raises has failed, unless it is marked
as an expected failure (a bug of the peer, with its reason), in which case it is reported under
``expected_failures``. An expected failure that passes is reported as failed, so the list of
peer bugs stays honest. The last stdout line is the summary; the exit status is 0 iff nothing
failed.
"""

from __future__ import annotations

import asyncio
import json
import sys
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import NoReturn

Check = Callable[[], Awaitable[None]]


@dataclass
class _Registered:
    name: str
    run: Check
    expected_failure: str | None


@dataclass
class PeerGuard:
    """A set of checks of one peer at one version."""

    peer: str
    version: str
    timeout: float = 30.0
    _checks: list[_Registered] = field(default_factory=list)

    def check(self, name: str, *, expected_failure: str | None = None) -> Callable[[Check], Check]:
        """Register an async check; ``expected_failure`` names the peer's bug that fails it."""

        def register(run: Check) -> Check:
            if any(existing.name == name for existing in self._checks):
                raise ValueError(f"duplicate check {name!r}")
            self._checks.append(_Registered(name, run, expected_failure))
            return run

        return register

    async def run(self) -> dict[str, object]:
        """Run every check in order and return the summary."""
        passed: list[str] = []
        expected: list[dict[str, str]] = []
        failed: list[dict[str, str]] = []
        for check in self._checks:
            try:
                await asyncio.wait_for(check.run(), self.timeout)
            except Exception as err:
                error = f"{type(err).__name__}: {err}"
                if check.expected_failure is None:
                    print(f"FAILED {check.name}", file=sys.stderr)
                    traceback.print_exc(file=sys.stderr)
                    failed.append({"check": check.name, "error": error})
                else:
                    print(f"expected failure {check.name}: {error}", file=sys.stderr)
                    expected.append({"check": check.name, "reason": check.expected_failure})
                continue
            if check.expected_failure is None:
                passed.append(check.name)
            else:
                failed.append(
                    {
                        "check": check.name,
                        "error": "passed but is listed as an expected failure "
                        f"({check.expected_failure}): remove the mark",
                    }
                )
        return {
            "peer": self.peer,
            "version": self.version,
            "passed": passed,
            "expected_failures": expected,
            "failed": failed,
        }

    def main(self) -> NoReturn:
        """Run the checks, print the summary as the last stdout line, exit 0 iff none failed."""
        summary = asyncio.run(self.run())
        print(json.dumps(summary), flush=True)
        sys.exit(0 if not summary["failed"] else 1)
