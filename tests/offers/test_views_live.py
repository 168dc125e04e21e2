"""A live offer: its changes wait for approval while the approved version stays public; occupancy; ending."""

from __future__ import annotations

import pytest

from portal.offers.models import OfferState, VersionStatus
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


def test_occupied_places_are_updated_without_approval(client, live):
    page = text(client.get(url(live)))
    assert "10 von 10 Plätzen sind frei" in page
    response = client.post(url(live, "belegung"), data={"occupied_places": "4", "version_id": live.version_id})
    assert "Die Belegung ist gespeichert: 6 Plätze sind frei." in flash_after(client, response)
    offer = stored(live)
    assert (offer.occupied_places, offer.live_version.status) == (4, VersionStatus.APPROVED)
    assert "6 von 10 Plätzen sind frei (4 belegt)" in text(client.get(url(live)))


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("11", "Die Belegung muss zwischen 0 und 10 liegen."),
        ("-1", "Die Zahl darf nicht negativ sein."),
        ("vier", "Bitte geben Sie eine ganze Zahl an, zum Beispiel 10."),
        ("", "Bitte geben Sie an, wie viele Plätze belegt sind."),
    ],
)
def test_a_wrong_occupancy_shows_next_to_the_field(client, live, typed, message):
    response = client.post(url(live, "belegung"), data={"occupied_places": typed, "version_id": live.version_id})
    page = text(response)
    assert response.status_code == 200
    assert 'id="occupied_places-error"' in page
    assert message in page
    assert 'href="#occupied_places"' in page
    assert stored(live).occupied_places == 0


def test_a_stale_occupancy_form_is_a_conflict(client, live):
    response = client.post(url(live, "belegung"), data={"occupied_places": "2", "version_id": live.version_id + 5})
    assert "Jemand anderes hat diese Daten inzwischen geändert" in text(response)
    assert stored(live).occupied_places == 0


def test_a_live_offer_can_be_ended_once(client, live):
    response = client.post(url(live, "beenden"), data={"version_id": live.version_id})
    assert "Das Angebot ist beendet" in flash_after(client, response)
    offer = stored(live)
    assert offer.state == OfferState.ENDED
    page = text(client.get(url(live)))
    assert "Zuletzt genehmigte Fassung" in page
    assert "Angebot beenden" not in page
    assert "Belegung speichern" not in page
    again = client.post(url(live, "beenden"), data={"version_id": offer.version_id})
    assert "Nur ein veröffentlichtes Angebot kann beendet werden." in flash_after(client, again)
    refused = client.post(url(live, "aendern"))
    assert "Nur genehmigte Angebote können geändert werden." in flash_after(client, refused)


def test_the_timeline_shows_what_happened(client, live):
    client.post(url(live, "belegung"), data={"occupied_places": "3", "version_id": live.version_id})
    page = text(client.get(url(live)))
    assert "Belegung geändert: 0 → 3" in page
