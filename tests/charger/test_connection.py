"""Entry settings <-> client options."""

from __future__ import annotations

from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
)

from custom_components.openevse_moogo.charger.connection import ChargerSettings


def test_settings_round_trip() -> None:
    data = {
        CONF_HOST: " charger.local ",
        CONF_PORT: 8443,
        CONF_SSL: True,
        CONF_VERIFY_SSL: False,
        CONF_USERNAME: "admin",
        CONF_PASSWORD: "pw",
    }
    settings = ChargerSettings.from_mapping(data)
    assert settings.host == "charger.local"
    assert settings.as_data() == data | {CONF_HOST: "charger.local"}
    plain = ChargerSettings.from_mapping({CONF_HOST: "10.0.0.2", CONF_PORT: None})
    assert plain.as_data() == {CONF_HOST: "10.0.0.2", CONF_SSL: False}
    assert plain.with_credentials("", "pw").as_data()[CONF_USERNAME] == ""
