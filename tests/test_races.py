"""Every POST that creates something, sent twice: a double click, a resent form, parallel copies of one request.

Each creating route gets the same form (with the same one-time token, where the form has one) from several
threads at the same moment and creates exactly one record; no copy ends in a 500 or an IntegrityError log line. The
parallel runs need PostgreSQL: SQLite admits one writer at a time, and a transaction that has read before another
one wrote cannot write at all (SQLITE_BUSY_SNAPSHOT), so parallel writers fail there for reasons of SQLite's own.
The same POST sent twice in a row runs on both databases.

The parallel requests need committed data, so that every thread's connection sees it: it is created through an
engine of its own and deleted again afterwards (rows with ids above those before the test; the audit entries stay,
as the audit log is append-only).
"""

from __future__ import annotations

import io
import logging
import os
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Table, delete, func, select, update

from portal import storage
from portal.accounts.models import Organisation, Role, User
from portal.assignments.models import Assignment, AssignmentStatus, Event
from portal.audit.models import AuditEntry
from portal.budget.models import BudgetYear
from portal.extensions import db, make_engine
from portal.final_reports.models import Assessment, FinalReport
from portal.offers.models import Offer, ReviewNote, Site, VersionStatus
from portal.payments import services as payments
from portal.payments.models import BankAccount, PaymentRun
from portal.reports.models import ParticipationReport, ReportStatus
from portal.schema import metadata
from portal.settlements import services as settlements
from portal.settlements.models import Receipt, Settlement, SettlementStatus
from portal.submissions import Submission
from tests import pdfs
from tests.accounts.helpers import registration_data
from tests.factories import DEFAULT_PASSWORD, Factories

URL = os.environ.get("TEST_DATABASE_URL", "")
THREADS = 6
RUN = uuid.uuid4().hex[:8]  # names of this run: a leftover of an aborted run never blocks the next one
TOKEN = f"doppelklick-{RUN}-{'x' * 12}"  # the one-time token of the form every copy was sent from
YEAR = 2093  # a budget year no other test sets
on_postgres = pytest.mark.skipif(
    not URL.startswith("postgresql"),
    reason="parallel writers need PostgreSQL: SQLite serialises writers and refuses a stale reader's write",
)


@dataclass
class Post:
    """One creating form as the browser sends it, and how many records it has created so far."""

    user: User | None
    url: str
    data: dict[str, Any]
    count: Callable[[], int]
    files: Callable[[], dict[str, Any]] | None = None  # an upload is read once per request

    def send(self, client: FlaskClient) -> int:
        data = {**self.data, **(self.files() if self.files else {})}
        return client.post(self.url, data=data).status_code


def counted(query: Any) -> Callable[[], int]:
    return lambda: db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


# --- the creating forms ---------------------------------------------------------------------------


def registration(factories: Factories) -> Post:
    data = registration_data(
        name=f"Doppelt registriert {RUN} e. V.", email=f"doppelt-{RUN}@verein.example", form_token=TOKEN
    )
    return Post(None, "/portal/registrieren", data, counted(select(Organisation).filter_by(name=data["name"])))


def invitation(factories: Factories) -> Post:
    admin = factories.provider(is_org_admin=True)
    data = {"name": "Kim Doppel", "email": f"kim.doppel-{RUN}@traeger.example", "form_token": TOKEN}
    return Post(admin, "/portal/organisation/einladen", data, counted(select(User).filter_by(email=data["email"])))


def new_offer(factories: Factories) -> Post:
    provider = factories.provider()
    data = {"offer_type": "agh_mae", "title": "Doppelt angelegt", "form_token": TOKEN}
    return Post(provider, "/portal/angebote/neu", data, counted(select(Offer).filter_by(form_token=TOKEN)))


def new_site(factories: Factories) -> Post:
    provider = factories.provider()
    offer = factories.offer(provider.organisation)
    version = offer.current
    data = {"version_id": str(version.version_id), "places_total": "10", "action": "einsatzstelle"}
    data |= {f"sites-0-{name}": str(value) for name, value in version.sites[0].content().items()}
    data |= {"sites-1-name": "Zweite Stelle", "sites-1-street": "Gartenweg 2", "sites-1-postal_code": "50667"}
    data |= {"sites-1-district": version.sites[0].district, "sites-1-places": "4"}
    sites = select(Site).filter_by(version_id=version.id)
    return Post(provider, f"/portal/angebote/{offer.id}/schritt/einsatzstellen", data, counted(sites))


def assignment(factories: Factories) -> Post:
    offer = factories.live_offer(factories.provider().organisation)
    start = offer.current.start_date
    data = {
        "customer_number": "123A456789",
        "initials": "M. K.",
        "start_date": f"{start:%d.%m.%Y}",
        "end_date": f"{offer.current.end_date:%d.%m.%Y}",
        "weekly_hours": "20",
        "mae_rate": "1,50",
        "weekdays": "Mo–Fr",
        "site": "Stadtteilzentrum",
        "form_token": TOKEN,
    }
    made = select(Assignment).filter_by(offer_id=offer.id)
    return Post(factories.staff(), f"/portal/angebote/{offer.id}/zuweisungen/neu", data, counted(made))


def accept(factories: Factories) -> Post:
    provider = factories.provider()
    proposed = factories.assignment(factories.live_offer(provider.organisation), status=AssignmentStatus.PROPOSED)
    data = {"action": "accept", "start_date": f"{proposed.start_date:%d.%m.%Y}", "version_id": str(proposed.version_id)}
    moves = select(AuditEntry).filter_by(action="assignment_accept", object_id=str(proposed.id))
    return Post(provider, f"/portal/zuweisungen/{proposed.id}/antwort", data, counted(moves))


def event(factories: Factories) -> Post:
    provider = factories.provider()
    assignment = factories.assignment(factories.live_offer(provider.organisation))
    data = {"kind": "long_sickness", "event_date": f"{assignment.start_date:%d.%m.%Y}", "form_token": TOKEN}
    events = select(Event).filter_by(assignment_id=assignment.id)
    return Post(provider, f"/portal/zuweisungen/{assignment.id}/meldung", data, counted(events))


def new_report(factories: Factories) -> Post:
    provider = factories.provider()
    offer = factories.live_offer(provider.organisation)
    start = offer.current.start_date
    data = {"offer_id": str(offer.id), "year": str(start.year), "month": str(start.month)}
    return Post(
        provider, "/portal/berichte/neu", data, counted(select(ParticipationReport).filter_by(offer_id=offer.id))
    )


def review_note(factories: Factories) -> Post:
    offer = factories.offer(status=VersionStatus.SUBMITTED)
    notes = select(ReviewNote).filter_by(offer_id=offer.id, kind="note")
    data = {"note-body": "Rückruf vereinbart", "note-form_token": TOKEN}
    return Post(factories.staff(), f"/portal/pruefung/{offer.id}/notiz", data, counted(notes))


def budget_year(factories: Factories) -> Post:
    data = {"year": str(YEAR), "amount": "2.500.000,00"}
    return Post(
        factories.user(Role.APPROVER), "/portal/budget/", data, counted(select(BudgetYear).filter_by(year=YEAR))
    )


def upload(factories: Factories) -> Post:
    provider = factories.provider()
    offer = factories.live_offer(provider.organisation)
    start = offer.current.start_date
    report = ParticipationReport(offer=offer, year=start.year, month=start.month, number=1)
    report.status = ReportStatus.SUBMITTED
    db.session.add(report)
    db.session.commit()
    stored = select(AuditEntry).filter_by(action="report_scan_stored", object_id=str(report.id))
    return Post(
        provider,
        f"/portal/berichte/{report.id}/scan",
        {"form_token": TOKEN},
        counted(stored),
        files=lambda: {"scan": (io.BytesIO(pdfs.clean_pdf()), "scan.pdf")},
    )


def approved_month(factories: Factories) -> tuple[User, ParticipationReport]:
    """A provider whose offer has an approved report of its first month (built directly, with its totals)."""
    provider = factories.provider()
    offer = factories.live_offer(provider.organisation)
    start = offer.current.start_date
    report = ParticipationReport(offer=offer, year=start.year, month=start.month, number=1)
    report.status = ReportStatus.APPROVED
    report.document = {"totals": {"mae_payable": "264.00", "mkp_claim": "260.00", "place_months": "2.00"}}
    db.session.add(report)
    db.session.commit()
    return provider, report


def settlement(factories: Factories) -> Post:
    provider, report = approved_month(factories)
    data = {"year": str(report.year), "month": str(report.month), "form_token": TOKEN}
    made = select(Settlement).filter_by(organisation_id=provider.organisation_id)
    return Post(provider, "/portal/abrechnungen/neu", data, counted(made))


def receipt(factories: Factories) -> Post:
    provider, report = approved_month(factories)
    started = settlements.start_settlement(f"{TOKEN}-beleg", provider, report.year, report.month)
    data = {
        "offer_id": str(report.offer_id),
        "kind": "material",
        "amount": "12,50",
        "description": "Handschuhe",
        "form_token": TOKEN,
    }
    return Post(
        provider,
        f"/portal/abrechnungen/{started.id}/belege",
        data,
        counted(select(Receipt).filter_by(settlement_id=started.id)),
        files=lambda: {"upload": (io.BytesIO(pdfs.clean_pdf()), "beleg.pdf")},
    )


def release(factories: Factories) -> Post:
    provider, report = approved_month(factories)
    started = settlements.start_settlement(f"{TOKEN}-freigabe", provider, report.year, report.month)
    started.status = SettlementStatus.IN_CHECK
    db.session.commit()
    moves = select(AuditEntry).filter_by(action="settlement_release", object_id=str(started.id))
    data = {"version_id": str(started.version_id)}
    return Post(factories.staff(), f"/portal/abrechnungen/{started.id}/freigabe", data, counted(moves))


def final_report(factories: Factories) -> Post:
    provider = factories.provider()
    offer = factories.live_offer(provider.organisation, months_ago=14)  # its year ended about two months ago
    data = {"offer_id": str(offer.id), "kind": "final", "period_end": offer.current.end_date.isoformat()}
    return Post(provider, "/portal/sachberichte/neu", data, counted(select(FinalReport).filter_by(offer_id=offer.id)))


def assessment(factories: Factories) -> Post:
    provider = factories.provider()
    ended = factories.assignment(factories.live_offer(provider.organisation), status=AssignmentStatus.ENDED)
    data = {"attendance": "reliable", "reliability": "high", "strengths": "Sorgfältig", "recommendation": "work"}
    made = select(Assessment).filter_by(assignment_id=ended.id)
    return Post(provider, f"/portal/zuweisungen/{ended.id}/beurteilung", data, counted(made))


def released_with_account(factories: Factories) -> Settlement:
    organisation = factories.organisation()
    factories.bank_account(organisation)
    return factories.released_settlement(organisation, 2026, 11, Decimal("524.00"))


def bank_account(factories: Factories) -> Post:
    admin = factories.provider(is_org_admin=True)
    data = {"holder": "Testträger e. V.", "iban": "DE02 1203 0000 0000 2020 51", "bic": ""}
    made = select(BankAccount).filter_by(organisation_id=admin.organisation_id)
    return Post(admin, "/portal/bankverbindung", data, counted(made))


def payment_run(factories: Factories) -> Post:
    settlement = released_with_account(factories)
    data = {"settlements": [str(settlement.id)], "form_token": TOKEN}
    made = select(PaymentRun).join(Settlement).where(Settlement.id == settlement.id)
    return Post(factories.staff(), "/portal/zahlungslaeufe/neu", data, counted(made))


def paid(factories: Factories) -> Post:
    settlement = released_with_account(factories)
    run = payments.create_run(f"{TOKEN}-lauf", factories.staff(), [settlement.id])
    moves = select(AuditEntry).filter_by(action="settlement_pay", object_id=str(settlement.id))
    data = {"version_id": str(run.version_id)}
    return Post(factories.staff(), f"/portal/zahlungslaeufe/{run.id}/bezahlt", data, counted(moves))


def assignment_upload(factories: Factories) -> Post:
    offer = factories.live_offer(factories.provider().organisation)
    start, end = offer.current.start_date, offer.current.end_date
    content = (
        "Kundennummer;Initialen;Angebot;Beginn;Ende;Wochenstunden;MAE-Satz\n"
        f"123A456789;M. K.;{offer.id};{start:%d.%m.%Y};{end:%d.%m.%Y};20;1,50\n"
    ).encode()
    stored = storage.store("imports", content)
    data = {"key": stored.key, "sha256": stored.sha256, "filename": "zuweisungen.csv"}
    made = select(Assignment).filter_by(offer_id=offer.id)
    return Post(factories.staff(), "/portal/zuweisungen/hochladen/import", data, counted(made))


FORMS = [
    accept,
    registration,
    invitation,
    new_offer,
    new_site,
    assignment,
    assignment_upload,
    event,
    new_report,
    review_note,
    budget_year,
    upload,
    settlement,
    receipt,
    release,
    final_report,
    assessment,
    bank_account,
    payment_run,
    paid,
]


# --- sent twice in a row (SQLite and PostgreSQL) --------------------------------------------------


@pytest.mark.parametrize("form", FORMS, ids=lambda form: form.__name__)
def test_the_same_form_sent_twice_creates_one_record(form, factories, client, login):
    post = form(factories)
    if post.user is not None:
        login(post.user)
    before = post.count()
    statuses = [post.send(client), post.send(client)]
    assert statuses[0] == statuses[1]
    assert statuses[0] in (200, 302)
    assert post.count() == before + 1


# --- sent in parallel (PostgreSQL) ----------------------------------------------------------------


@pytest.fixture
def committed(app: Flask, request: pytest.FixtureRequest) -> Iterator[None]:
    """The test's data and changes are committed through an engine of its own, and deleted afterwards."""
    engine = make_engine(URL)
    db.session.remove()
    db.session.configure(bind=engine)
    highest = _highest_ids()
    try:
        yield
    finally:
        db.session.remove()
        try:
            _delete_after(highest)
        finally:
            db.session.remove()
            engine.dispose()
            db.session.configure(bind=request.node.db_connection)


def _tables() -> list[Table]:
    skipped = {"audit_entries", "alembic_version"}
    return [table for table in metadata.sorted_tables if "id" in table.c and table.name not in skipped]


def _highest_ids() -> dict[str, int]:
    return {table.name: db.session.scalar(select(func.coalesce(func.max(table.c.id), 0))) for table in _tables()}


def _delete_after(highest: dict[str, int]) -> None:
    offers = metadata.tables["offers"]
    db.session.execute(
        update(offers).where(offers.c.id > highest["offers"]).values(live_version_id=None, working_version_id=None)
    )
    db.session.execute(delete(BudgetYear).where(BudgetYear.year == YEAR))
    for table in reversed(_tables()):
        db.session.execute(delete(table).where(table.c.id > highest[table.name]))
    db.session.execute(delete(Submission).where(Submission.token == TOKEN))
    for table in _tables():  # tokens that are not the form's, e.g. an upload's SHA-256
        made = Submission.kind == table.name
        db.session.execute(delete(Submission).where(made, Submission.record_id > highest[table.name]))
    db.session.commit()


def _signed_in_clients(app: Flask, user: User | None) -> list[FlaskClient]:
    clients = [app.test_client() for _ in range(THREADS)]
    for client in clients:
        if user is not None:
            response = client.post("/portal/anmelden", data={"email": user.email, "password": DEFAULT_PASSWORD})
            assert response.status_code == 302
    return clients


def _fire(post: Post, clients: list[FlaskClient]) -> list[object]:
    """Every client sends the form at the same moment; the status codes (or what went wrong) in any order."""
    return _fire_each([(post, client) for client in clients])


def _fire_each(sends: list[tuple[Post, FlaskClient]]) -> list[object]:
    """Each client sends its form at the same moment as the others."""
    start = threading.Barrier(len(sends))
    outcomes: list[object] = []

    def send(post: Post, client: FlaskClient) -> None:
        start.wait(timeout=20)
        try:
            outcomes.append(post.send(client))
        except Exception as error:  # shows in the assertion, not as a lost thread warning
            outcomes.append(repr(error))

    threads = [threading.Thread(target=send, args=pair) for pair in sends]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a request did not finish"
    return outcomes


@on_postgres
@pytest.mark.postgres
@pytest.mark.parametrize("form", FORMS, ids=lambda form: form.__name__)
def test_parallel_copies_of_a_form_create_one_record(form, app, committed, caplog):
    post = form(Factories())
    clients = _signed_in_clients(app, post.user)
    before = post.count()
    db.session.remove()
    with caplog.at_level(logging.INFO):
        outcomes = _fire(post, clients)
    db.session.remove()
    assert len(set(outcomes)) == 1, outcomes
    assert outcomes[0] in (200, 302)
    assert post.count() == before + 1
    assert "IntegrityError" not in caplog.text
    assert "duplicate key" not in caplog.text


@on_postgres
@pytest.mark.postgres
def test_parallel_runs_of_different_forms_never_pay_a_settlement_twice(app, committed, caplog):
    """Two members of staff (two form tokens) put the same settlement into a run at the same moment: the row lock
    lets one run take it; the other request waits, finds it taken and says so."""
    factories = Factories()
    settlement = released_with_account(factories)
    staff = factories.staff()
    clients = _signed_in_clients(app, staff)
    data = {"settlements": [str(settlement.id)]}
    made = select(PaymentRun).join(Settlement).where(Settlement.id == settlement.id)
    posts = [
        Post(staff, "/portal/zahlungslaeufe/neu", {**data, "form_token": f"{TOKEN}-{n}"}, counted(made))
        for n in range(2)
    ]
    db.session.remove()
    with caplog.at_level(logging.INFO):
        outcomes = _fire_each(list(zip(posts, clients[:2], strict=True)))
    db.session.remove()
    assert sorted(outcomes) == [200, 302], outcomes
    assert posts[0].count() == 1
    assert "IntegrityError" not in caplog.text
