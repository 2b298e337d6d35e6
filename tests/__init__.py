"""Tests for the OpenEVSE & Moogo integration."""
