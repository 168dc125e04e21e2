"""docs/security.md 25, the restore drill: back up, restore into an empty database, every row and every file matches.

The drill needs committed data, which the rolled-back transaction of the other tests cannot give, so it runs on
databases of its own: fresh SQLite files, and with TEST_DATABASE_URL on PostgreSQL two freshly created databases
(`restore_drill_…`, dropped afterwards; never the shared test database). Each database gets its own app; the shared
`db` is bound back to the test database afterwards.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import Engine, create_engine, inspect, make_url, text

from portal import create_app, storage
from portal.assignments.models import Assignment, Event, EventKind, Participant
from portal.audit.services import record
from portal.budget.models import Commitment
from portal.cli import upgrade_database
from portal.extensions import db
from portal.offers.models import ReviewNote, VersionStatus
from portal.reports.models import ParticipationReport, ReportLine
from tests.app_helpers import file_mode
from tests.factories import Factories

URL = os.environ.get("TEST_DATABASE_URL", "")
POSTGRES = [
    pytest.mark.postgres,
    pytest.mark.skipif(not URL.startswith("postgresql"), reason="needs PostgreSQL (TEST_DATABASE_URL)"),
]
DIALECTS = [pytest.param("sqlite"), pytest.param("postgresql", marks=POSTGRES)]


@dataclass
class Instance:
    """An app with a database and a storage folder of its own."""

    app: Flask
    engine: Engine
    url: str
    storage: Path


@contextmanager
def active(instance: Instance) -> Iterator[None]:
    """The shared `db` serves this instance's database while the block runs."""
    db.engine = instance.engine
    db.session.remove()
    db.session.configure(bind=instance.engine)
    with instance.app.app_context():
        yield


@pytest.fixture
def new_instance(
    request: pytest.FixtureRequest, tmp_path: Path, settings: dict[str, Any]
) -> Iterator[Callable[..., Instance]]:
    """Make instances on new, empty databases of the given dialect; clean everything up afterwards."""
    shared_engine = db.engine
    engines: list[Engine] = []
    databases: list[str] = []

    def make(dialect: str, name: str) -> Instance:
        if dialect == "sqlite":
            url = f"sqlite:///{tmp_path / name / 'portal.db'}"  # in a folder that does not exist yet
        else:
            url = create_database(f"restore_drill_{name}_{secrets.token_hex(4)}")
            databases.append(url)
        folder = tmp_path / name
        application = create_app(
            {**settings, "DATABASE_URL": url, "STORAGE_DIR": folder / "storage", "INSTANCE_DIR": folder}
        )
        assert db.engine is not None
        engines.append(db.engine)
        return Instance(application, db.engine, url, folder / "storage")

    yield make
    db.session.remove()
    for engine in engines:
        engine.dispose()
    for url in databases:
        drop_database(url)
    db.engine = shared_engine
    db.session.configure(bind=shared_engine)


def admin_engine() -> Engine:
    return create_engine(make_url(URL).set(database="postgres"), isolation_level="AUTOCOMMIT")


def create_database(name: str) -> str:
    engine = admin_engine()
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(URL).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    name = make_url(url).database
    assert name is not None
    assert name.startswith("restore_drill_")  # never the shared test database
    engine = admin_engine()
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def invoke(instance: Instance, *args: str) -> Result:
    with active(instance):
        return instance.app.test_cli_runner().invoke(args=list(args))


def seed() -> None:
    """Committed data in every domain, with stored files in every storage area."""
    factories = Factories()
    user = factories.provider()
    offer = factories.offer(organisation=user.organisation, status=VersionStatus.APPROVED, title="Stadtteilcafé")
    certificate = storage.store("certificates", b"%PDF-1.7 Bescheinigung der Kammer")
    offer.current.certificate_key, offer.current.certificate_sha256 = certificate.key, certificate.sha256
    staff = factories.staff()
    factories.budget(2091, 250_000)
    db.session.add(ReviewNote(offer_id=offer.id, version_number=1, author_id=staff.id, body="Geprüft – alles gut"))
    db.session.add(Commitment(offer_id=offer.id, offer_version_id=offer.current.id, year=2091, amount=Decimal(1200)))
    participant = Participant(organisation_id=user.organisation_id, customer_number="123A456789", initials="Ä. Ö.")
    db.session.add(participant)
    db.session.flush()
    assignment = Assignment(
        offer_id=offer.id,
        participant_id=participant.id,
        start_date=date(2026, 9, 1),
        end_date=date(2027, 2, 28),
        weekly_hours=Decimal("20.0"),
        mae_rate=Decimal("1.50"),
    )
    db.session.add(assignment)
    db.session.flush()
    pdf, scan = storage.store("reports", b"%PDF-1.7 Bericht"), storage.store("scans", b"%PDF-1.7 Unterschrift")
    report = ParticipationReport(
        offer_id=offer.id,
        year=2026,
        month=10,
        document={"schema": "teilnahmebericht-v1", "summe": "12,50"},
        pdf_key=pdf.key,
        pdf_sha256=pdf.sha256,
        scan_key=scan.key,
        scan_sha256=scan.sha256,
    )
    report.lines = [ReportLine(assignment_id=assignment.id, days={"1": "4", "2": "UE", "5": "K"})]
    db.session.add(report)
    db.session.add(
        Event(assignment_id=assignment.id, offer_id=offer.id, kind=EventKind.JOB, event_date=date(2026, 10, 20))
    )
    record("offer_approve", actor=staff, obj=offer, details="Sicherungstest")
    db.session.commit()


@pytest.fixture(params=DIALECTS)
def seeded(request: pytest.FixtureRequest, new_instance: Callable[..., Instance]) -> Instance:
    source = new_instance(request.param, "quelle")
    with active(source):
        upgrade_database()
        seed()
    return source


def rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table as the database returns it, in primary-key order (checked independently of
    portal.maintenance.backup)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            inspector = inspect(connection)
            return {
                name: [tuple(row) for row in connection.exec_driver_sql(select_all(name, inspector))]
                for name in inspector.get_table_names()
            }
    finally:
        engine.dispose()


def select_all(name: str, inspector: Any) -> str:
    order = ", ".join(f'"{column}"' for column in inspector.get_pk_constraint(name)["constrained_columns"])
    return f'SELECT * FROM "{name}" ORDER BY {order}'  # noqa: S608 (table and column names from the database itself)


def checksums(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in folder.rglob("*")
        if path.is_file()
    }


def test_restore_drill(seeded: Instance, new_instance: Callable[..., Instance], tmp_path: Path) -> None:
    backup = tmp_path / "sicherung"
    created = invoke(seeded, "backup", "create", str(backup))
    assert created.exit_code == 0, created.output
    dialect = make_url(seeded.url).get_backend_name()
    target = new_instance(dialect, "ziel")

    restored = invoke(target, "backup", "restore", str(backup))

    assert restored.exit_code == 0, restored.output
    original, copy = rows(seeded.url), rows(target.url)
    manifest = json.loads((backup / "manifest.json").read_text(encoding="utf-8"))
    assert {name: len(table) for name, table in copy.items()} == manifest["tables"]
    assert copy == original
    assert (len(original["participation_reports"]), len(original["audit_entries"])) == (1, 1)
    assert checksums(target.storage) == checksums(seeded.storage) == manifest["files"]
    assert len(manifest["files"]) == 3
    tables, total = len(manifest["tables"]), sum(manifest["tables"].values())
    backed_up_at = datetime.fromisoformat(manifest["created_at"])
    assert timedelta(0) <= datetime.now(UTC) - backed_up_at < timedelta(minutes=5)
    summary = f"{tables} Tabellen mit {total} Zeilen und 3 Dateien"
    assert created.output == f"Sicherung in {backup} angelegt: {summary}.\n"
    assert restored.output == (
        f"Sicherung vom {backed_up_at:%d.%m.%Y, %H:%M} Uhr (UTC) wiederhergestellt und geprüft: {summary} stimmen "
        "mit der Sicherung überein.\n"
    )


def test_backups_restored_files_and_the_instance_folder_are_private(
    seeded: Instance, new_instance: Callable[..., Instance], tmp_path: Path
) -> None:
    """Only the portal's user reads them: folders 0700, files 0600 (docs/security.md 19)."""
    backup = tmp_path / "sicherung"
    assert invoke(seeded, "backup", "create", str(backup)).exit_code == 0
    target = new_instance(make_url(seeded.url).get_backend_name(), "ziel")
    assert invoke(target, "backup", "restore", str(backup)).exit_code == 0
    for tree in (backup, seeded.storage, target.storage):
        paths = [tree, *tree.rglob("*")]
        assert {path.relative_to(tmp_path).as_posix(): file_mode(path) for path in paths} == {
            path.relative_to(tmp_path).as_posix(): 0o700 if path.is_dir() else 0o600 for path in paths
        }
    assert file_mode(seeded.storage.parent) == 0o700  # the instance folder, made by `portal db upgrade`


def test_an_instance_without_files(new_instance: Callable[..., Instance], tmp_path: Path) -> None:
    source, target = new_instance("sqlite", "quelle"), new_instance("sqlite", "ziel")
    with active(source):
        upgrade_database()
    assert invoke(source, "backup", "create", str(tmp_path / "sicherung")).output.endswith(" und 0 Dateien.\n")

    result = invoke(target, "backup", "restore", str(tmp_path / "sicherung"))

    assert (result.exit_code, result.output.endswith(" und 0 Dateien stimmen mit der Sicherung überein.\n")) == (
        0,
        True,
    )
    assert rows(target.url) == rows(source.url)
    assert checksums(target.storage) == {}


def test_restore_refuses_a_database_that_is_not_empty(seeded: Instance, tmp_path: Path) -> None:
    backup = tmp_path / "sicherung"
    invoke(seeded, "backup", "create", str(backup))
    before = rows(seeded.url)

    result = invoke(seeded, "backup", "restore", str(backup))

    assert result.exit_code == 1
    assert result.output == (
        "Die Datenbank ist nicht leer. Eine Sicherung wird nur in eine neue, leere Datenbank eingespielt.\n"
    )
    assert rows(seeded.url) == before


@pytest.fixture
def backup_of_sqlite(new_instance: Callable[..., Instance], tmp_path: Path) -> Path:
    source = new_instance("sqlite", "quelle")
    with active(source):
        upgrade_database()
        seed()
    backup = tmp_path / "sicherung"
    assert invoke(source, "backup", "create", str(backup)).exit_code == 0
    return backup


def test_restore_refuses_a_storage_folder_that_is_not_empty(
    backup_of_sqlite: Path, new_instance: Callable[..., Instance]
) -> None:
    target = new_instance("sqlite", "ziel")
    (target.storage / "reports").mkdir(parents=True)
    (target.storage / "reports" / "alt").write_bytes(b"alt")

    result = invoke(target, "backup", "restore", str(backup_of_sqlite))

    assert (result.exit_code, result.output) == (1, f"Der Ablageordner {target.storage} ist nicht leer.\n")
    assert rows(target.url) == {}


def test_a_changed_backup_fails_the_check(backup_of_sqlite: Path, new_instance: Callable[..., Instance]) -> None:
    manifest = json.loads((backup_of_sqlite / "manifest.json").read_text(encoding="utf-8"))
    changed, unlisted, _ = sorted(manifest["files"])
    (backup_of_sqlite / "storage" / changed).write_bytes(b"%PDF-1.7 manipuliert")
    del manifest["files"][unlisted]
    manifest["tables"]["users"] += 1
    manifest["tables"]["alte_tabelle"] = 0
    (backup_of_sqlite / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    target = new_instance("sqlite", "ziel")

    result = invoke(target, "backup", "restore", str(backup_of_sqlite))

    users = manifest["tables"]["users"]
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "Prüfung fehlgeschlagen – die Wiederherstellung weicht von der Sicherung ab:",
        "Tabelle alte_tabelle fehlt.",
        f"Tabelle users: {users - 1} statt {users} Zeilen.",
        f"Datei {changed}: Die Prüfsumme stimmt nicht überein.",
        f"Datei {unlisted} ist nicht in der Sicherung verzeichnet.",
    ]


def test_create_refuses_a_folder_that_is_not_empty(new_instance: Callable[..., Instance], tmp_path: Path) -> None:
    source = new_instance("sqlite", "quelle")
    (tmp_path / "voll").mkdir()
    (tmp_path / "voll" / "alt.txt").write_text("alt", encoding="utf-8")

    result = invoke(source, "backup", "create", str(tmp_path / "voll"))

    assert result.exit_code == 1
    assert result.output == f"Der Ordner {tmp_path / 'voll'} ist nicht leer. Bitte geben Sie einen neuen Ordner an.\n"


def test_restore_needs_a_backup_of_the_same_kind(backup_of_sqlite: Path, new_instance: Callable[..., Instance]) -> None:
    target = new_instance("sqlite", "ziel")
    assert invoke(target, "backup", "restore", str(backup_of_sqlite.parent / "fehlt")).output == (
        f"In {backup_of_sqlite.parent / 'fehlt'} liegt keine Sicherung (manifest.json fehlt).\n"
    )
    manifest = json.loads((backup_of_sqlite / "manifest.json").read_text(encoding="utf-8"))
    (backup_of_sqlite / "manifest.json").write_text(json.dumps({**manifest, "dialect": "postgresql"}), encoding="utf-8")

    result = invoke(target, "backup", "restore", str(backup_of_sqlite))

    assert result.exit_code == 1
    assert result.output == (
        "Die Sicherung stammt aus einer PostgreSQL-Datenbank und kann nur in eine solche eingespielt werden, "
        "nicht in SQLite.\n"
    )


@pytest.mark.parametrize("dialect", [pytest.param("postgresql", marks=POSTGRES)])
def test_a_damaged_dump_is_refused_and_leaves_the_database_empty(
    dialect: str, new_instance: Callable[..., Instance], tmp_path: Path
) -> None:
    source, target = new_instance(dialect, "quelle"), new_instance(dialect, "ziel")
    with active(source):
        upgrade_database()
    invoke(source, "backup", "create", str(tmp_path / "sicherung"))
    (tmp_path / "sicherung" / "database.dump").write_bytes(b"PGDMP kaputt")

    result = invoke(target, "backup", "restore", str(tmp_path / "sicherung"))

    assert result.exit_code == 1
    assert result.output.startswith("pg_restore ist fehlgeschlagen:\npg_restore: error:")
    assert rows(target.url) == {}


@pytest.mark.parametrize("dialect", [pytest.param("postgresql", marks=POSTGRES)])
def test_without_the_postgresql_client_programs(
    dialect: str, new_instance: Callable[..., Instance], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = new_instance(dialect, "quelle")
    monkeypatch.setattr("portal.maintenance.backup.shutil.which", lambda _program: None)

    result = invoke(source, "backup", "create", str(tmp_path / "sicherung"))

    assert (result.exit_code, result.output) == (
        1,
        "pg_dump wurde nicht gefunden. Bitte installieren Sie die PostgreSQL-Client-Programme.\n",
    )
