"""Peer clients driven against our simulators: standing guards of the simulators' fidelity."""
