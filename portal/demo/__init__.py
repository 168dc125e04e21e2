"""Demo data for `make run` and `portal demo-data`."""
