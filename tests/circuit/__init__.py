"""Tests of the circuit's pure core: allocation, transitions, fallback."""
