"""End-to-end: the simulators and a real Home Assistant process, driven over its REST API."""
