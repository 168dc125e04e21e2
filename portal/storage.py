"""Stored files (certificates, rendered reports, signed scans): random names outside any served folder.

A file lives at `STORAGE_DIR/<area>/<key>`; the key is random, so a name tells nothing and cannot be guessed, and
the caller keeps the key with the SHA-256 of the exact bytes. Downloads go only through authorised views.

Files follow the transaction they are written in (`portal.transactions`): a file stored by a change that rolls back
is deleted again, and a file that a change replaces or leaves without a row (`discard`) is deleted once the change
has committed, never before. Every PDF a user uploads goes through `store_pdf`, the full check of `portal.pdfcheck`.

Stored files, backups and the instance folder hold social data: folders 0700, files 0600 (the portal's user only).
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import IO

from flask import current_app

from portal.errors import ServiceError
from portal.pdfcheck import MAX_BYTES, check_pdf
from portal.transactions import after_commit, on_rollback

AREAS = frozenset(
    {"certificates", "imports", "receipts", "reports", "scans", "settlements"}
)  # imports: uploads awaiting import
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
    unfinished = folder / f".{key}.partial"
    write_private(unfinished, data)
    os.replace(unfinished, folder / key)
    on_rollback(partial(delete, area, key))
    return StoredFile(key=key, sha256=hashlib.sha256(data).hexdigest())


def store_pdf(area: str, upload: bytes | IO[bytes], field: str) -> StoredFile:
    """Store a PDF a user uploaded, after the full check; a refusal is a `ServiceError` with the German reason at
    the form field `field`."""
    data = upload if isinstance(upload, bytes) else upload.read(MAX_BYTES + 1)
    reason = check_pdf(data)
    if reason is not None:
        raise ServiceError(reason, field=field)
    return store(area, data)


def discard(area: str, key: str) -> None:
    """Delete the file once the current transaction has committed (a replaced file, or one whose row goes)."""
    if key:
        after_commit(partial(delete, area, key))


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
