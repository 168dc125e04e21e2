"""Stored files (certificates, rendered reports, signed scans): random names outside any served folder.

A file lives at `STORAGE_DIR/<area>/<key>`; the key is random, so a name tells nothing and cannot be guessed, and
the caller keeps the key with the SHA-256 of the exact bytes. Downloads go only through authorised views.
Stored files, backups and the instance folder hold social data: folders 0700, files 0600 (the portal's user only).
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
PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600


@dataclass(frozen=True)
class StoredFile:
    key: str
    sha256: str


def private_folder(folder: Path) -> Path:
    """The folder, created if missing, readable by the portal's user only (its parents as the system makes them)."""
    folder.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    folder.chmod(PRIVATE_FOLDER)  # mkdir's mode passes through the umask, and an existing folder keeps its own
    return folder


def write_private(path: Path, data: bytes) -> None:
    """Write the bytes into a file only the portal's user may read."""
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE), "wb") as output:
        os.fchmod(output.fileno(), PRIVATE_FILE)  # an existing file keeps its mode through O_TRUNC
        output.write(data)


def make_private(tree: Path) -> None:
    """Restrict a folder written by others (pg_dump, SQLite, a copy) and everything below it."""
    for path in [tree, *tree.rglob("*")]:
        path.chmod(PRIVATE_FOLDER if path.is_dir() else PRIVATE_FILE)


def _folder(area: str) -> Path:
    if area not in AREAS:
        raise ValueError(f"unknown storage area {area!r}")
    return Path(current_app.config["STORAGE_DIR"]) / area


def store(area: str, data: bytes) -> StoredFile:
    """Write the bytes under a new random key (atomically: a crash never leaves half a file under the key)."""
    private_folder(Path(current_app.config["STORAGE_DIR"]))
    folder = private_folder(_folder(area))
    key = secrets.token_hex(16)
    partial = folder / f".{key}.partial"
    write_private(partial, data)
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
