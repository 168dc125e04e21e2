"""`portal retention purge [--dry-run]`: participant data and closed offers are deleted after their retention."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import select

from portal import storage
from portal.accounts.models import LoginAttempt, Organisation, User
from portal.assignments.models import AghExtension, Assignment, AssignmentMessage, Event, EventKind, Participant
from portal.audit.models import AuditEntry
from portal.budget.models import Commitment
from portal.config import load_settings
from portal.extensions import db
from portal.final_reports.models import Assessment, Attendance, FinalReport, Recommendation, Reliability, ReportKind
from portal.maintenance.retention import BY_OFFER, BY_VERSION, REFERENCES, months_before, purge
from portal.offers.models import Offer, OfferState, ReviewNote, VersionStatus
from portal.reports.calc import years_before
from portal.reports.models import ParticipationReport, ReportLine, ReportReminder, ReportStatus
from portal.schema import metadata
from tests.factories import Factories

TODAY = date.today()
OLD = months_before(TODAY, 72)  # six years ago: past the participant retention of 60 months
RECENT = months_before(TODAY, 1)
LONG_AGO = TODAY - timedelta(days=11 * 366)  # past the offer retention of ten years
COUNTS = [
    "Teilnahmeberichte: 3",
    "Zuweisungen: 3",
    "Teilnehmende: 3",
    "Angebote: 2",
    "Dateien: 4",
    "Anmeldeversuche: 0",
]
ZEROS = [
    "Teilnahmeberichte: 0",
    "Zuweisungen: 0",
    "Teilnehmende: 0",
    "Angebote: 0",
    "Dateien: 0",
    "Anmeldeversuche: 0",
]


@dataclass
class Seeded:
    """Ids and files of what a purge must delete (`gone`) and keep (`kept`), per model."""

    gone: dict[type[Any], list[int]] = field(default_factory=dict)
    kept: dict[type[Any], list[int]] = field(default_factory=dict)
    files_gone: list[tuple[str, str]] = field(default_factory=list)
    files_kept: list[tuple[str, str]] = field(default_factory=list)

    def add(self, keep: bool, *rows: Any) -> None:
        for row in rows:
            (self.kept if keep else self.gone).setdefault(type(row), []).append(row.id)

    def file(self, keep: bool, area: str) -> str:
        stored = storage.store(area, f"%PDF-1.7 {area} {len(self.files_gone) + len(self.files_kept)}".encode())
        (self.files_kept if keep else self.files_gone).append((area, stored.key))
        return stored.key


def run(app: Flask, *options: str) -> Result:
    with app.app_context():  # the app's own settings, also for a second app from make_app
        result = app.test_cli_runner().invoke(args=["retention", "purge", *options])
    assert result.exit_code == 0, result.output
    return result


def participant(organisation: Organisation, number: int, created: date | None = None) -> Participant:
    row = Participant(organisation_id=organisation.id, customer_number=f"987B{number:06d}", initials="C. D.")
    if created is not None:
        row.created_at = datetime(created.year, created.month, created.day, tzinfo=UTC)
    db.session.add(row)
    db.session.flush()
    return row


def assignment(offer: Offer, person: Participant, first: date, last: date) -> Assignment:
    row = Assignment(
        offer_id=offer.id,
        participant_id=person.id,
        start_date=first,
        end_date=last,
        weekly_hours=Decimal(20),
        mae_rate=Decimal("1.50"),
    )
    db.session.add(row)
    db.session.flush()
    return row


def report(
    offer: Offer, month: date, assignments: list[Assignment], number: int = 1, **files: str
) -> ParticipationReport:
    row = ParticipationReport(
        offer_id=offer.id, year=month.year, month=month.month, number=number, status=ReportStatus.APPROVED, **files
    )
    row.lines = [ReportLine(assignment_id=item.id, position=index) for index, item in enumerate(assignments)]
    db.session.add(row)
    db.session.flush()
    return row


def event(item: Assignment) -> Event:
    row = Event(assignment_id=item.id, offer_id=item.offer_id, kind=EventKind.DROP_OUT, event_date=item.end_date)
    db.session.add(row)
    db.session.flush()
    return row


def message(item: Assignment) -> AssignmentMessage:
    row = AssignmentMessage(assignment_id=item.id, text="Bitte um Verlängerung")
    db.session.add(row)
    db.session.flush()
    return row


def extension(item: Assignment) -> AghExtension:
    row = AghExtension(
        assignment_id=item.id, customer_number="987B000001", granted_on=item.start_date, months=12, reason="Prüfung"
    )
    db.session.add(row)
    db.session.flush()
    return row


def assessment(item: Assignment) -> Assessment:
    row = Assessment(
        assignment_id=item.id,
        attendance=Attendance.RELIABLE,
        reliability=Reliability.HIGH,
        strengths="Sorgfältig",
        recommendation=Recommendation.WORK,
    )
    db.session.add(row)
    db.session.flush()
    return row


def closed_offer(factories: Factories, organisation: Organisation, state: OfferState, end: date) -> Offer:
    offer = factories.offer(
        organisation=organisation, status=VersionStatus.APPROVED, start_date=end - timedelta(days=180), end_date=end
    )
    offer.state = state
    db.session.flush()
    return offer


def seed_participant_data(seeded: Seeded, offer: Offer) -> None:
    organisation = offer.organisation
    left, staying = participant(organisation, 1), participant(organisation, 2)
    ended = assignment(offer, left, OLD - timedelta(days=60), OLD)
    ended_too = assignment(offer, staying, OLD - timedelta(days=60), OLD)
    current = assignment(offer, staying, RECENT - timedelta(days=30), TODAY + timedelta(days=30))
    first = report(offer, OLD, [ended, ended_too], pdf_key=seeded.file(False, "reports"))
    first.scan_key = seeded.file(False, "scans")
    correction = report(offer, OLD, [ended, ended_too], number=2, pdf_key=seeded.file(False, "reports"))
    recent = report(offer, RECENT, [current], pdf_key=seeded.file(True, "reports"))
    never_assigned_old = participant(organisation, 3, created=OLD)
    never_assigned_new = participant(organisation, 4)
    seeded.add(False, first, correction, ended, ended_too, left, never_assigned_old, event(ended))
    seeded.add(False, message(ended), extension(ended), assessment(ended))
    seeded.add(True, recent, current, staying, never_assigned_new, event(current))
    seeded.add(True, message(current), extension(current), assessment(current))
    seeded.add(True, *recent.lines)
    seeded.add(False, *first.lines, *correction.lines)


def seed_offers(seeded: Seeded, factories: Factories, user: User) -> None:
    organisation = user.organisation
    expired = closed_offer(factories, organisation, OfferState.ENDED, LONG_AGO)
    expired.current.certificate_key = seeded.file(False, "certificates")
    staff = factories.staff()
    note = ReviewNote(offer_id=expired.id, version_number=1, author_id=staff.id, body="Geprüft")
    commitment = Commitment(
        offer_id=expired.id, offer_version_id=expired.current.id, year=LONG_AGO.year, amount=Decimal(1)
    )
    reminder = ReportReminder(offer_id=expired.id, year=LONG_AGO.year, month=LONG_AGO.month, kind="overdue")
    final = FinalReport(
        offer_id=expired.id,
        kind=ReportKind.FINAL,
        period_start=expired.current.start_date,
        period_end=LONG_AGO,
        due_date=LONG_AGO,
    )
    db.session.add_all([note, commitment, reminder, final])
    person = participant(organisation, 5)
    old_assignment = assignment(expired, person, LONG_AGO - timedelta(days=90), LONG_AGO)
    old_report = report(expired, LONG_AGO, [old_assignment])
    withdrawn = closed_offer(factories, organisation, OfferState.WITHDRAWN, TODAY)
    withdrawn.current.end_date = None  # no end date: the last change counts
    withdrawn.updated_at = datetime.now(UTC) - timedelta(days=11 * 366)
    db.session.flush()
    seeded.add(False, expired, withdrawn, *expired.versions, *withdrawn.versions, note, commitment, reminder, final)
    seeded.add(False, *expired.current.sites, person, old_assignment, old_report, event(old_assignment))
    younger = closed_offer(factories, organisation, OfferState.REJECTED, TODAY - timedelta(days=9 * 366))
    live = factories.offer(
        organisation=organisation,
        status=VersionStatus.APPROVED,
        start_date=LONG_AGO - timedelta(days=90),
        end_date=LONG_AGO,
    )
    seeded.add(True, younger, live, younger.current, live.current, *younger.current.sites)


@pytest.fixture
def seeded(factories: Factories) -> Seeded:
    seeded = Seeded()
    user = factories.provider()
    offer = factories.offer(organisation=user.organisation, status=VersionStatus.APPROVED)
    seed_participant_data(seeded, offer)
    seed_offers(seeded, factories, user)
    db.session.commit()
    return seeded


def remaining(model: type[Any], ids: list[int]) -> list[int]:
    return sorted(db.session.scalars(select(model.id).where(model.id.in_(ids))))


def audit_entries() -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "retention_purge")))


def assert_untouched(seeded: Seeded) -> None:
    for model, ids in [*seeded.gone.items(), *seeded.kept.items()]:
        assert remaining(model, ids) == sorted(ids), model.__name__
    assert all(storage.path_of(*item) for item in seeded.files_gone + seeded.files_kept)


def final_line(dry_run: bool) -> str:
    start = "Probelauf, nichts wurde gelöscht." if dry_run else "Löschung abgeschlossen."
    return (
        f"{start} Stichtage: Teilnahmedaten vor dem {months_before(TODAY, 60):%d.%m.%Y}, "
        f"Angebote mit Förderende vor dem {years_before(TODAY, 10):%d.%m.%Y}, "
        f"Anmeldeversuche vor dem {TODAY - timedelta(days=30):%d.%m.%Y}."
    )


def test_dry_run_deletes_nothing_and_counts_what_a_purge_deletes(app: Flask, seeded: Seeded) -> None:
    lines = run(app, "--dry-run").output.splitlines()

    assert lines[:6] == COUNTS
    assert lines[6:] == [final_line(dry_run=True)]
    assert_untouched(seeded)
    assert audit_entries() == []


def test_purge_deletes_exactly_the_expired_data_and_files(app: Flask, seeded: Seeded) -> None:
    lines = run(app).output.splitlines()

    assert lines[:6] == COUNTS
    assert lines[6:] == [final_line(dry_run=False)]
    for model, ids in seeded.gone.items():
        assert remaining(model, ids) == [], model.__name__
    for model, ids in seeded.kept.items():
        assert remaining(model, ids) == sorted(ids), model.__name__
    assert [item for item in seeded.files_gone if storage.path_of(*item)] == []
    assert all(storage.path_of(*item) for item in seeded.files_kept)


def test_one_audit_entry_with_the_counts_and_no_participant_data(app: Flask, seeded: Seeded) -> None:
    run(app)

    (entry,) = audit_entries()
    assert entry.details == ", ".join(COUNTS)
    assert (entry.actor_email, entry.ip) == ("cli", "cli")
    assert "987B" not in entry.details


def test_a_second_purge_finds_nothing(app: Flask, seeded: Seeded) -> None:
    run(app)
    assert run(app).output.splitlines()[:6] == ZEROS
    assert run(app, "--dry-run").output.splitlines()[:6] == ZEROS


def test_an_upload_never_imported_goes_after_a_day(app: Flask) -> None:
    stale, fresh = storage.store("imports", b"Kundennummer;alt"), storage.store("imports", b"Kundennummer;neu")
    two_days_ago = (datetime.now(UTC) - timedelta(days=2)).timestamp()
    path = storage.path_of("imports", stale.key)
    assert path is not None
    os.utime(path, (two_days_ago, two_days_ago))
    assert run(app).output.splitlines()[:6] == [*ZEROS[:4], "Dateien: 1", ZEROS[5]]
    assert (storage.path_of("imports", stale.key), bool(storage.path_of("imports", fresh.key))) == (None, True)
    storage.delete("imports", fresh.key)  # the storage folder serves the whole session


def test_retention_periods_are_configurable(make_app: Any, seeded: Seeded) -> None:
    longer = make_app(RETENTION_PARTICIPANT_MONTHS=240, RETENTION_OFFER_YEARS=30)
    assert run(longer, "--dry-run").output.splitlines()[:6] == ZEROS
    shorter = make_app(RETENTION_OFFER_YEARS=8)
    assert run(shorter, "--dry-run").output.splitlines()[3] == "Angebote: 3"


def test_an_expired_offer_takes_its_participant_data_with_it(make_app: Any, seeded: Seeded) -> None:
    """Even when participant data is kept longer than offers, an offer's deletion takes its reports along."""
    assert run(make_app(RETENTION_PARTICIPANT_MONTHS=240)).output.splitlines()[:6] == [
        "Teilnahmeberichte: 1",
        "Zuweisungen: 1",
        "Teilnehmende: 1",
        "Angebote: 2",
        "Dateien: 1",
        "Anmeldeversuche: 0",
    ]


def test_an_assignment_in_a_kept_report_is_kept(
    app: Flask, factories: Factories, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cutoff month's report stays (its month has not ended before the cutoff), and with it its assignments."""
    monkeypatch.setitem(app.config, "STORAGE_DIR", tmp_path)  # five years on, the session's files would be old
    offer = factories.offer(status=VersionStatus.APPROVED)
    today = date(2031, 11, 24)
    person = participant(offer.organisation, 6)
    ended = assignment(offer, person, date(2026, 11, 1), date(2026, 11, 10))
    report(offer, date(2026, 11, 1), [ended])

    plan, cutoffs = purge(today, dry_run=True)

    assert cutoffs.participant_data == date(2026, 11, 24)
    assert plan.counts() == dict.fromkeys(
        ["Teilnahmeberichte", "Zuweisungen", "Teilnehmende", "Angebote", "Dateien", "Anmeldeversuche"], 0
    )


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 3, 31), 1, date(2026, 2, 28)),
        (date(2026, 1, 15), 60, date(2021, 1, 15)),
        (date(2026, 5, 1), 0, date(2026, 5, 1)),
    ],
)
def test_months_before(day: date, months: int, expected: date) -> None:
    assert months_before(day, months) == expected


def test_every_reference_to_an_offer_is_deleted_with_it() -> None:
    """A new table that refers to offers or their versions must be added to the purge (portal/retention.py)."""
    handled = {(column.class_.__tablename__, column.key) for column in (*BY_OFFER, *BY_VERSION)}
    participant_data = {
        ("assignments", "offer_id"),
        ("participation_reports", "offer_id"),
        ("report_events", "offer_id"),
    }
    own = {("offers", "live_version_id"), ("offers", "working_version_id"), ("offer_versions", "offer_id")}
    references = {
        (foreign_key.parent.table.name, foreign_key.parent.name)
        for table in metadata.tables.values()
        for foreign_key in table.foreign_keys
        if foreign_key.column.table.name in {"offers", "offer_versions"}
    }
    assert references == handled | participant_data | own


def test_retention_periods_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PORTAL_RETENTION_PARTICIPANT_MONTHS", raising=False)
    monkeypatch.delenv("PORTAL_RETENTION_OFFER_YEARS", raising=False)
    defaults = load_settings()
    assert (defaults["RETENTION_PARTICIPANT_MONTHS"], defaults["RETENTION_OFFER_YEARS"]) == (60, 10)
    monkeypatch.setenv("PORTAL_RETENTION_PARTICIPANT_MONTHS", "24")
    monkeypatch.setenv("PORTAL_RETENTION_OFFER_YEARS", "6")
    changed = load_settings()
    assert (changed["RETENTION_PARTICIPANT_MONTHS"], changed["RETENTION_OFFER_YEARS"]) == (24, 6)


def backdate(area: str, key: str, days: int = 2) -> None:
    path = storage.path_of(area, key)
    assert path is not None
    moment = (datetime.now(UTC) - timedelta(days=days)).timestamp()
    os.utime(path, (moment, moment))


def test_files_no_row_refers_to_go_after_a_day(app: Flask, factories: Factories) -> None:
    offer = factories.offer(status=VersionStatus.APPROVED)
    kept = offer.current.certificate_key = storage.store("certificates", b"%PDF-1.7 verwendet").key
    orphans = [(area, storage.store(area, b"%PDF-1.7 verwaist").key) for area in REFERENCES]
    young = storage.store("scans", b"%PDF-1.7 gerade hochgeladen").key  # its change may still be running
    db.session.commit()
    for area, key in [("certificates", kept), *orphans]:
        backdate(area, key)
    dry = run(app, "--dry-run").output.splitlines()
    assert dry[4] == f"Dateien: {len(REFERENCES)}"
    assert all(storage.path_of(area, key) for area, key in orphans)
    assert run(app).output.splitlines()[4] == f"Dateien: {len(REFERENCES)}"
    assert [item for item in orphans if storage.path_of(*item)] == []
    assert storage.path_of("certificates", kept) is not None
    assert storage.path_of("scans", young) is not None
    for area, key in [("certificates", kept), ("scans", young)]:
        storage.delete(area, key)  # the storage folder serves the whole session


def test_every_stored_file_has_its_columns_or_a_rule(app: Flask) -> None:
    """A new storage area (or a new column holding keys) must be added to REFERENCES, or its files never go."""
    assert set(REFERENCES) | {"imports"} == storage.AREAS
    key_columns = {
        (table.name, column.name)
        for table in metadata.tables.values()
        for column in table.columns
        if column.name.endswith("_key")
    }
    handled = {(column.class_.__tablename__, column.key) for columns in REFERENCES.values() for column in columns}
    assert key_columns == handled


def attempt(account: str, created: datetime) -> None:
    db.session.add(LoginAttempt(kind="password", account=account, ip="203.0.113.7", success=False, created_at=created))


def test_old_sign_in_attempts_go_after_30_days(app: Flask) -> None:
    now = datetime.now(UTC)
    ages = {"alt": 40, "knapp": 31, "neu": 29, "heute": 0}
    for account, days in ages.items():
        created = now - timedelta(days=days)
        db.session.add(
            LoginAttempt(kind="password", account=account, ip="203.0.113.7", success=False, created_at=created)
        )
    db.session.commit()
    assert run(app, "--dry-run").output.splitlines()[5] == "Anmeldeversuche: 2"
    assert run(app).output.splitlines()[5] == "Anmeldeversuche: 2"
    assert sorted(db.session.scalars(select(LoginAttempt.account))) == ["heute", "neu"]


def test_the_retention_of_sign_in_attempts_is_a_setting(
    app: Flask, make_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PORTAL_RETENTION_LOGIN_ATTEMPTS_DAYS", raising=False)
    assert load_settings()["RETENTION_LOGIN_ATTEMPTS_DAYS"] == 30
    monkeypatch.setenv("PORTAL_RETENTION_LOGIN_ATTEMPTS_DAYS", "7")
    assert load_settings()["RETENTION_LOGIN_ATTEMPTS_DAYS"] == 7
    db.session.add(
        LoginAttempt(
            kind="password",
            account="a",
            ip="203.0.113.7",
            success=True,
            created_at=datetime.now(UTC) - timedelta(days=8),
        )
    )
    db.session.commit()
    assert run(make_app(RETENTION_LOGIN_ATTEMPTS_DAYS=7), "--dry-run").output.splitlines()[5] == "Anmeldeversuche: 1"
