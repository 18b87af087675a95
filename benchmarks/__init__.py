"""Sealpost's benchmarks (issue 8): ``make bench`` runs them all and rewrites docs/benchmarks.md.

One module per scenario; child-process probes end in ``_probe``. They measure and report; they
never assert timings. See docs/benchmarks.md for how to read and reproduce the figures.
"""
