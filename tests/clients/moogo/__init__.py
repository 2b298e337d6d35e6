"""Tests of the vendored Moogo cloud client against the cloud simulator over loopback."""
