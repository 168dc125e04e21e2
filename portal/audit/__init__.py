"""Append-only audit and access log."""
