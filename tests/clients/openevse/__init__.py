"""Tests of the vendored OpenEVSE client against the charger simulator."""
