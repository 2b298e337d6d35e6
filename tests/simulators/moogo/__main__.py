"""Run the Moogo cloud simulator standalone until interrupted (Ctrl-C or SIGTERM)."""

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
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--email", default=DEFAULT_EMAIL)
    parser.add_argument("--password", default=DEFAULT_PASSWORD)
    parser.add_argument("--devices", type=int, default=2, help="number of pumps (default 2)")
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
        devices=options.devices,
        spray_confirm_delay=options.spray_confirm_delay,
    )
    await simulator.start(options.host, options.port)
    print(f"Moogo cloud simulator at {simulator.url} ({len(simulator.device_ids)} pumps)")
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
