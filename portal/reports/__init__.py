"""Participants, monthly participation reports, events, PDF rendering and uploads."""
