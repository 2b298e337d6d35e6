"""Tests of the charge plans' pure core (no Home Assistant needed)."""
