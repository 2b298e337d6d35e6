"""Tests of the charging circuit in Home Assistant, against simulated chargers on loopback."""
