"""Charging circuits: several chargers sharing one breaker.

The modules here are pure (no Home Assistant import): :mod:`.model` holds the inputs,
:mod:`.allocation` computes each member's current, :mod:`.transition` orders the commands so
that lowers are confirmed before raises, :mod:`.fallback` computes what holds without Home
Assistant and which manual requests are refused.
"""
