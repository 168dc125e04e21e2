"""Stored files (certificates, rendered reports, signed scans): random names outside any served folder.

A file lives at `STORAGE_DIR/<area>/<key>`; the key is random, so a name tells nothing and cannot be guessed, and
the caller keeps the key with the SHA-256 of the exact bytes. Downloads go only through authorised views.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app

AREAS = frozenset({"certificates", "imports", "reports", "scans"})  # imports: uploads awaiting import


@dataclass(frozen=True)
class StoredFile:
    key: str
    sha256: str


def _folder(area: str) -> Path:
    if area not in AREAS:
        raise ValueError(f"unknown storage area {area!r}")
    return Path(current_app.config["STORAGE_DIR"]) / area


def store(area: str, data: bytes) -> StoredFile:
    """Write the bytes under a new random key (atomically: a crash never leaves half a file under the key)."""
    folder = _folder(area)
    folder.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(16)
    partial = folder / f".{key}.partial"
    partial.write_bytes(data)
    os.replace(partial, folder / key)
    return StoredFile(key=key, sha256=hashlib.sha256(data).hexdigest())


def path_of(area: str, key: str) -> Path | None:
    """The file's path, or None when the key is empty, malformed or the file is gone."""
    if not key or not all(ch in "0123456789abcdef" for ch in key):
        return None
    path = _folder(area) / key
    return path if path.is_file() else None


def stored_before(area: str, moment: datetime) -> list[str]:
    """The keys of the area's files last written before the moment (not those still being written)."""
    folder = _folder(area)
    if not folder.is_dir():
        return []
    return sorted(
        path.name
        for path in folder.iterdir()
        if not path.name.startswith(".") and path.stat().st_mtime < moment.timestamp()
    )


def delete(area: str, key: str) -> bool:
    path = path_of(area, key)
    if path is None:
        return False
    path.unlink()
    return True


def safe_download_name(name: str, fallback: str) -> str:
    """A file name for Content-Disposition: letters, digits, dot, dash, underscore and space, never a leading dot;
    always `.pdf`."""
    cleaned = "".join(ch for ch in name if ch.isalnum() or ch in "._- ")[:100].strip().lstrip(".")  # no hidden file
    return cleaned if cleaned.lower().endswith(".pdf") else (cleaned or fallback) + ".pdf"
