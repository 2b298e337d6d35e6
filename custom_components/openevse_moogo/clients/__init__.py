"""Vendored device clients of the integration.

Each sub-package is a self-contained async library (no Home Assistant imports) that ships its own
``py.typed`` marker: ``openevse`` talks to OpenEVSE chargers over the local HTTP and websocket API,
``moogo`` talks to the Moogo cloud.
"""
