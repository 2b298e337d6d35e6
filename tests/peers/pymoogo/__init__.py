"""pymoogo 0.1.3 against the Moogo cloud simulator.

``guard.py`` is the peer guard (run by the peer runner in its own environment, see
``requirements-0.1.3.txt``); ``adapter.py`` is how the guard and the benchmark start the
simulator and build a pymoogo client on it.
"""
