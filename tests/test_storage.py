"""Stored files: only the portal's user reads them (folders 0700, files 0600), whatever the umask."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from portal import storage
from tests.app_helpers import file_mode


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask that lets everybody read what is created (the common 022 is hardly better)."""
    previous = os.umask(0)
    yield
    os.umask(previous)


def test_stored_files_and_their_folders_are_private(app, tmp_path, monkeypatch, open_umask):
    monkeypatch.setitem(app.config, "STORAGE_DIR", tmp_path / "ablage")
    stored = storage.store("scans", b"%PDF-1.7 Scan")
    path = storage.path_of("scans", stored.key)
    assert path is not None
    assert [file_mode(tmp_path / "ablage"), file_mode(path.parent), file_mode(path)] == [0o700, 0o700, 0o600]


def test_an_existing_folder_is_made_private(tmp_path, open_umask):
    (tmp_path / "alt").mkdir(mode=0o755)
    assert file_mode(storage.private_folder(tmp_path / "alt")) == 0o700


def test_an_existing_file_is_made_private_when_written(tmp_path):
    (tmp_path / "datei").write_bytes(b"alt")
    (tmp_path / "datei").chmod(0o644)
    storage.write_private(tmp_path / "datei", b"neu")
    assert ((tmp_path / "datei").read_bytes(), file_mode(tmp_path / "datei")) == (b"neu", 0o600)
