"""A provider creates an offer, fills the steps over two sittings, checks the answers and submits."""

from __future__ import annotations

import itertools
import re
from decimal import Decimal

from sqlalchemy import func, select

from portal.accounts.models import OrgStatus
from portal.extensions import db
from portal.offers.models import Offer, OfferState, OfferType, ReviewNote, VersionStatus
from tests.accounts.helpers import location, subjects, text
from tests.offers.view_helpers import BASE, STEP_INPUT, post_step, step_url, stored, url

FIRST_SITTING = ("grunddaten", "taetigkeit", "einsatzstellen", "zeitraum")
SECOND_SITTING = ("zielgruppen", "betreuung", "kosten", "kriterien", "kontakt")


def start_offer(client, title="Stadtgärten pflegen", token="t" * 30):
    response = client.post(f"{BASE}/neu", data={"offer_type": "agh_mae", "title": title, "form_token": token})
    offer_id = int(location(response).rsplit("/", 1)[1])
    return db.session.get(Offer, offer_id)


def task_statuses(page: str) -> list[tuple[str, str]]:
    """(step title, status) of every row of the task list."""
    rows = re.findall(
        r'<span class="kern-number">\d+</span><span>([^<]+)</span>.*?<span class="kern-label">([^<]+)<', page, re.S
    )
    return [(title, status) for title, status in rows]


def test_a_provider_completes_an_offer_over_two_sittings_and_submits_it(
    app, client, login, provider, factories, mailbox
):
    staff = factories.staff()
    login(provider)
    assert "Neues Angebot anlegen" in text(client.get(f"{BASE}/"))
    form_page = text(client.get(f"{BASE}/neu"))
    assert "§ 16d SGB II" in form_page
    assert 'name="form_token"' in form_page
    offer = start_offer(client)
    first_look = text(client.get(url(offer)))
    assert ("Art und Bezeichnung", "In Bearbeitung") in task_statuses(first_look)
    assert ("Kosten", "Nicht begonnen") in task_statuses(first_look)

    for slug, following in itertools.pairwise(FIRST_SITTING):
        assert location(post_step(client, offer, slug)).endswith(step_url(offer, following))
    assert location(post_step(client, offer, "zeitraum")).endswith(step_url(offer, "zielgruppen"))

    second = app.test_client()  # the next day: a new browser, a new sign-in, the draft is still there
    login(provider, test_client=second)
    statuses = dict(task_statuses(text(second.get(url(offer)))))
    assert [statuses[title] for title in ("Art und Bezeichnung", "Zeitraum und Arbeitszeit")] == ["Erledigt"] * 2
    assert statuses["Kosten"] == "Nicht begonnen"
    for slug in SECOND_SITTING[:-1]:
        post_step(second, offer, slug)
    assert location(post_step(second, offer, "kontakt")).endswith(url(offer, "pruefen"))
    assert set(dict(task_statuses(text(second.get(url(offer))))).values()) == {"Erledigt"}

    check = text(second.get(url(offer, "pruefen")))
    for shown in (
        "Stadtgarten Nord, Lindenweg 3, 50670 (Nordstadt): 5 Plätze",
        "19,50",
        "Jana Beispiel",
        "Gesamtkosten",
    ):
        assert shown in check
    assert check.count(">Ändern<") == 9
    assert "Ich bestätige, dass die Angaben richtig und vollständig sind." in check

    rendered = stored(offer).working_version.version_id
    response = second.post(url(offer, "einreichen"), data={"version_id": rendered, "confirm": "y"})
    assert location(response).endswith(url(offer))
    page = text(second.get(url(offer)))
    assert "Ihr Antrag ist eingereicht" in page
    assert "Eingereicht" in page
    assert stored(offer).working_version.status == VersionStatus.SUBMITTED
    assert subjects(mailbox, staff.email) == ["Neuer Antrag eingereicht: Stadtgärten pflegen"]
    resent = second.post(url(offer, "einreichen"), data={"version_id": rendered, "confirm": "y"})
    assert "Jemand anderes hat diese Daten inzwischen geändert" in text(second.get(location(resent)))
    assert stored(offer).versions[-1].submitted_at is not None
    assert len(stored(offer).versions) == 1


def test_the_steps_store_what_the_provider_typed(client, login, provider):
    login(provider)
    offer = start_offer(client)
    for slug in STEP_INPUT:
        post_step(client, offer, slug)
    version = stored(offer).working_version
    assert version.hours_per_week == Decimal("19.5")
    assert version.mkp_material == Decimal(50)
    assert version.target_groups == ["unter_25", "alleinerziehende"]
    assert version.barrier_free is True
    assert [(site.name, site.places) for site in version.sites] == [("Stadtgarten Nord", 5), ("Schulgarten Süd", 3)]
    assert version.total_cost > 0
    assert version.offer_type == OfferType.AGH_MAE


def test_a_resent_new_offer_form_creates_one_offer(client, login, provider):
    login(provider)
    first = start_offer(client, token="x" * 40)
    again = start_offer(client, token="x" * 40)
    assert first.id == again.id
    count = db.session.scalar(select(func.count(Offer.id)).where(Offer.organisation_id == provider.organisation_id))
    assert count == 1


def test_a_new_offer_needs_type_and_title(client, login, provider):
    login(provider)
    response = client.post(f"{BASE}/neu", data={"title": " ", "form_token": "kaputt"})
    page = text(response)
    assert response.status_code == 200
    assert "Bitte wählen Sie die Art des Angebots." in page
    assert "Bitte geben Sie eine Bezeichnung an." in page
    token = re.search(r'name="form_token" type="hidden" value="([^"]+)"', page).group(1)
    assert token != "kaputt"
    assert len(token) >= 40


def test_a_new_offer_refuses_an_unknown_type(client, login, provider):
    login(provider)
    response = client.post(f"{BASE}/neu", data={"offer_type": "spielcasino", "title": "Test", "form_token": "k" * 30})
    assert "Bitte wählen Sie eine der genannten Arten." in text(response)


def test_the_list_shows_status_waiting_and_free_places(client, login, provider, factories):
    organisation = provider.organisation
    factories.offer(organisation=organisation, status=VersionStatus.DRAFT, title="Entwurf A")
    factories.offer(organisation=organisation, status=VersionStatus.SUBMITTED, title="Wartet B")
    live = factories.live_offer(organisation, title="Läuft C")
    for _ in range(3):
        factories.assignment(live)
    factories.offer(status=VersionStatus.DRAFT, title="Fremdes Angebot")
    login(provider)
    page = text(client.get(f"{BASE}/"))
    assert "Entwurf A" in page
    assert "Wartet B" in page
    assert "Läuft C" in page
    assert "Fremdes Angebot" not in page
    assert "wartet auf die ARGE" in page
    assert "ja, 7 von 10 Plätzen frei" in page
    assert "noch nicht bestätigt" not in page


def test_an_unverified_organisation_may_draft_but_not_submit(client, login, factories):
    provider = factories.provider(organisation=factories.organisation(status=OrgStatus.PENDING))
    offer = factories.offer(organisation=provider.organisation)
    login(provider)
    assert "Ihre Organisation ist noch nicht bestätigt" in text(client.get(f"{BASE}/"))
    check = text(client.get(url(offer, "pruefen")))
    assert "Ihre Organisation ist noch nicht bestätigt" in check
    assert "Antrag einreichen</span>" not in check
    response = client.post(url(offer, "einreichen"), data={"confirm": "y", "version_id": offer.current.version_id})
    assert "noch nicht von der ARGE bestätigt" in text(client.get(location(response)))
    assert stored(offer).working_version.status == VersionStatus.DRAFT
    start_offer(client, title="Noch ein Entwurf")


def test_the_check_page_lists_what_blocks_the_submission(client, login, provider, factories):
    offer = factories.offer(organisation=provider.organisation, tasks="", justification_competition="")
    login(provider)
    page = text(client.get(url(offer, "pruefen")))
    assert "Bevor Sie einreichen können" in page
    assert f'href="{step_url(offer, "taetigkeit")}">Der Schritt „Tätigkeit und Einsatzfeld“' in page
    assert (
        f'href="{step_url(offer, "kriterien")}">Bitte begründen Sie, warum die Arbeit wettbewerbsneutral ist.' in page
    )
    assert "Antrag einreichen</span>" not in page


def test_submitting_needs_the_declaration(client, login, provider, factories, mailbox):
    offer = factories.offer(organisation=provider.organisation)
    login(provider)
    version = offer.working_version
    response = client.post(url(offer, "einreichen"), data={"version_id": version.version_id})
    page = text(response)
    assert response.status_code == 200
    assert "Bitte bestätigen Sie, dass Ihre Angaben richtig und vollständig sind." in page
    assert 'href="#confirm"' in page
    assert stored(offer).working_version.status == VersionStatus.DRAFT
    assert mailbox.messages == []


def test_a_submitted_application_can_be_withdrawn_but_not_edited(client, login, provider, factories):
    offer = factories.offer(organisation=provider.organisation, status=VersionStatus.SUBMITTED)
    login(provider)
    page = text(client.get(url(offer)))
    assert "Die ARGE prüft den Antrag" in page
    assert "kern-task-list" not in page
    for target in (step_url(offer, "zeitraum"), url(offer, "pruefen")):
        assert location(client.get(target)).endswith(url(offer))
    version = offer.working_version
    response = client.post(url(offer, "zurueckziehen"), data={"version_id": version.version_id})
    assert "Die Fassung ist zurückgezogen" in text(client.get(location(response)))
    assert stored(offer).state == OfferState.WITHDRAWN
    again = client.post(url(offer, "zurueckziehen"), data={"version_id": version.version_id})
    assert "nicht möglich" in text(client.get(location(again)))


def test_a_returned_application_shows_the_request_prominently_and_hides_internal_notes(
    client, login, provider, factories
):
    offer = factories.offer(organisation=provider.organisation, status=VersionStatus.CHANGES_REQUESTED)
    staff = factories.staff()
    db.session.add_all(
        [
            ReviewNote(
                offer_id=offer.id,
                version_number=1,
                author_id=staff.id,
                internal=False,
                kind="changes",
                body="Angaben unvollständig: Bitte nennen Sie den Betreuungsschlüssel genauer.",
            ),
            ReviewNote(
                offer_id=offer.id,
                version_number=1,
                author_id=staff.id,
                internal=True,
                body="Intern: Träger hatte schon einmal Probleme.",
            ),
        ]
    )
    db.session.flush()
    login(provider)
    page = text(client.get(url(offer)))
    assert "Die ARGE bittet Sie um Änderungen" in page
    assert page.count("Bitte nennen Sie den Betreuungsschlüssel genauer.") == 2  # the notice and the timeline
    assert "Träger hatte schon einmal Probleme" not in page
    assert "kern-task-list" in page
    assert "Erneut einreichen" in text(client.get(url(offer, "pruefen")))
