"""Models for the circuit benchmarks: a household's load over a day and cars behind chargers.

Shared by the allocator benchmark (``bench/circuit_alloc_bench.py``) and, later, the benchmark
of the whole integration: both drive the same day.
"""
