"""Peer guards: other people's clients driven against our simulators (see scripts/peers)."""
