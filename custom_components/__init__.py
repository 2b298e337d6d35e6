"""Custom integrations shipped by this repository (HACS installs the folder inside)."""
