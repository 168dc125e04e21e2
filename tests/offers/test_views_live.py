"""A live offer: its changes wait for approval while the approved version stays public; occupied places; ending."""

from __future__ import annotations

from datetime import date, timedelta

from portal.extensions import db
from portal.offers.models import OfferState, Site, VersionStatus
from portal.review.services import approve
from tests.accounts.helpers import location, text
from tests.offers.view_helpers import BASE, post_step, stored, url


def flash_after(client, response) -> str:
    return text(client.get(location(response)))


def test_a_change_keeps_the_live_content_until_it_is_approved(client, live, factories):
    page = flash_after(client, client.post(url(live, "aendern")))
    assert "Das genehmigte Angebot bleibt veröffentlicht" in page
    offer = stored(live)
    revision = offer.working_version
    assert (revision.number, revision.status, offer.live_version.number) == (2, VersionStatus.DRAFT, 1)
    assert "kern-task-list" in page
    assert "Sie haben noch nichts geändert." in page

    post_step(client, live, "grunddaten", title="Grünanlagen und Spielplätze pflegen")
    page = text(client.get(url(live)))
    assert "Ihre Änderung (Fassung 2)" in page
    assert '<th scope="row">Bezeichnung</th><td class="kern-preline">Pflege der Grünanlagen</td>' in page
    assert "Grünanlagen und Spielplätze pflegen</td>" in page
    assert "Änderung: " in text(client.get(f"{BASE}/"))
    assert stored(live).live_version.title == "Pflege der Grünanlagen"

    revision = stored(live).working_version
    client.post(url(live, "einreichen"), data={"version_id": revision.version_id, "confirm": "y"})
    offer = stored(live)
    assert offer.working_version.status == VersionStatus.SUBMITTED
    assert (offer.state, offer.live_version.title) == (OfferState.LIVE, "Pflege der Grünanlagen")
    assert "Die ARGE prüft die Änderung" in text(client.get(url(live)))

    for year in {offer.working_version.start_date.year, offer.working_version.end_date.year}:
        factories.budget(year, 1_000_000)
    approve(factories.staff(), offer.working_version, None)
    offer = stored(live)
    assert (offer.live_version.number, offer.live_version.title) == (2, "Grünanlagen und Spielplätze pflegen")
    assert offer.working_version is None


def test_starting_a_change_twice_gives_the_same_draft(client, live):
    client.post(url(live, "aendern"))
    client.post(url(live, "aendern"))
    assert len(stored(live).versions) == 2


def test_a_pending_change_can_be_withdrawn_and_the_live_offer_stays(client, live):
    client.post(url(live, "aendern"))
    revision = stored(live).working_version
    page = text(client.get(url(live)))
    assert "Änderung zurückziehen" in page
    flash_after(client, client.post(url(live, "zurueckziehen"), data={"version_id": revision.version_id}))
    offer = stored(live)
    assert (offer.state, offer.working_version, revision.status) == (OfferState.LIVE, None, VersionStatus.WITHDRAWN)


def test_occupied_places_are_the_running_assignments(client, live, factories):
    assert "10 von 10 Plätzen sind frei (0 belegt)" in text(client.get(url(live)))
    today = date.today()
    factories.assignment(live, start_date=today - timedelta(days=30), end_date=today)
    factories.assignment(live, start_date=today, end_date=today + timedelta(days=30))
    factories.assignment(live, start_date=today - timedelta(days=30), end_date=today - timedelta(days=1))  # ended
    factories.assignment(live, start_date=today + timedelta(days=1), end_date=today + timedelta(days=30))  # later
    assert "8 von 10 Plätzen sind frei (2 belegt)" in text(client.get(url(live)))


def test_each_site_shows_its_occupied_places(client, live, factories):
    version = stored(live).live_version
    version.sites[0].places = 6
    version.sites.append(
        Site(position=1, name="Kleiderkammer", street="Hauptstraße 2", postal_code="50667", district="Nord", places=4)
    )
    db.session.commit()
    today = date.today()
    factories.assignment(live, start_date=today, end_date=today, site="Kleiderkammer")
    page = text(client.get(url(live)))
    assert "Stadtteilzentrum: 0 von 6 Plätzen belegt" in page
    assert "Kleiderkammer: 1 von 4 Plätzen belegt" in page


def test_the_hand_typed_occupancy_is_gone(client, live):
    assert "Belegung speichern" not in text(client.get(url(live)))
    assert client.post(url(live, "belegung"), data={"occupied_places": "4"}).status_code in (404, 405)  # no route


def test_a_live_offer_can_be_ended_once(client, live):
    response = client.post(url(live, "beenden"), data={"version_id": live.version_id})
    assert "Das Angebot ist beendet" in flash_after(client, response)
    offer = stored(live)
    assert offer.state == OfferState.ENDED
    page = text(client.get(url(live)))
    assert "Zuletzt genehmigte Fassung" in page
    assert "Angebot beenden" not in page
    again = client.post(url(live, "beenden"), data={"version_id": offer.version_id})
    assert "Nur ein veröffentlichtes Angebot kann beendet werden." in flash_after(client, again)
    refused = client.post(url(live, "aendern"))
    assert "Nur genehmigte Angebote können geändert werden." in flash_after(client, refused)


def test_the_timeline_shows_what_happened(client, live):
    client.post(url(live, "aendern"))
    page = text(client.get(url(live)))
    assert "Änderung begonnen: Fassung 2" in page
