"""The "Charging circuit" flow and options: validation, the fallback consent, removal."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openevse_moogo.const import DOMAIN
from custom_components.openevse_moogo.families import family_for
from tests.simulators.openevse import ChargerSimulator

from .conftest import controller_of, create_circuit, pilots, wait_until


async def _circuit_form(hass: HomeAssistant) -> dict[str, Any]:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": "user"})
    assert "circuit" in result["menu_options"]
    return dict(
        await hass.config_entries.flow.async_configure(
            result["flow_id"], {"next_step_id": "circuit"}
        )
    )


def _form(members: list[MockConfigEntry], **changes: Any) -> dict[str, Any]:
    return {
        "name": "Garage",
        "limit": 40,
        "phases": "1",
        "chargers": [e.entry_id for e in members],
        "margin": 1,
    } | changes


async def test_no_chargers_no_circuit(hass: HomeAssistant) -> None:
    result = await _circuit_form(hass)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "circuit_no_chargers"


async def test_the_circuit_form_rejects_what_cannot_be_safe(
    hass: HomeAssistant, charger_entries: list[MockConfigEntry]
) -> None:
    result = await _circuit_form(hass)
    flow_id = result["flow_id"]
    cases: list[tuple[dict[str, Any], dict[str, str]]] = [
        (_form(charger_entries, margin=40), {"margin": "circuit_margin_too_large"}),
        (_form(charger_entries, chargers=[]), {"chargers": "circuit_no_members"}),
        (
            _form(charger_entries, load_current=["sensor.a", "sensor.b"]),
            {"load_current": "circuit_load_phases"},
        ),
        (
            _form(charger_entries, load_current=["sensor.a"], load_power="sensor.p"),
            {"load_power": "circuit_load_twice"},
        ),
    ]
    for user_input, errors in cases:
        result = await hass.config_entries.flow.async_configure(flow_id, user_input)
        assert result["type"] is FlowResultType.FORM
        assert result["errors"] == errors
    # A charger that is not connected cannot take its fallback.
    await hass.config_entries.async_unload(charger_entries[2].entry_id)
    result = await hass.config_entries.flow.async_configure(flow_id, _form(charger_entries))
    assert result["errors"] == {"chargers": "circuit_charger_not_loaded"}
    result = await hass.config_entries.flow.async_configure(flow_id, _form(charger_entries[:2]))
    assert result["step_id"] == "circuit_consent"
    # No consent, no circuit.
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"fallback_mode": "pause", "consent": False}
    )
    assert result["errors"] == {"consent": "circuit_consent_required"}


async def test_a_charger_is_on_one_circuit_only(
    hass: HomeAssistant, charger_entries: list[MockConfigEntry]
) -> None:
    await create_circuit(hass, charger_entries[:2])
    result = await _circuit_form(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _form(charger_entries[1:], name="Drive")
    )
    assert result["errors"] == {"chargers": "circuit_charger_taken"}


async def test_static_shares_are_shown_written_and_put_back_on_removal(
    hass: HomeAssistant,
    chargers: list[ChargerSimulator],
    charger_entries: list[MockConfigEntry],
) -> None:
    result = await _circuit_form(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _form(charger_entries)
    )
    assert result["step_id"] == "circuit_consent"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"fallback_mode": "static_share", "consent": False}
    )
    # The form shows the shares of the mode chosen.
    assert result["description_placeholders"]["shares"] == (
        "Charger 1: 13 A, Charger 2: 13 A, Charger 3: 13 A"
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"fallback_mode": "static_share", "consent": True}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    circuit = result["result"]
    assert [c.config["max_current_soft"] for c in chargers] == [13, 13, 13]
    assert circuit.data["shares"] == {e.entry_id: 13 for e in charger_entries}
    # A car alone is capped by its share: the charger enforces it even without us.
    await hass.async_block_till_done()
    await chargers[0].start_charging()
    await wait_until(lambda: pilots(chargers)[0] == 13)
    await hass.config_entries.async_remove(circuit.entry_id)
    await hass.async_block_till_done()
    assert [c.config["max_current_soft"] for c in chargers] == [32, 32, 32]
    # Our claim no longer carries the circuit's share.
    for sim, entry in zip(chargers, charger_entries, strict=True):
        claim = sim.claims.claims.get(entry.runtime_data.client.claim_client_id)
        assert claim is None or "max_current" not in claim.properties


async def test_a_charger_refusing_its_fallback_saves_nothing(
    hass: HomeAssistant,
    chargers: list[ChargerSimulator],
    charger_entries: list[MockConfigEntry],
) -> None:
    result = await _circuit_form(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _form(charger_entries)
    )
    chargers[1].faults.http_status = 500
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"fallback_mode": "pause", "consent": True}
    )
    assert result["errors"] == {"base": "circuit_fallback_failed"}
    chargers[1].faults.http_status = None
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"fallback_mode": "pause", "consent": True}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    # The original was recorded before anything was written, so removal puts it back.
    previous = result["result"].data["fallback_previous"]
    assert {v["default_state"] for v in previous.values()} == {True}


async def test_three_phases_each_charger_on_its_phase(
    hass: HomeAssistant, charger_entries: list[MockConfigEntry]
) -> None:
    ids = [e.entry_id for e in charger_entries]
    result = await _circuit_form(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _form(charger_entries, phases="3", limit=25)
    )
    assert result["step_id"] == "circuit_phases"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"phase_1": ids[:2], "phase_2": ids[1:]}
    )
    assert result["errors"] == {"base": "circuit_phase_assignment"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"phase_1": ids[:1], "phase_2": ids[1:2], "phase_all": ids[2:]}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"fallback_mode": "pause", "consent": True}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert [m["phase"] for m in result["result"].data["members"]] == ["1", "2", "all"]
    controller = controller_of(hass, result["result"].entry_id)
    assert controller.settings.circuit.phase_ids == (1, 2, 3)


async def test_options_change_the_circuit_and_give_a_charger_back(
    hass: HomeAssistant,
    chargers: list[ChargerSimulator],
    charger_entries: list[MockConfigEntry],
) -> None:
    circuit_id = await create_circuit(hass, charger_entries)
    assert [c.config["default_state"] for c in chargers] == [False, False, False]
    circuit = hass.config_entries.async_get_entry(circuit_id)
    assert circuit is not None
    result = await hass.config_entries.options.async_init(circuit_id)
    assert result["step_id"] == "circuit"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], _form(charger_entries[:2], limit=32, name="Garage 32")
    )
    assert result["step_id"] == "circuit_consent"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"fallback_mode": "pause", "consent": True}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert circuit.title == "Garage 32"
    assert circuit.state is ConfigEntryState.LOADED
    assert controller_of(hass, circuit_id).settings.circuit.limit_amps == 32
    # The charger that left the circuit has its own setting back, and a claim without a share.
    assert [c.config["default_state"] for c in chargers] == [False, False, True]
    left = chargers[2].claims.claims.get(charger_entries[2].runtime_data.client.claim_client_id)
    assert left is None or "max_current" not in left.properties
    assert pilots(chargers)[2] == 32
    diagnostics = await family_for(circuit).async_get_diagnostics(hass, circuit)
    assert diagnostics["budget"] == [31.0]
    assert set(diagnostics["members"]) == {e.entry_id for e in charger_entries[:2]}


async def test_a_charger_gone_at_removal_is_a_repair_issue(
    hass: HomeAssistant, charger_entries: list[MockConfigEntry]
) -> None:
    circuit_id = await create_circuit(hass, charger_entries[:1])
    await hass.config_entries.async_unload(charger_entries[0].entry_id)
    await hass.config_entries.async_remove(circuit_id)
    await hass.async_block_till_done()
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, f"circuit_fallback_not_restored_{charger_entries[0].entry_id}"
    )
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["settings"] == "default_state=True"
