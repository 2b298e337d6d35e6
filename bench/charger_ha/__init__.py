"""Home Assistant side of the charger benchmark: pytest modules run by ``charger_ha_bench.py``."""
