"""Run the OpenEVSE simulator standalone until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from .profiles import PROFILES
from .simulator import ChargerSimulator


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tests.simulators.openevse",
        description="Serve a simulated OpenEVSE charger (HTTP API and /ws).",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--profile", choices=PROFILES, default="v5")
    parser.add_argument("--username", default=None)
    parser.add_argument("--password", default=None)
    parser.add_argument("--tick", type=float, default=1.0, help="seconds between deltas")
    parser.add_argument("--ws-auth", action="store_true", help="require auth on /ws")
    parser.add_argument("--scenario", action="store_true", help="run the demo charging loop")
    return parser.parse_args()


async def _serve(args: argparse.Namespace) -> None:
    simulator = ChargerSimulator(
        profile=args.profile,
        username=args.username,
        password=args.password,
        tick=args.tick,
        ws_auth=args.ws_auth,
    )
    await simulator.start(args.host, args.port)
    if args.scenario:
        simulator.start_scenario()
    print(f"OpenEVSE simulator ({args.profile}) at {simulator.url} - Ctrl-C to stop", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await simulator.stop()


def main() -> None:
    """Entry point."""
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(_arguments()))


if __name__ == "__main__":
    main()
