"""A faithful OpenEVSE WiFi gateway (ESP32 firmware 4.x/5.x) served over real sockets.

Usage in tests::

    sim = ChargerSimulator(profile="v5", username="admin", password="secret", tick=0.05)
    await sim.start()              # 127.0.0.1, free port; sim.url == "http://127.0.0.1:<port>"
    await sim.start_charging()     # car plugged in and charging: /ws gets deltas every tick
    sim.faults.http_status = 401   # fault switches apply from the next request on
    await sim.drop_websockets()    # or: await sim.reboot(downtime=0.2)
    await sim.stop()

Public API
----------
``ChargerSimulator(*, profile="v5", username=None, password=None, serial="A4CF12B37C40",
tick=1.0, ws_auth=False, restart_downtime=0.5)``

- ``await start(host="127.0.0.1", port=0)`` / ``await stop()`` (also ``async with``).
- ``host``, ``port``, ``url``, ``online``.
- ``status`` / ``config``: live device state in wire format (``config`` unmasked, secrets
  live in ``secrets``); ``faults``: a ``ChargerFaults`` to flip at any time.
- ``requests``: ``(method, path)`` of every HTTP request received, the ``/ws`` handshakes
  included (``("GET", "/ws")``).
- ``ws_connections`` (open now), ``ws_handshakes`` (accepted since creation).
- Device changes, each pushing only the changed keys to websocket clients:
  ``update_status(**fields)``, ``update_config(**fields)``, ``plug_in()``, ``unplug()``,
  ``start_charging()``, ``finish_charging()``, ``raise_fault(state)`` (4..11),
  ``clear_fault()``.
- Connectivity: ``drop_websockets()`` (abrupt cut, device keeps running),
  ``reboot(downtime=0.0)`` (connections reset, claims/limit/counters reset, port closed for
  ``downtime`` seconds, then back on the same port).
- ``car=CarModel(max_amps, draw_ratio, delay_s)``: the car follows the pilot ``delay_s`` late,
  up to its own maximum, drawing ``draw_ratio`` of what it may (default: no car model, the
  pilot is drawn at once); ``car.draw`` is what it draws now.
- Demo: ``run_scenario()`` (endless; cancel it) or ``start_scenario()`` (stopped by ``stop()``).
- ``claims`` (the claims engine), ``limit``, ``schedule`` for assertions.

Command line: ``python -m tests.simulators.openevse --port 8080 [--host 127.0.0.1]
[--scenario] [--profile v5|v4|dev] [--username U --password P] [--tick 1.0] [--ws-auth]``.
"""

from .car import CarModel
from .claims import CLIENT_LIMIT, CLIENT_MANUAL, Claim, ClaimsEngine
from .faults import UNKNOWN_STATE_CODE, ChargerFaults
from .profiles import FIRMWARE_VERSIONS, PROFILES
from .simulator import ChargerSimulator

__all__ = [
    "CLIENT_LIMIT",
    "CLIENT_MANUAL",
    "FIRMWARE_VERSIONS",
    "PROFILES",
    "UNKNOWN_STATE_CODE",
    "CarModel",
    "ChargerFaults",
    "ChargerSimulator",
    "Claim",
    "ClaimsEngine",
]
