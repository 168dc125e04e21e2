"""Interim and final reports per offer (Sachbericht, Verwendungsnachweis) and the participant assessment at exit."""
