"""Fault switches of the simulated OpenEVSE charger."""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass
class ChargerFaults:
    """Misbehaviours to inject; every field may be changed at any time while the server runs.

    HTTP faults apply to every HTTP request, including the websocket handshake on ``/ws``;
    websockets that are already open are only affected by ``half_open`` (and by
    ``unknown_state`` / ``false_temperatures``, which change what the device reports).
    """

    http_status: int | None = None
    """Answer every HTTP request with this status: 401 comes with an empty body and the
    firmware's unquoted ``WWW-Authenticate: Basic realm=<hostname>`` challenge, 429 with
    ``{"msg":"locked"}`` (newer firmware's login throttle), anything else with
    ``{"msg":"<reason phrase>"}``."""
    html_error: bool = False
    """Answer every HTTP request with an HTML error page (status 500, ``text/html``)."""
    malformed_json: bool = False
    """JSON endpoints return truncated, invalid JSON while still claiming ``application/json``."""
    delay: float = 0.0
    """Seconds to wait before answering each HTTP request."""
    hang: bool = False
    """HTTP requests get no answer at all until the switch is cleared or the simulator stops."""
    refuse_websocket: bool = False
    """The ``/ws`` handshake is refused with ``503`` (plain HTTP, no upgrade)."""
    half_open: bool = False
    """Open websockets go silent: no deltas, no ``{"pong":1}``, no protocol pong, no close.

    A stalled link, not a lost one: what the charger sends meanwhile (deltas, the full status
    pushed to a client that connects) is held and delivered in order once the switch is cleared,
    as TCP delivers it, to every websocket still open then. Pings sent meanwhile stay
    unanswered."""
    unknown_state: bool = False
    """The charger reports ``state`` 42, a code outside the firmware's state table."""
    false_temperatures: bool = False
    """Every temperature (``temp``, ``temp_max``, ``temp1``..``temp4``) is reported as ``false``."""
    ota_fails: bool = False
    """A firmware update is rejected at its final check: ``{"ota":"failed"}``, no reboot."""
    ota_silent: bool = False
    """``POST /update {"url"}`` answers "started" and then nothing happens (the download never
    starts), as when the charger cannot reach the URL."""

    def clear(self) -> None:
        """Switch every fault off."""
        for field in fields(self):
            setattr(self, field.name, field.default)


UNKNOWN_STATE_CODE = 42
"""The state code reported while ``ChargerFaults.unknown_state`` is on."""

TEMPERATURE_KEYS = ("temp", "temp_max", "temp1", "temp2", "temp3", "temp4")
