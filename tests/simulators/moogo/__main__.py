"""Run the Moogo cloud simulator standalone until interrupted (Ctrl-C or SIGTERM).

A second account (say, for the demo) is a second cloud with its own port and e-mail; its pumps'
ids follow from the e-mail, and ``--pump-name`` keeps their entity ids apart from the first's:

    python -m tests.simulators.moogo --port 8083 --email second@example.com \
        --password other-secret --devices 1 --pump-name Terrace
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal

from .server import DEFAULT_EMAIL, DEFAULT_PASSWORD, MoogoCloudSimulator


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tests.simulators.moogo", description="Simulated Moogo cloud API"
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8081, help="port to listen on (0: any free)")
    parser.add_argument("--email", default=DEFAULT_EMAIL, help="the account's e-mail")
    parser.add_argument("--password", default=DEFAULT_PASSWORD, help="the account's password")
    parser.add_argument("--devices", type=int, default=2, help="number of pumps (default 2)")
    parser.add_argument(
        "--pump-name",
        action="append",
        default=[],
        metavar="NAME",
        help="name of the next pump (repeat for each; the rest keep the default names)",
    )
    parser.add_argument(
        "--spray-confirm-delay", type=float, default=4.0, help="seconds until runStatus flips"
    )
    parser.add_argument("--scenario", action="store_true", help="play the endless demo story")
    parser.add_argument("--step", type=float, default=20.0, help="seconds per scenario beat")
    return parser.parse_args()


async def _serve(options: argparse.Namespace) -> None:
    simulator = MoogoCloudSimulator(
        email=options.email,
        password=options.password,
        devices=0,
        spray_confirm_delay=options.spray_confirm_delay,
    )
    names: list[str] = options.pump_name
    for index in range(max(options.devices, len(names))):
        simulator.add_device(name=names[index] if index < len(names) else None)
    await simulator.start(options.host, options.port)
    count = len(simulator.device_ids)
    print(f"Moogo cloud simulator at {simulator.url} ({count} pump{'' if count == 1 else 's'})")
    print(f"Log in as {simulator.email}; Ctrl-C stops it.", flush=True)
    done = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, done.set)
    story = (
        asyncio.create_task(simulator.run_scenario(step=options.step)) if options.scenario else None
    )
    try:
        await done.wait()
    finally:
        if story is not None:
            story.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await story
        await simulator.stop()


def main() -> None:
    """Parse the command line and serve."""
    asyncio.run(_serve(_arguments()))


if __name__ == "__main__":
    main()
