"""Run the OpenEVSE simulator standalone until Ctrl-C.

A second charger beside the first (say, for the demo) needs its own port, serial and host name:

    python -m tests.simulators.openevse --port 8082 --serial A4CF12B30002 \
        --hostname openevse-garage --profile v4 --username admin --password secret
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import re

from .profiles import PROFILES
from .simulator import ChargerSimulator

DEFAULT_SERIAL = "A4CF12B37C40"


def _serial(value: str) -> str:
    if not re.fullmatch(r"[0-9A-Fa-f]{12}", value):
        raise argparse.ArgumentTypeError(f"{value!r} is not 12 hex digits")
    return value.upper()


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tests.simulators.openevse",
        description="Serve a simulated OpenEVSE charger (HTTP API and /ws).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8080, help="port to listen on (0: any free)")
    parser.add_argument(
        "--serial",
        type=_serial,
        default=DEFAULT_SERIAL,
        help=f"the gateway's WiFi serial (12 hex digits, default {DEFAULT_SERIAL}); "
        "Home Assistant adds each serial once",
    )
    parser.add_argument(
        "--hostname",
        default=None,
        help="the charger's host name, the entry's title (default openevse-<last 4 of serial>)",
    )
    parser.add_argument(
        "--profile",
        choices=PROFILES,
        default="v5",
        help="firmware: v5 (5.1.x), v4 (4.1.x fields), dev (a master build)",
    )
    parser.add_argument("--username", default=None, help="require HTTP Basic auth as this user")
    parser.add_argument("--password", default=None, help="the password for --username")
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
        serial=args.serial,
    )
    if args.hostname:
        simulator.config["hostname"] = args.hostname
    await simulator.start(args.host, args.port)
    if args.scenario:
        simulator.start_scenario()
    print(
        f"OpenEVSE simulator {simulator.config['hostname']} ({args.profile}, serial "
        f"{simulator.serial}) at {simulator.url} - Ctrl-C to stop",
        flush=True,
    )
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
