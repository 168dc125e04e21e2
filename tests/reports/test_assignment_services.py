"""The provider's answer to a proposed assignment: accept with the actual start, non-entry or decline with a reason."""

from __future__ import annotations

import re
from datetime import date

import pytest

from portal.assignments import services
from portal.assignments.models import Assignment, AssignmentStatus, EventKind
from portal.errors import ServiceError
from portal.submissions import new_token
from portal.workflow import TransitionError
from tests.html_check import Page
from tests.reports.helpers import audit, body, delivered, location, page, participants_url, subject, text


@pytest.fixture
def proposed(factories, offer) -> Assignment:
    return factories.assignment(offer, status=AssignmentStatus.PROPOSED)


def test_the_provider_accepts_with_the_actual_start_and_staff_are_told(provider, staff, proposed, mailbox):
    planned = proposed.start_date
    services.accept(provider, proposed, date(2025, 7, 3), proposed.version_id)
    assert (proposed.status, proposed.start_date) == (AssignmentStatus.ACTIVE, date(2025, 7, 3))
    [entry] = audit("assignment_accept", proposed)
    assert entry.details == f"proposed → active: geplant ab {planned:%d.%m.%Y}, angetreten am 03.07.2025"
    [mail] = delivered(mailbox).to(staff.email)
    assert subject(mail) == "Zuweisung beantwortet: Angetreten (Pflege der Grünanlagen)"
    services.accept(provider, proposed, date(2025, 7, 3), None)  # the same answer again: nothing more happens
    assert len(audit("assignment_accept", proposed)) == 1
    assert len(delivered(mailbox).to(staff.email)) == 1
    with pytest.raises(TransitionError, match=re.escape("Das ist im Status „Angetreten“ nicht möglich.")):
        services.accept(provider, proposed, date(2025, 7, 4), proposed.version_id)


def test_a_start_outside_the_assignment_is_refused(provider, proposed):
    with pytest.raises(ServiceError, match="Der Antritt muss in der Zuweisung liegen") as refused:
        services.accept(provider, proposed, date(2030, 1, 1), None)
    assert (refused.value.field, proposed.status) == ("start_date", AssignmentStatus.PROPOSED)


@pytest.mark.parametrize(("action", "status"), [("not_start", "not_started"), ("decline", "declined")])
def test_non_entry_and_decline_need_a_reason(provider, proposed, action, status):
    with pytest.raises(ServiceError, match=re.escape("Bitte nennen Sie den Grund")):
        services.refuse(provider, proposed, action, "  ", None)
    services.refuse(provider, proposed, action, " Nicht erschienen ", None)
    assert (proposed.status, proposed.answer_reason) == (AssignmentStatus(status), "Nicht erschienen")
    [entry] = audit(f"assignment_{action}", proposed)
    assert entry.details == f"proposed → {status}: Nicht erschienen"


def test_only_the_offers_provider_answers(stranger, staff, proposed):
    for person in (stranger, staff):
        with pytest.raises(ServiceError, match=re.escape("Nur der Träger des Angebots kann das tun.")):
            services.accept(person, proposed, proposed.start_date, None)
    assert proposed.status is AssignmentStatus.PROPOSED


def test_an_outdated_answer_changes_nothing(provider, proposed):
    with pytest.raises(ServiceError):
        services.refuse(provider, proposed, "decline", "Kein Platz", proposed.version_id - 1)
    assert proposed.status is AssignmentStatus.PROPOSED


def test_an_exit_ends_an_active_assignment(provider, factories, offer):
    active = factories.assignment(offer)
    services.record_event(new_token(), provider, active, EventKind.JOB, date(2025, 10, 15), "")
    assert (active.status, active.end_date) == (AssignmentStatus.ENDED, date(2025, 10, 15))
    [entry] = audit("assignment_end", active)
    assert entry.details == "active → ended: Arbeitsaufnahme am 15.10.2025"


@pytest.mark.parametrize(
    ("status", "label"),
    [
        (AssignmentStatus.PROPOSED, "Vorgeschlagen"),
        (AssignmentStatus.NOT_STARTED, "Nicht angetreten"),
        (AssignmentStatus.DECLINED, "Abgelehnt"),
        (AssignmentStatus.ENDED, "Beendet"),
    ],
)
def test_events_are_reported_only_on_active_assignments(provider, staff, factories, offer, mailbox, status, label):
    assignment = factories.assignment(offer, status=status)
    with pytest.raises(ServiceError) as refused:
        services.record_event(new_token(), provider, assignment, EventKind.JOB, date(2025, 10, 15), "")
    assert str(refused.value) == f"Meldungen sind nur zu angetretenen Zuweisungen möglich; diese ist „{label}“."
    assert (assignment.events, assignment.status, mailbox.messages) == ([], status, [])


def test_the_participants_page_offers_each_state_its_own_link(client, login, provider, factories, offer):
    proposed = factories.assignment(offer, status=AssignmentStatus.PROPOSED)
    active = factories.assignment(offer)
    declined = factories.assignment(offer, status=AssignmentStatus.DECLINED)
    login(provider)
    html = page(client, participants_url(offer))
    assert row_of(html, proposed) == ("Vorgeschlagen", [f"/portal/zuweisungen/{proposed.id}/{page}" for page in ASKS])
    assert row_of(html, active) == ("Angetreten", [f"/portal/zuweisungen/{active.id}/{page}" for page in REPORTS])
    assert row_of(html, declined) == ("Abgelehnt", [])


ASKS, REPORTS = ("antwort", "aenderung"), ("meldung", "aenderung")


def row_of(html: str, assignment: Assignment) -> tuple[str, list[str]]:
    """The status cell of the assignment's row and the links to its assignment pages."""
    [row] = [row.split("</tr>")[0] for row in html.split("<tr>") if assignment.participant.pseudonym in row]
    status = re.findall(r"<td>([^<]*)</td>", row)[0]
    return status, re.findall(r'href="(/portal/zuweisungen/[^"]+)"', row)


def test_the_provider_asks_staff_for_a_change_once_per_form(app, client, login, provider, staff, proposed, mailbox):
    login(provider)
    url = f"/portal/zuweisungen/{proposed.id}/aenderung"
    form = page(client, url)
    assert "Was soll sich ändern?" in form
    [token] = [
        attributes["value"] for _tag, attributes in Page(form).elements if attributes.get("name") == "form_token"
    ]
    empty = client.post(url, data={"form_token": token, "text": "  "})
    assert "Bitte schreiben Sie, was sich ändern soll (ohne Gesundheitsdaten)." in text(empty)
    sent = {"form_token": token, "text": " Bitte bis 31.07.2026 verlängern. "}
    assert [location(client.post(url, data=sent)) for _ in range(2)] == [participants_url(proposed.offer)] * 2
    assert [message.text for message in proposed.messages] == ["Bitte bis 31.07.2026 verlängern."]
    [entry] = audit("assignment_change_requested", proposed)
    assert (entry.actor_id, entry.details) == (provider.id, "Bitte bis 31.07.2026 verlängern.")
    [mail] = delivered(mailbox).to(staff.email)
    assert subject(mail) == "Änderung einer Zuweisung erbeten (Pflege der Grünanlagen)"
    assert "Bitte bis 31.07.2026 verlängern." not in body(mail)  # the message stays in the portal
    assert proposed.participant.customer_number not in body(mail)
    desk = app.test_client()
    login(staff, test_client=desk)
    listed = page(desk, "/portal/zuweisungen")
    assert "Bitte bis 31.07.2026 verlängern." in listed


@pytest.mark.parametrize("status", [AssignmentStatus.DECLINED, AssignmentStatus.NOT_STARTED, AssignmentStatus.ENDED])
def test_no_change_request_on_an_answered_or_ended_assignment(provider, factories, offer, status):
    assignment = factories.assignment(offer, status=status)
    with pytest.raises(ServiceError, match="Änderungen können Sie nur zu vorgeschlagenen oder angetretenen"):
        services.request_change(new_token(), provider, assignment, "Länger bitte")
    assert assignment.messages == []


def test_only_the_offers_provider_asks_for_a_change(stranger, staff, proposed):
    for person in (stranger, staff):
        with pytest.raises(ServiceError, match=re.escape("Nur der Träger des Angebots kann das tun.")):
            services.request_change(new_token(), person, proposed, "Länger bitte")
    assert proposed.messages == []


def test_the_provider_answers_through_the_form(client, login, provider, proposed):
    login(provider)
    url = f"/portal/zuweisungen/{proposed.id}/antwort"
    assert client.get(url).status_code == 200
    missing = client.post(url, data={"action": "decline", "reason": "", "version_id": proposed.version_id})
    assert "Bitte nennen Sie den Grund" in missing.get_data(as_text=True)
    sent = client.post(url, data={"action": "accept", "start_date": "02.07.2025", "version_id": proposed.version_id})
    assert sent.status_code == 302
    assert (proposed.status, proposed.start_date) == (AssignmentStatus.ACTIVE, date(2025, 7, 2))
