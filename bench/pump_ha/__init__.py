"""Home Assistant side of the Moogo pump benchmark: pytest modules run by ``pump_ha_bench.py``."""
