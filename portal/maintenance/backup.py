"""Backup and restore of the database and the stored files (`portal backup create DIR`, `portal backup restore DIR`).

A backup folder holds the database (PostgreSQL: `pg_dump --format=custom`; SQLite: a copy made with SQLite's backup
API), a copy of `STORAGE_DIR` under `storage/`, and `manifest.json` with the row count of every table and the SHA-256
of every stored file. A restore goes only into an empty database and an empty storage folder and is then checked
against the manifest. On PostgreSQL the counts are taken in the very snapshot that `pg_dump` saves.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import closing
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import Connection, Engine, create_engine, func, inspect, make_url, select, table, text

from portal.extensions import db
from portal.models import utcnow
from portal.storage import make_private, private_folder

MANIFEST = "manifest.json"
STORAGE = "storage"
DATABASE_FILES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
DIALECT_LABELS = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}


class BackupError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Manifest:
    created_at: str
    dialect: str
    tables: dict[str, int]  # table name → rows
    files: dict[str, str]  # path below the storage folder → SHA-256

    @property
    def summary(self) -> str:
        rows, files = sum(self.tables.values()), len(self.files)
        return (
            f"{len(self.tables)} Tabellen mit {rows} {'Zeile' if rows == 1 else 'Zeilen'} "
            f"und {files} {'Datei' if files == 1 else 'Dateien'}"
        )

    @property
    def created_label(self) -> str:
        return f"{datetime.fromisoformat(self.created_at):%d.%m.%Y, %H:%M} Uhr (UTC)"

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        path = folder / MANIFEST
        if not path.is_file():
            raise BackupError(f"In {folder} liegt keine Sicherung ({MANIFEST} fehlt).")
        return cls(**json.loads(path.read_text(encoding="utf-8")))

    def write(self, folder: Path) -> None:
        (folder / MANIFEST).write_text(json.dumps(asdict(self), indent=2, sort_keys=True), encoding="utf-8")


def create_backup(target: Path) -> Manifest:
    """Save the app's database and stored files into `target`, a new or empty folder."""
    _require_empty_folder(target, f"Der Ordner {target} ist nicht leer. Bitte geben Sie einen neuen Ordner an.")
    private_folder(target)  # nobody else reads the backup while it is written
    dialect = _dialect()
    database_file = target / DATABASE_FILES[dialect]
    tables = _dump_postgresql(database_file) if dialect == "postgresql" else _dump_sqlite(database_file)
    files = _copy_storage(_storage_dir(), target / STORAGE)
    manifest = Manifest(created_at=utcnow().isoformat(timespec="seconds"), dialect=dialect, tables=tables, files=files)
    manifest.write(target)
    make_private(target)  # the files that pg_dump and SQLite wrote as the umask allows
    return manifest


def restore_backup(source: Path) -> tuple[Manifest, list[str]]:
    """Load the backup into the app's empty database and storage folder; returns the manifest and any mismatch."""
    manifest = Manifest.read(source)
    _check_target(manifest)
    database_file = source / DATABASE_FILES[manifest.dialect]
    if manifest.dialect == "postgresql":
        _run("pg_restore", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error", database_file)
    else:
        _restore_sqlite(database_file)
    shutil.copytree(source / STORAGE, _storage_dir(), dirs_exist_ok=True)
    make_private(_storage_dir())
    return manifest, verify(manifest)


def _check_target(manifest: Manifest) -> None:
    """Refuse a database of another kind, a database that is not empty and a storage folder that is not empty."""
    dialect = _dialect()
    if manifest.dialect != dialect:
        raise BackupError(
            f"Die Sicherung stammt aus einer {DIALECT_LABELS[manifest.dialect]}-Datenbank und kann nur in eine "
            f"solche eingespielt werden, nicht in {DIALECT_LABELS[dialect]}."
        )
    if dialect == "sqlite":
        private_folder(Path(_sqlite_path()).parent)  # e.g. a new instance folder
    with _engine().connect() as connection:
        if inspect(connection).get_table_names():
            raise BackupError(
                "Die Datenbank ist nicht leer. Eine Sicherung wird nur in eine neue, leere Datenbank eingespielt."
            )
    _require_empty_folder(_storage_dir(), f"Der Ablageordner {_storage_dir()} ist nicht leer.")


def verify(manifest: Manifest) -> list[str]:
    """Differences between the app's database and storage folder and the manifest, in German; empty when equal."""
    with _engine().connect() as connection:
        counts = row_counts(connection)
    storage_dir = _storage_dir()
    files = {name: _sha256((storage_dir / name).read_bytes()) for name in _stored_files(storage_dir)}
    return _compare(manifest.tables, counts, "Tabelle", "{name}: {actual} statt {expected} Zeilen.") + _compare(
        manifest.files, files, "Datei", "{name}: Die Prüfsumme stimmt nicht überein."
    )


def row_counts(connection: Connection) -> dict[str, int]:
    names = sorted(inspect(connection).get_table_names())
    return {name: connection.execute(select(func.count()).select_from(table(name))).scalar_one() for name in names}


def _compare(expected: Mapping[str, object], actual: Mapping[str, object], kind: str, mismatch: str) -> list[str]:
    problems = []
    for name in sorted(expected.keys() | actual.keys()):
        if name not in actual:
            problems.append(f"{kind} {name} fehlt.")
        elif name not in expected:
            problems.append(f"{kind} {name} ist nicht in der Sicherung verzeichnet.")
        elif actual[name] != expected[name]:
            problems.append(f"{kind} " + mismatch.format(name=name, actual=actual[name], expected=expected[name]))
    return problems


def _dialect() -> str:
    """ "postgresql" or "sqlite", the databases the portal runs on."""
    return make_url(current_app.config["DATABASE_URL"]).get_backend_name()


def _storage_dir() -> Path:
    return Path(current_app.config["STORAGE_DIR"])


def _require_empty_folder(folder: Path, message: str) -> None:
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BackupError(message)


def _engine() -> Engine:
    assert db.engine is not None  # noqa: S101 (create_app has bound it)
    return db.engine


def _dump_postgresql(dump: Path) -> dict[str, int]:
    """`pg_dump` of an exported snapshot, and the row counts of that same snapshot."""
    with _engine().connect() as connection:
        connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            _run("pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={dump}")
            return row_counts(connection)


def _dump_sqlite(copy: Path) -> dict[str, int]:
    with closing(sqlite3.connect(_sqlite_path())) as source, closing(sqlite3.connect(copy)) as target:
        source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    engine = create_engine(f"sqlite:///{copy}")
    try:
        with engine.connect() as connection:
            return row_counts(connection)
    finally:
        engine.dispose()


def _restore_sqlite(copy: Path) -> None:
    _engine().dispose()  # no pooled connection keeps the empty database open
    with (
        closing(sqlite3.connect(f"{copy.resolve().as_uri()}?mode=ro", uri=True)) as source,
        closing(sqlite3.connect(_sqlite_path())) as target,
    ):
        source.backup(target)


def _sqlite_path() -> str:
    return str(make_url(current_app.config["DATABASE_URL"]).database)


def _run(program: str, *arguments: str | Path) -> None:
    """Run a PostgreSQL client program against DATABASE_URL; the password goes by environment, not argument."""
    executable = shutil.which(program)
    if executable is None:
        raise BackupError(f"{program} wurde nicht gefunden. Bitte installieren Sie die PostgreSQL-Client-Programme.")
    url = make_url(current_app.config["DATABASE_URL"])
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    dsn = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    command = [executable, *map(str, arguments), f"--dbname={dsn}"]
    finished = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)  # noqa: S603 (fixed program, our own arguments)
    if finished.returncode != 0:
        raise BackupError(f"{program} ist fehlgeschlagen:\n{finished.stderr.strip()}")


def _copy_storage(source: Path, target: Path) -> dict[str, str]:
    """Copy every stored file (not the hidden partial writes) and return their SHA-256 by relative path."""
    target.mkdir()
    files = {}
    for name in _stored_files(source):
        data = (source / name).read_bytes()
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        (target / name).write_bytes(data)
        files[name] = _sha256(data)
    return files


def _stored_files(folder: Path) -> Iterator[str]:
    """Paths of the stored files below `folder`, as `area/key`."""
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                yield path.relative_to(folder).as_posix()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
