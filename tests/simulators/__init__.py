"""Simulators of an OpenEVSE charger and the Moogo cloud, served over real sockets."""
