"""The pages of final reports and assessments as providers and staff use them: the list of what is due, the report
with its figures and narrative, staff's review; another provider is refused, and views of assessments are logged."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select

from portal.accounts.models import User
from portal.assignments.models import Assignment
from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.final_reports.models import Assessment, FinalReport, FinalReportStatus
from portal.offers.models import Offer
from tests.reports.helpers import location, page, text, version_on

INDEX = "/portal/sachberichte"
NARRATIVE = {"goals_reached": "Ziele erreicht", "course": "Gut verlaufen", "problems": "Keine", "outlook": "Weiter"}
ASSESSMENT = {
    "attendance": "mostly",
    "reliability": "high",
    "strengths": "Sorgfältig",
    "recommendation": "training",
    "recommendation_note": "Interesse an Gartenbau",
}


def started(client: FlaskClient, offer: Offer) -> str:
    response = client.post(
        f"{INDEX}/neu", data={"offer_id": str(offer.id), "kind": "final", "period_end": "2025-10-31"}
    )
    return location(response)


def report() -> FinalReport:
    found = db.session.scalars(select(FinalReport)).one()
    db.session.refresh(found)
    return found


def viewed(details: str) -> set[str]:
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "participant_data_viewed")).all()
    return {entry.actor_email or "" for entry in entries if entry.details == details}


def test_a_provider_writes_the_final_report_and_staff_approve_it(
    client: FlaskClient, login, provider: User, staff: User, ended_offer: Offer, people: dict[str, Assignment]
) -> None:
    login(provider)
    listed = page(client, INDEX)
    assert "Bericht beginnen" in listed
    assert "31.12.2025" in listed
    url = started(client, ended_offer)
    html = page(client, url)
    assert 'Eintritte</th><td class="numeric">4</td>' in html
    assert 'Integrationen in Arbeit oder Ausbildung</th><td class="numeric">2 (50,0 % der Austritte)' in html
    saved = client.post(f"{url}/speichern", data={"version_id": version_on(html), "goals_reached": "Erster Entwurf"})
    assert location(saved) == url
    assert "Erster Entwurf" in page(client, url)
    missing = client.post(
        f"{url}/speichern",
        data={**NARRATIVE, "outlook": "", "version_id": str(report().version_id), "submit_report": "1", "confirm": "y"},
    )
    assert missing.status_code == 200
    assert 'id="outlook-error"' in text(missing)
    assert "Gut verlaufen" in text(missing)  # nothing typed is lost
    submitted = client.post(
        f"{url}/speichern",
        data={**NARRATIVE, "version_id": str(report().version_id), "submit_report": "1", "confirm": "y"},
    )
    assert location(submitted) == url
    assert report().status is FinalReportStatus.SUBMITTED

    client.post("/portal/abmelden")
    login(staff)
    assert "Gut verlaufen" in page(client, url)
    assert client.post(f"{url}/pruefung").status_code == 302
    empty = client.post(f"{url}/korrektur", data={"version_id": str(report().version_id), "reason": ""})
    assert 'id="reason-error"' in text(empty)
    client.post(f"{url}/korrektur", data={"version_id": str(report().version_id), "reason": "Bitte genauer."})
    assert report().status is FinalReportStatus.CORRECTION_REQUESTED

    client.post("/portal/abmelden")
    login(provider)
    assert "Bitte genauer." in page(client, url)
    client.post(
        f"{url}/speichern",
        data={**NARRATIVE, "version_id": str(report().version_id), "submit_report": "1", "confirm": "y"},
    )
    client.post("/portal/abmelden")
    login(staff)
    client.post(f"{url}/genehmigung", data={"version_id": str(report().version_id)})
    assert report().status is FinalReportStatus.APPROVED
    assert "Genehmigt" in page(client, INDEX)


def test_another_provider_is_refused_and_staff_alone_review(
    client: FlaskClient, login, provider: User, stranger: User, ended_offer: Offer
) -> None:
    login(provider)
    url = started(client, ended_offer)
    assert client.post(f"{url}/pruefung").status_code == 403  # providers do not review
    assert client.post(f"{url}/genehmigung", data={"version_id": "1"}).status_code == 403
    client.post("/portal/abmelden")
    login(stranger)
    assert client.get(url).status_code == 403
    assert client.post(f"{url}/speichern", data={**NARRATIVE, "version_id": "1"}).status_code == 403
    starting = client.post(
        f"{INDEX}/neu", data={"offer_id": str(ended_offer.id), "kind": "final", "period_end": "2025-10-31"}
    )
    assert starting.status_code == 403
    assert ended_offer.live_version.title not in page(client, INDEX)


def test_a_changed_start_form_is_a_bad_request(client: FlaskClient, login, provider: User, ended_offer: Offer) -> None:
    login(provider)
    assert client.post(f"{INDEX}/neu", data={"offer_id": str(ended_offer.id), "kind": "x"}).status_code == 400
    early = client.post(
        f"{INDEX}/neu", data={"offer_id": str(ended_offer.id), "kind": "final", "period_end": "2025-09-30"}
    )
    assert location(early) == INDEX


def test_an_assessment_from_the_list_to_the_caseworker(
    client: FlaskClient, login, provider: User, stranger: User, staff: User, people: dict[str, Assignment]
) -> None:
    target = people["drop_out"]
    url = f"/portal/zuweisungen/{target.id}/beurteilung"
    login(provider)
    assert url in page(client, INDEX)
    incomplete = client.post(url, data={**ASSESSMENT, "attendance": ""})
    assert incomplete.status_code == 200
    assert 'id="attendance-error"' in text(incomplete)
    assert location(client.post(url, data=ASSESSMENT)) == url
    assert "Interesse an Gartenbau" in page(client, url)
    assert db.session.scalars(select(Assessment)).one().assignment_id == target.id
    client.post("/portal/abmelden")
    login(stranger)
    assert client.get(url).status_code == 403
    assert client.post(url, data=ASSESSMENT).status_code == 403
    client.post("/portal/abmelden")
    login(staff)
    html = page(client, url)
    assert "Ausbildung oder Qualifizierung" in html
    assert target.participant.customer_number in page(client, INDEX)
    assert client.post(url, data=ASSESSMENT).status_code == 403  # staff read it, the provider writes it
    assert viewed("Teilnehmerbeurteilung angesehen") == {provider.email, staff.email}
    assert viewed("Liste der Teilnehmerbeurteilungen angesehen") == {provider.email, staff.email}


def test_refusals_are_shown_on_the_page(
    client: FlaskClient, login, provider: User, staff: User, ended_offer: Offer, people: dict[str, Assignment]
) -> None:
    login(provider)
    url = started(client, ended_offer)
    bad = client.post(f"{url}/speichern", data={"version_id": version_on(page(client, url)), "course": "a\x00b"})
    assert "unzulässige Steuerzeichen" in text(bad)
    non_entry = f"/portal/zuweisungen/{people['non_entry'].id}/beurteilung"
    assert "sobald die Zuweisung nach dem Antritt beendet ist" in page(client, non_entry)
    refused = client.post(non_entry, data=ASSESSMENT)
    assert "sobald sie nach dem Antritt beendet ist" in text(refused)
    client.post("/portal/abmelden")
    login(staff)
    for action, data in (("pruefung", {}), ("genehmigung", {"version_id": str(report().version_id)})):
        shown = client.post(f"{url}/{action}", data=data, follow_redirects=True)
        assert "Das ist im Status „Entwurf“ nicht möglich." in text(shown)
    assert client.post(f"{url}/genehmigung", data={"version_id": "\x00"}).status_code == 400


def test_the_participants_page_links_each_ended_assignment_to_its_assessment(
    client: FlaskClient, login, staff: User, ended_offer: Offer, people: dict[str, Assignment]
) -> None:
    login(staff)
    html = page(client, f"/portal/angebote/{ended_offer.id}/teilnehmende")
    linked = {name for name, item in people.items() if f"/portal/zuweisungen/{item.id}/beurteilung" in html}
    assert linked == {"regular", "drop_out", "job", "training"}  # not after a non-entry
