"""docs/security.md 8–11, 21, 23 and 26 for the report pages, with real objects of provider A.

9: {anonymous, provider A, provider B, staff, approver, admin} × every report route with the ids of A's offer,
participants (assignments), reports, PDFs and scans; guessed ids tell nothing. 26: every view or download of
participant data is one access-log entry naming who and what. 10: fields a form does not have are ignored.
11: a provider cannot decide. 23: a resent form acts once. (The route levels are in tests/test_routes.py.)
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from portal.accounts.models import OrgStatus, Role, User
from portal.accounts.services import set_organisation_status
from portal.assignments.models import Assignment, Event, Participant
from portal.extensions import db
from portal.offers.models import Offer
from portal.reports import services
from portal.reports.models import ParticipationReport, ReportStatus
from portal.submissions import new_token
from tests import pdfs
from tests.accounts.helpers import subjects
from tests.reports.helpers import CONFLICT, audit, draft, fresh, grid_form, grid_url, location, page, text
from tests.test_routes import denials

ROLES = ("anonymous", "provider A", "provider B", "staff", "approver", "admin")
STAFF = {"staff", "approver", "admin"}
# Who may call a route about provider A's objects (everyone else: 403; anonymous: the login page).
MAY = {"own": {"provider A"}, "read": {"provider A", *STAFF}, "staff": STAFF}
ROUTES = [
    ("GET", "/portal/angebote/{offer}/teilnehmende", "read"),
    ("GET", "/portal/zuweisungen", "staff"),
    ("GET", "/portal/angebote/{offer}/zuweisungen/neu", "staff"),
    ("POST", "/portal/angebote/{offer}/zuweisungen/neu", "staff"),
    ("GET", "/portal/zuweisungen/{assignment}/antwort", "own"),
    ("POST", "/portal/zuweisungen/{assignment}/antwort", "own"),
    ("GET", "/portal/zuweisungen/{assignment}/aenderung", "own"),
    ("POST", "/portal/zuweisungen/{assignment}/aenderung", "own"),
    ("GET", "/portal/zuweisungen/{assignment}/meldung", "own"),
    ("POST", "/portal/zuweisungen/{assignment}/meldung", "own"),
    ("POST", "/portal/berichte/neu", "own"),  # the offer's id is in the form
    ("GET", "/portal/berichte/{draft}", "read"),
    ("POST", "/portal/berichte/{draft}", "read"),  # staff may post; the service refuses (tested below)
    ("GET", "/portal/berichte/{draft}/einreichen", "own"),
    ("POST", "/portal/berichte/{draft}/einreichen", "own"),
    ("GET", "/portal/berichte/{report}", "read"),
    ("GET", "/portal/berichte/{report}/pdf", "read"),
    ("GET", "/portal/berichte/{report}/scan", "read"),
    ("POST", "/portal/berichte/{report}/scan", "own"),
    ("POST", "/portal/berichte/{report}/entscheidung", "staff"),
]
# Sent with every request: what a form of each route would read, but nothing that would pass as complete.
FIELDS = {"reason": "Fremd", "confirm": "y", "initials": "X. Y.", "status": "approved", "year": "2025", "month": "11"}


@pytest.fixture
def people(factories, provider, stranger, staff, approver) -> dict[str, User]:
    return {
        "provider A": provider,
        "provider B": stranger,
        "staff": staff,
        "approver": approver,
        "admin": factories.user(Role.ADMIN),
    }


@pytest.fixture
def clients(app, browser, people) -> dict[str, FlaskClient]:
    db.session.commit()
    return {"anonymous": app.test_client(), **{role: browser(user) for role, user in people.items()}}


@pytest.fixture
def objects(factories, provider, stranger, offer, assigned) -> dict[str, Any]:
    """Provider A's October report, submitted with its PDF and a signed scan, and November's draft; B's own offer."""
    october = draft(provider, offer)
    services.submit_report(provider, october, None, confirmed=True)
    services.store_scan(new_token(), provider, fresh(october), "unterschrieben.pdf", pdfs.clean_pdf())
    november = draft(provider, offer, 2025, 11)
    theirs = factories.live_offer(stranger.organisation)
    factories.assignment(theirs, customer_number="777B000777")
    db.session.commit()
    return {
        "offer": offer,
        "assignment": assigned[0],
        "report": fresh(october),
        "draft": fresh(november),
        "numbers": [item.participant.customer_number for item in assigned],
        "theirs": theirs,
    }


def path_of(pattern: str, objects: dict[str, Any]) -> str:
    return pattern.format(
        **{name: getattr(objects[name], "id", "") for name in ("offer", "assignment", "report", "draft")}
    )


def call(client: FlaskClient, method: str, path: str, offer_id: int) -> TestResponse:
    return client.open(path, method=method, data={**FIELDS, "offer_id": str(offer_id)})


def snapshot() -> tuple[Any, ...]:
    """Everything a request could change about reports, participants, assignments and events."""
    reports = db.session.scalars(
        select(ParticipationReport).order_by(ParticipationReport.id).execution_options(populate_existing=True)
    )
    assignments = db.session.scalars(
        select(Assignment).order_by(Assignment.id).execution_options(populate_existing=True)
    )
    return (
        [
            (r.status, r.version_id, r.pdf_key, r.scan_key, r.decided_by_id, [dict(line.days) for line in r.lines])
            for r in reports
        ],
        [(a.offer_id, a.start_date, a.end_date, a.version_id) for a in assignments],
        db.session.scalar(select(func.count(Event.id))),
        db.session.scalar(select(func.count(Participant.id))),
    )


def assert_nothing_of_a(response: TestResponse, objects: dict[str, Any]) -> None:
    body = text(response)
    assert [number for number in objects["numbers"] if number in body] == []


def test_the_matrix_of_people_and_report_routes(clients, people, objects):
    """Refusals first (nothing may change), then the people allowed in (never a refusal or an error)."""
    before = snapshot()
    for role in ROLES:
        for method, pattern, level in ROUTES:
            if role in MAY[level]:
                continue
            path = path_of(pattern, objects)
            response = call(clients[role], method, path, objects["offer"].id)
            if role == "anonymous":
                assert location(response).startswith("/portal/anmelden?next="), path
            else:
                assert response.status_code == 403, (role, method, path)
                assert_nothing_of_a(response, objects)
    assert snapshot() == before
    refused = sum(1 for _method, _pattern, level in ROUTES for role in ROLES[1:] if role not in MAY[level])
    assert sum(denials(user.id) for user in people.values()) == refused
    assert audit("participant_data_viewed") == []
    for role in ROLES[1:]:
        for method, pattern, level in ROUTES:
            if role in MAY[level]:
                response = call(clients[role], method, path_of(pattern, objects), objects["offer"].id)
                assert response.status_code in (200, 302), (role, method, pattern)
                assert not response.headers.get("Location", "").startswith("/portal/anmelden")
                response.close()  # a download holds its file open until then
    assert sum(denials(user.id) for user in people.values()) == refused
    after = snapshot()
    assert after[1:] == before[1:]  # no participant, assignment or event was added or changed
    assert [report[0] for report in after[0]] == [ReportStatus.SUBMITTED, ReportStatus.DRAFT]


def without_token(response: TestResponse) -> str:
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token"', text(response))


def test_a_guessed_id_is_answered_like_a_foreign_one(clients, people, objects):
    """Provider B (and staff, for what does not exist) cannot tell a foreign id from one nobody has."""
    names = ("offer", "assignment", "report", "draft")
    guessed: dict[str, Any] = {name: _Id(10**6 + index) for index, name in enumerate(names)}
    other = clients["provider B"]
    for method, pattern, _level in ROUTES:
        foreign = call(other, method, path_of(pattern, objects), objects["offer"].id)
        made_up = call(other, method, path_of(pattern, guessed), 10**6)
        assert (made_up.status_code, without_token(made_up)) == (foreign.status_code, without_token(foreign)), pattern
        absurd_ids = (2**31, 10**20, int("9" * 60)) if pattern != "/portal/zuweisungen" else ()  # a list: no id
        for absurd in absurd_ids:
            for client in clients.values():
                status = call(client, method, path_of(pattern, dict.fromkeys(guessed, _Id(absurd))), absurd).status_code
                assert status in (302, 400, 403, 404, 405), (absurd, pattern, status)  # 405: the public site's path


class _Id:
    def __init__(self, value: int) -> None:
        self.id = value


def test_staff_get_the_same_refusal_for_an_unknown_report(clients):
    for path in ("/portal/berichte/999999", "/portal/berichte/999999/pdf", "/portal/angebote/999999/teilnehmende"):
        assert clients["staff"].get(path).status_code == 403, path


def test_provider_b_never_sees_provider_a_participants(clients, objects):
    other = clients["provider B"]
    for path in ("/portal/", "/portal/berichte/", f"/portal/angebote/{objects['theirs'].id}/teilnehmende"):
        response = other.get(path)
        assert response.status_code == 200, path
        assert_nothing_of_a(response, objects)
    assert "777B000777" in text(other.get(f"/portal/angebote/{objects['theirs'].id}/teilnehmende"))


# --- docs/security.md 26: every view and download of participant data is logged once ---------------------

VIEWS = [
    ("GET", "/portal/angebote/{offer}/teilnehmende", "read", "offer", "Teilnehmende des Angebots angesehen"),
    ("GET", "/portal/zuweisungen", "staff", None, "Liste der Zuweisungen angesehen"),
    (
        "GET",
        "/portal/zuweisungen/{assignment}/aenderung",
        "own",
        "assignment",
        "Zuweisung für eine Bitte um Änderung angesehen",
    ),
    (
        "GET",
        "/portal/zuweisungen/{assignment}/meldung",
        "own",
        "assignment",
        "Zuweisung für eine Sofortmeldung angesehen",
    ),
    ("GET", "/portal/berichte/{report}", "read", "report", "Bericht 2025-10 angesehen"),
    ("GET", "/portal/berichte/{draft}", "read", "draft", "Bericht 2025-11 angesehen"),
    ("POST", "/portal/berichte/{draft}", "own", "draft", "Bericht 2025-11 angesehen"),  # saved and shown again
    ("GET", "/portal/berichte/{draft}/einreichen", "own", "draft", "Bericht 2025-11 vor dem Einreichen geprüft"),
    ("GET", "/portal/berichte/{report}/pdf", "read", "report", "PDF des Berichts heruntergeladen"),
    ("GET", "/portal/berichte/{report}/scan", "read", "report", "Unterschriebenen Bericht heruntergeladen"),
    ("GET", "/portal/berichte/zahlungen/2025-10.csv", "staff", None, "Zahlungsliste 2025-10 (csv) heruntergeladen"),
    ("GET", "/portal/berichte/zahlungen/2025-10.xlsx", "staff", None, "Zahlungsliste 2025-10 (xlsx) heruntergeladen"),
]


def test_each_view_of_participant_data_is_one_entry_naming_who_and_what(clients, people, objects):
    for role in ROLES[1:]:
        user = people[role]
        for method, pattern, level, name, what in VIEWS:
            data = None
            if method == "POST":  # the grid saved: by its provider only (staff's posts are refused, see below)
                if role != "provider A":
                    continue
                data = grid_form(page(clients[role], grid_url(objects["draft"])))
            before = len(audit("participant_data_viewed"))
            response = clients[role].open(path_of(pattern, objects), method=method, data=data)
            entries = audit("participant_data_viewed")[before:]
            if role not in MAY[level]:
                assert (response.status_code, entries) == (403, []), (role, pattern)
                continue
            assert response.status_code == 200, (role, pattern)
            response.close()
            [entry] = entries
            obj = objects[name] if name else None
            expected = (user.id, user.email, user.role, type(obj).__name__ if obj else "", str(obj.id) if obj else "")
            assert (entry.actor_id, entry.actor_email, entry.actor_role, entry.object_type, entry.object_id) == expected
            assert entry.details == what


# --- docs/security.md 11: a provider cannot decide; staff cannot edit ------------------------------------


def test_a_provider_cannot_decide_and_staff_cannot_edit(clients, people, objects):
    report, november = objects["report"], objects["draft"]
    before = snapshot()
    for role in ("provider A", "provider B"):
        response = clients[role].post(
            grid_url(report, "/entscheidung"), data={"decision": "approve", "version_id": str(report.version_id)}
        )
        assert response.status_code == 403
        assert denials(people[role].id) == 1
    form = {f"c-{november.lines[0].id}-3": "UE", "version_id": str(november.version_id)}  # no form on their page
    assert location(clients["staff"].post(grid_url(november), data=form)) == grid_url(november)
    assert "Nur der Träger des Angebots kann das tun." in page(clients["staff"], grid_url(november))
    upload = clients["staff"].post(grid_url(report, "/scan"))
    assert upload.status_code == 403
    assert snapshot() == before
    assert audit("report_approve") == []


# --- docs/security.md 10: fields a form does not have ----------------------------------------------------


def extra_fields(stranger: User, theirs: Offer) -> dict[str, str]:
    return {
        "status": "approved",
        "organisation_id": str(stranger.organisation_id),
        "offer_id": str(theirs.id),
        "participant_id": "1",
        "assignment_id": "1",
        "created_by_id": str(stranger.id),
        "submitted_by_id": str(stranger.id),
        "decided_by_id": str(stranger.id),
        "number": "99",
        "pdf_key": "../../../etc/passwd",
        "pdf_sha256": "0" * 64,
        "scan_key": "../../../etc/passwd",
        "document": "{}",
        "end_date": "2099-12-31",
        "version": "1",
    }


def test_extra_fields_in_every_report_form_are_ignored(
    clients, people, provider, stranger, staff, offer, assigned, objects
):
    extra = extra_fields(stranger, objects["theirs"])
    own = clients["provider A"]
    new = {"customer_number": "555C123456", "initials": "A. B.", "start_date": "01.12.2025", "end_date": "31.12.2025"}
    new |= {"weekly_hours": "15", "mae_rate": "2,00", "site": "Stadtteilzentrum", "weekdays": "Mo–Fr"}
    desk = clients["staff"]
    assert location(desk.post(f"/portal/angebote/{offer.id}/zuweisungen/neu", data={**extra, **new}))
    [added] = db.session.scalars(
        select(Assignment).join(Participant).where(Participant.customer_number == "555C123456")
    )
    assert (added.offer_id, added.participant.organisation_id, added.created_by_id) == (
        offer.id,
        provider.organisation_id,
        staff.id,
    )
    assert added.end_date == date(2025, 12, 31)

    event = {**extra, "kind": "long_sickness", "event_date": "03.11.2025", "reason": "seit Wochen"}
    assert location(own.post(f"/portal/zuweisungen/{assigned[1].id}/meldung", data=event))
    [stored] = db.session.scalars(select(Event))
    assert (stored.offer_id, stored.assignment_id, stored.created_by_id) == (offer.id, assigned[1].id, provider.id)

    september = draft(provider, offer, 2025, 9)
    db.session.commit()
    form = grid_form(page(own, grid_url(september)))
    assert own.post(grid_url(september), data={**extra, **form, "action": "save"}).status_code == 200
    submit = {**extra, "confirm": "y", "version_id": str(fresh(september).version_id)}
    assert location(own.post(grid_url(september, "/einreichen"), data=submit)) == grid_url(september)
    september = fresh(september)
    assert (september.status, september.number, september.submitted_by_id) == (ReportStatus.SUBMITTED, 1, provider.id)
    assert re.fullmatch(r"[0-9a-f]{32}", september.pdf_key)
    assert september.pdf_sha256 != "0" * 64
    assert september.document is not None
    assert september.document["report"]["id"] == september.id

    decision = {**extra, "decision": "request_correction", "reason": "Bitte ergänzen"}
    decision["version_id"] = str(september.version_id)
    assert location(clients["staff"].post(grid_url(september, "/entscheidung"), data=decision))
    september = fresh(september)
    assert (september.status, september.decided_by_id) == (ReportStatus.CORRECTION_REQUESTED, staff.id)
    assert fresh(objects["report"]).status is ReportStatus.SUBMITTED
    assert (
        db.session.scalar(
            select(func.count(ParticipationReport.id)).where(ParticipationReport.offer_id == objects["theirs"].id)
        )
        == 0
    )


# --- docs/security.md 23 and 21: a resent form acts once; an outdated one changes nothing ----------------


def test_resent_forms_act_once(clients, people, staff, offer, assigned, mailbox):
    own = clients["provider A"]
    october = draft(people["provider A"], offer)
    db.session.commit()
    shown = str(october.version_id)
    for _attempt in range(2):
        response = own.post(grid_url(october, "/einreichen"), data={"confirm": "y", "version_id": shown})
        assert location(response) == grid_url(october)
    assert len(audit("report_submit")) == len(audit("report_pdf_stored")) == 1
    assert subjects(mailbox, staff.email) == ["Teilnahmebericht eingereicht: Pflege der Grünanlagen, Oktober 2025"]

    review = clients["staff"]
    decided = {"decision": "approve", "version_id": str(fresh(october).version_id)}
    assert location(review.post(grid_url(october, "/entscheidung"), data=decided)) == grid_url(october)
    again = review.post(grid_url(october, "/entscheidung"), data={**decided, "decision": "reject", "reason": "x"})
    assert again.status_code == 200
    assert CONFLICT in text(again)
    assert fresh(october).status is ReportStatus.APPROVED
    assert (len(audit("report_approve")), audit("report_reject")) == (1, [])

    new = {"customer_number": "555C123456", "initials": "A. B.", "start_date": "01.12.2025", "end_date": "31.12.2025"}
    new |= {"weekly_hours": "15", "mae_rate": "2,00", "site": "Stadtteilzentrum", "weekdays": "Mo–Fr"}
    assert location(review.post(f"/portal/angebote/{offer.id}/zuweisungen/neu", data=new))
    resent = review.post(f"/portal/angebote/{offer.id}/zuweisungen/neu", data=new)
    assert "555C123456 ist diesem Angebot in diesem Zeitraum bereits zugewiesen." in text(resent)
    assert db.session.scalar(select(func.count(Assignment.id))) == 3

    event = {"kind": "job", "event_date": "14.11.2025"}
    assert location(own.post(f"/portal/zuweisungen/{assigned[0].id}/meldung", data=event))
    resent_event = own.post(f"/portal/zuweisungen/{assigned[0].id}/meldung", data=event)
    assert "Diese Meldung (Arbeitsaufnahme am 14.11.2025) liegt bereits vor." in text(resent_event)
    assert db.session.scalar(select(func.count(Event.id))) == 1
    assert subjects(mailbox, staff.email)[1:] == ["Sofortmeldung: Arbeitsaufnahme (Pflege der Grünanlagen)"]


SUSPENDED_PAGE = "Die ARGE hat Ihre Organisation"


def test_a_suspended_organisation_is_refused_participant_data_reports_and_new_offers(clients, people, objects):
    """Issue 13.8: until the suspension is lifted, provider A gets a refusal page that says why and what to do on
    every report route (participant data, new and submitted reports) and on a new offer; staff still read
    everything, the approved report and the audit log included."""
    staff, provider = people["staff"], people["provider A"]
    services.decide(staff, objects["report"], "approve", "", None)
    set_organisation_status(staff, provider.organisation, OrgStatus.SUSPENDED, "Prüfung der Abrechnungen")
    before = snapshot()
    own_routes = [(method, pattern) for method, pattern, level in ROUTES if "provider A" in MAY[level]]
    for method, pattern in [*own_routes, ("GET", "/portal/angebote/neu"), ("POST", "/portal/angebote/neu")]:
        response = call(clients["provider A"], method, path_of(pattern, objects), objects["offer"].id)
        assert response.status_code == 403, (method, pattern)
        body = text(response)
        assert SUSPENDED_PAGE in body
        assert "Grund: Prüfung der Abrechnungen." in body
        assert "Bitte wenden Sie sich an die ARGE" in body
        assert_nothing_of_a(response, objects)
    assert snapshot() == before
    assert denials(provider.id) == len(own_routes) + 2
    assert "Ihre Organisation ist gesperrt" in text(clients["provider A"].get("/portal/"))
    assert clients["provider A"].get("/portal/berichte/").status_code == 200  # the list, without participant data

    for method, pattern, level in ROUTES:
        if "staff" in MAY[level] and method == "GET":
            response = call(clients["staff"], method, path_of(pattern, objects), objects["offer"].id)
            assert response.status_code == 200, pattern
            response.close()
    assert clients["admin"].get("/portal/protokoll").status_code == 200

    set_organisation_status(staff, provider.organisation, OrgStatus.VERIFIED)
    for pattern in ("/portal/berichte/{report}/pdf", "/portal/angebote/{offer}/teilnehmende", "/portal/angebote/neu"):
        response = clients["provider A"].get(path_of(pattern, objects))
        assert response.status_code == 200, pattern
        response.close()
