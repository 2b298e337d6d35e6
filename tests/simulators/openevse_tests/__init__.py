"""Wire facts of the OpenEVSE simulator against the firmware source (see FIDELITY.md)."""
