"""Fixtures of the publishing tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def site_dir(app, tmp_path, monkeypatch) -> Path:
    """The app publishes into a folder of this test (SITE_DIR; the runs go next to it)."""
    monkeypatch.setitem(app.config, "SITE_DIR", tmp_path / "site")
    return tmp_path / "site"
