"""A faithful simulator of the Moogo cloud API (``https://api.moogo.com/``) for tests and demos.

It is a real aiohttp server speaking the vendor's ``v1`` wire format: the
``{code, message, data}`` envelope with business errors on HTTP 200, login with the daily cap,
the per-request ``token`` header (missing or empty means anonymous; a bad or expired token
answers HTTP 401), the device list and status, start/stop with the delayed ``runStatus`` flip and
the ``latestSprayingEnd`` countdown, schedules with the master switch and ``nextSprayingTime`` in
the device's IANA zone, configuration with the server's key whitelist, spray history, OTA, rename
and the public catalogue routes. POST values are accepted as JSON strings (what the vendor app
sends) or native JSON values; PUTs accept an empty body. How closely each behaviour follows the
real cloud, and the test that pins it, is in ``FIDELITY.md`` next to this file.

Use::

    from tests.simulators.moogo import MoogoCloudSimulator, MoogoFaults

    sim = MoogoCloudSimulator(spray_confirm_delay=0.05, devices=2)
    await sim.start()                     # sim.url == "http://127.0.0.1:<port>/"
    ...                                   # log in with sim.email / sim.password
    sim.faults.http_status = 503          # fault switches apply to the next request
    sim.set_online(sim.device_ids[0], False)
    await sim.stop()

Public API of :class:`MoogoCloudSimulator`:

- ``MoogoCloudSimulator(*, email="demo@example.com", password="moogo-demo",
  token_ttl=31536000, spray_confirm_delay=4.0, devices=1, ota_seconds=30.0, clock=time.time)``
- ``await start(host="127.0.0.1", port=0)``, ``await stop()``, ``async with`` (free port)
- attributes ``url`` (with trailing slash), ``faults`` (:class:`MoogoFaults`), ``requests``
  (``(method, path)`` of every request, path like ``"/v1/devices"``), ``login_count``
  (successful logins), ``email``, ``password``, ``user_id``, ``device_ids``
- world control: ``add_device(*, name, online, temperature, humidity, rssi, water_low,
  concentrate_low, firmware, time_zone, spraying_seconds, liquid_name, liquid_concentration)
  -> device_id``, ``remove_device(id)`` (routes answer code 404), ``revoke_access(id)`` (403),
  ``set_online``, ``set_temperature`` (below 8 degC start answers 10202), ``set_humidity``,
  ``set_rssi``, ``set_levels(id, *, water_low=None, concentrate_low=None)``,
  ``set_weather(id, *, rain=None, snow=None, wind=None)`` (with the config's stop flags set,
  scheduled sprays are held back; ``stopTemperature`` does the same below its degrees),
  ``offer_firmware(id, version, description="")``, ``start_scheduled_spray(id, seconds)``,
  ``expire_tokens()``
- inspection: ``device(id)`` (live ``DeviceStatus``), ``schedules(id)``, ``history(id)``,
  ``config(id)``, ``now()``
- ``await run_scenario(*, step=20.0)``: the endless demo story (cancel the task to end it)

Fault switches (:class:`MoogoFaults`, read on every request): ``wrong_password``,
``login_cap_after`` (the cloud's daily cap, on by default at 10 attempts; ``None`` lifts it),
``login_http_status`` (only logins fail), ``http_status`` (+
``retry_after`` for 429), ``html_error`` (+ ``html_status``, default 522), ``malformed_json``,
``delay``, ``hang``, ``json_unauthorized`` (JSON code 401 on HTTP 200 for a rejected token),
``unconfirmed_commands`` (start/stop acknowledged but the pump never acts).

Run standalone: ``python -m tests.simulators.moogo --port 8081 [--host H] [--scenario]
[--email E --password P] [--devices N]``.
"""

from .faults import MoogoFaults
from .server import DEFAULT_EMAIL, DEFAULT_PASSWORD, MoogoCloudSimulator

__all__ = ["DEFAULT_EMAIL", "DEFAULT_PASSWORD", "MoogoCloudSimulator", "MoogoFaults"]
