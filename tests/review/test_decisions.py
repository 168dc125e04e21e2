"""Decisions on the review page: take over, approve, request changes, reject, internal notes, conflicts."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.extensions import db
from portal.offers.models import OfferState, ReviewNote, VersionStatus
from portal.offers.queries import timeline
from portal.offers.services import start_revision
from tests.accounts.helpers import text
from tests.review.helpers import audit_of, budget_for, commitments_of, decide, revise

CONFLICT = "Jemand anderes hat diese Daten inzwischen geändert."


def detail(client, offer) -> str:
    response = client.get(f"/portal/pruefung/{offer.id}")
    assert response.status_code == 200
    return text(response)


def test_review_page_shows_the_application(browser, staff, submitted):
    offer = submitted(title="Pflege der Grünanlagen")
    page = detail(browser(staff), offer)
    for expected in (
        "Pflege der Grünanlagen",
        "Begründung: wettbewerbsneutral",  # every field with its label
        "Kein Auftrag ersetzt",
        "Stadtteilzentrum",  # the sites table
        "Marktplatz 1, 50667",
        "Gesamtkosten",
        "Kosten je Haushaltsjahr",
        "Der Träger hat keine Bescheinigung beigefügt.",
        "Noch niemand bearbeitet diesen Antrag.",
        'name="take-version"',
        'name="approve-version"',
        'name="changes-reason"',
        'name="reject-reason"',
        'name="note-body"',
        "Eine Freigabe genügt.",
    ):
        assert expected in page, expected
    assert "Begründung für das Überschreiten des Budgets" not in page  # staff may not override the budget
    assert "Änderungen gegenüber der genehmigten Fassung" not in page


def test_approver_sees_the_override_field_with_its_explanation(browser, approver, submitted):
    page = detail(browser(approver), submitted())
    assert "Begründung für das Überschreiten des Budgets" in page
    assert "Nur nötig, wenn das Budget nicht reicht" in page


def test_unknown_offer_is_404(browser, staff):
    assert browser(staff).get("/portal/pruefung/999999").status_code == 404


def test_certificate_link_when_attached(browser, staff, submitted):
    offer = submitted(certificate_key="abc123", certificate_name="ihk.pdf")
    page = detail(browser(staff), offer)
    assert f'href="/portal/angebote/{offer.id}/bescheinigung"' in page
    assert "ihk.pdf herunterladen (PDF)" in page


def test_take_over_shows_the_holder_to_colleagues(browser, staff, factories, submitted):
    offer = submitted()
    colleague = factories.staff(name="Kollege Fels")
    response = decide(browser(staff), offer, "take")
    assert response.status_code == 302
    version = offer.current
    assert version.status == VersionStatus.IN_REVIEW
    assert version.assigned_to_id == staff.id
    assert "Sie bearbeiten diesen Antrag." in detail(browser(staff), offer)
    page = detail(browser(colleague), offer)
    assert "Zurzeit bearbeitet Sachbearbeiterin Stein diesen Antrag." in page
    assert decide(browser(colleague), offer, "take").status_code == 302
    assert offer.current.assigned_to_id == colleague.id
    assert len(audit_of(offer, "offer_take")) == 2


def test_approve_below_the_threshold_makes_the_offer_live_and_mails_the_provider(
    browser, staff, provider, submitted, mailbox
):
    offer = submitted()
    per_year = budget_for(offer.current)
    client = browser(staff)
    response = decide(client, offer, "approve")
    assert response.status_code == 302
    assert offer.state == OfferState.LIVE
    assert offer.live_version.status == VersionStatus.APPROVED
    assert offer.working_version is None
    assert "Das Angebot ist genehmigt." in text(client.get(response.headers["Location"]))
    assert {row.year: row.amount for row in commitments_of(offer)} == per_year
    assert len(audit_of(offer, "offer_approve")) == 1
    mails = mailbox.to(provider.email)
    assert len(mails) == 1
    body = mailbox.last_body(provider.email)
    assert "genehmigt" in body
    assert f"/portal/angebote/{offer.id}" in body


def test_approving_a_revision_replaces_the_live_version(browser, staff, provider, submitted):
    offer = submitted(status=VersionStatus.APPROVED, title="Alt")
    old = offer.live_version
    revision = revise(provider, offer, title="Neu", places_total=12)
    budget_for(revision)
    page = detail(browser(staff), offer)
    assert "Änderungen gegenüber der genehmigten Fassung" in page
    assert "Änderung eines genehmigten Angebots" in page
    assert '<th scope="row">Bezeichnung</th><td class="kern-preline">Alt</td><td class="kern-preline">Neu</td>' in page
    assert decide(browser(staff), offer, "approve").status_code == 302
    assert offer.live_version is revision
    assert old.status == VersionStatus.SUPERSEDED


def test_a_revision_without_changes_says_so(browser, staff, provider, submitted):
    offer = submitted(status=VersionStatus.APPROVED)
    revise(provider, offer)
    assert "Diese Fassung enthält keine inhaltlichen Änderungen." in detail(browser(staff), offer)


def test_a_draft_change_keeps_the_live_version_in_view(browser, staff, provider, submitted):
    offer = submitted(status=VersionStatus.APPROVED, title="Veröffentlicht")
    start_revision(provider, offer)
    page = detail(browser(staff), offer)
    assert "Veröffentlicht" in page
    assert 'id="entscheidung"' not in page  # nothing to decide on an approved version


def test_a_new_draft_shows_that_it_is_not_submitted(browser, staff, submitted):
    offer = submitted(status=VersionStatus.DRAFT)
    offer.current.hours_per_week = None
    page = detail(browser(staff), offer)
    assert "Noch nicht eingereicht" in page
    assert "Die Kosten berechnet das Portal, sobald" in page
    assert 'id="entscheidung"' not in page


def test_request_changes_sends_the_comment_but_never_internal_notes(app, browser, staff, provider, submitted, mailbox):
    offer = submitted()
    client = browser(staff)
    assert decide(client, offer, "note", body="Träger wirkt unsicher, bitte nachhaken").status_code == 302
    response = decide(
        client, offer, "changes", reason="incomplete", comment="Bitte ergänzen Sie den Betreuungsschlüssel."
    )
    assert response.status_code == 302
    assert offer.current.status == VersionStatus.CHANGES_REQUESTED
    assert "Bitte ergänzen Sie den Betreuungsschlüssel." in mailbox.last_body(provider.email)
    assert "Angaben unvollständig" in mailbox.last_body(provider.email)

    staff_page = detail(client, offer)
    assert "Träger wirkt unsicher" in staff_page
    assert ">intern<" in staff_page

    seen = " ".join(entry.text for entry in timeline(offer, include_internal=False))
    assert "Bitte ergänzen Sie den Betreuungsschlüssel." in seen
    assert "Träger wirkt unsicher" not in seen
    if "offers/detail.html" in app.jinja_env.list_templates():  # the provider's page, once it exists
        provider_page = text(browser(provider).get(f"/portal/angebote/{offer.id}"))
        assert "Bitte ergänzen Sie den Betreuungsschlüssel." in provider_page
        assert "Träger wirkt unsicher" not in provider_page


def test_request_changes_needs_a_reason_and_a_comment(browser, staff, submitted):
    offer = submitted()
    client = browser(staff)
    page = text(decide(client, offer, "changes", reason="", comment="Etwas"))
    assert "Bitte wählen Sie einen Grund." in page
    assert 'href="#changes-reason"' in page  # the error summary links to the field
    page = text(decide(client, offer, "changes", reason="other", comment="  "))
    assert "Bitte schreiben Sie dem Träger, was er ändern soll." in page
    assert 'aria-invalid="true"' in page
    assert offer.current.status == VersionStatus.SUBMITTED
    assert audit_of(offer, "offer_request_changes") == []


def test_reject_with_reason(browser, staff, provider, submitted, mailbox):
    offer = submitted()
    client = browser(staff)
    assert "Bitte begründen Sie die Ablehnung." in text(decide(client, offer, "reject", reason=""))
    assert offer.current.status == VersionStatus.SUBMITTED
    assert decide(client, offer, "reject", reason="Kein öffentliches Interesse erkennbar").status_code == 302
    assert offer.state == OfferState.REJECTED
    assert offer.current.status == VersionStatus.REJECTED
    assert "Kein öffentliches Interesse erkennbar" in mailbox.last_body(provider.email)
    assert 'id="entscheidung"' not in detail(client, offer)


def test_rejecting_a_revision_keeps_the_offer_live(browser, staff, provider, submitted):
    offer = submitted(status=VersionStatus.APPROVED)
    revise(provider, offer, title="Zu groß geraten")
    assert decide(browser(staff), offer, "reject", reason="Nicht nötig").status_code == 302
    assert offer.state == OfferState.LIVE
    assert offer.working_version is None


def test_internal_note_needs_text(browser, staff, submitted):
    offer = submitted()
    page = text(decide(browser(staff), offer, "note", body=" "))
    assert "Bitte schreiben Sie eine Notiz." in page
    assert db.session.scalar(select(func.count(ReviewNote.id)).where(ReviewNote.offer_id == offer.id)) == 0


def test_stale_form_is_a_conflict_and_changes_nothing(browser, staff, submitted):
    offer = submitted()
    stale = offer.current.version_id
    client = browser(staff)
    assert decide(client, offer, "take").status_code == 302
    for form, fields in (
        ("approve", {}),
        ("changes", {"reason": "other", "comment": "Bitte prüfen"}),
        ("reject", {"reason": "Nein"}),
        ("take", {}),
    ):
        response = decide(client, offer, form, version=stale, **fields)
        assert response.status_code == 409, form
        assert CONFLICT in text(response)
    assert decide(client, offer, "approve", version="kaputt").status_code == 409
    assert offer.current.status == VersionStatus.IN_REVIEW
    assert audit_of(offer, "offer_approve") == audit_of(offer, "offer_reject") == []


def test_a_decision_that_the_status_does_not_allow_is_refused(browser, staff, submitted):
    offer = submitted(status=VersionStatus.CHANGES_REQUESTED)
    budget_for(offer.current)
    response = decide(browser(staff), offer, "approve")
    assert response.status_code == 200
    assert "Das ist im Status „Änderungen erbeten“ nicht möglich." in text(response)
    assert offer.current.status == VersionStatus.CHANGES_REQUESTED
    assert commitments_of(offer) == []
