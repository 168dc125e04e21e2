"""Reproducible benchmarks: measurements, not tests. `make bench` runs them all; see the README, section Leistung.

Every figure is measured against its floor in the same run (a bare `mkdocs build` of the same pages, a minimal PDF
in the same worker, a trivial endpoint of the same app), so a ratio holds on a faster or slower machine too.
"""
