"""Who sees and changes which offer: another organisation never, staff read only; the chamber certificate."""

from __future__ import annotations

import io

import pytest

from portal.extensions import db
from portal.offers.models import Offer, OfferState, VersionStatus
from tests import pdfs
from tests.accounts.helpers import location, text
from tests.offers.view_helpers import STEP_INPUT, browser, post_step, step_url, stored, url
from tests.test_routes import denials

PDF = pdfs.clean_pdf()


def every_route(offer: Offer) -> list[tuple[str, str]]:
    """Every route of one offer, with the method a browser uses."""
    reads = [url(offer), url(offer, "pruefen"), url(offer, "bescheinigung"), step_url(offer, "zeitraum")]
    actions = ["einreichen", "aendern", "zurueckziehen", "beenden"]
    return (
        [("GET", path) for path in reads]
        + [("POST", step_url(offer, "zeitraum"))]
        + [("POST", url(offer, action)) for action in actions]
    )


@pytest.mark.parametrize("status", [VersionStatus.DRAFT, VersionStatus.APPROVED])
def test_another_organisation_gets_403_on_every_route_and_changes_nothing(client, login, factories, status):
    offer = factories.offer(status=status, certificate_key="abc", certificate_name="a.pdf")
    before = offer.current.content()
    stranger = factories.provider()
    login(stranger)
    for method, path in every_route(offer):
        response = client.open(path, method=method, data={**STEP_INPUT["zeitraum"], "confirm": "y", "version_id": "1"})
        assert response.status_code == 403, (method, path)
        assert "Pflege der Grünanlagen" not in text(response)
    assert denials(stranger.id) == len(every_route(offer))
    offer = stored(offer)
    assert offer.current.content() == before
    assert offer.state == (OfferState.LIVE if status == VersionStatus.APPROVED else OfferState.OPEN)
    assert len(offer.versions) == 1
    assert "Pflege der Grünanlagen" not in text(client.get("/portal/angebote/"))


def test_an_unknown_offer_is_refused_like_a_foreign_one(client, login, factories):
    login(factories.provider())
    assert client.get("/portal/angebote/999999").status_code == 403


def test_staff_read_an_offer_but_cannot_change_it(client, login, factories):
    offer = factories.offer(status=VersionStatus.APPROVED)
    staff = factories.staff()
    login(staff)
    page = text(client.get(url(offer)))
    assert "Pflege der Grünanlagen" in page
    assert "Zur Prüfseite dieses Angebots" in page
    assert "Angebot ändern" not in page
    for action in ("aendern", "beenden"):
        assert client.post(url(offer, action)).status_code == 403
    assert client.get(step_url(offer, "zeitraum")).status_code == 403
    assert stored(offer).working_version is None


def upload(client, offer, data: bytes, name: str):
    version = stored(offer).working_version
    form = {**STEP_INPUT["kontakt"], "action": "entwurf", "version_id": str(version.version_id)}
    form["certificate"] = (io.BytesIO(data), name)
    return client.post(step_url(offer, "kontakt"), data=form, content_type="multipart/form-data")


def test_a_non_pdf_certificate_is_refused_and_the_rest_is_kept(client, login, factories):
    provider = factories.provider()
    offer = factories.offer(organisation=provider.organisation)
    login(provider)
    page = text(client.get(step_url(offer, "kontakt")))
    assert 'enctype="multipart/form-data"' in page
    assert 'accept="application/pdf"' in page
    assert 'type="file"' in page
    response = upload(client, offer, b"MZ\x90\x00 kein PDF", "bescheinigung.pdf")
    page = text(response)
    assert response.status_code == 200
    assert 'id="certificate-error"' in page
    assert "Die Datei ist kein PDF." in page
    version = stored(offer).working_version
    assert (version.certificate_key, version.contact_name) == ("", "Jana Beispiel")
    assert f'name="version_id" type="hidden" value="{version.version_id}"' in page
    assert client.get(url(offer, "bescheinigung")).status_code == 404


def test_a_pdf_certificate_is_stored_and_downloadable_by_its_organisation_and_staff(
    app, client, login, factories, make_app
):
    provider = factories.provider()
    offer = factories.offer(organisation=provider.organisation)
    login(provider)
    response = upload(client, offer, PDF, "IHK Bescheinigung <2026>.pdf")
    assert location(response).endswith(url(offer))
    version = stored(offer).working_version
    assert version.certificate_name == "IHK Bescheinigung 2026.pdf"
    assert "IHK Bescheinigung 2026.pdf" in text(client.get(step_url(offer, "kontakt")))

    with client.get(url(offer, "bescheinigung")) as download:
        assert download.status_code == 200
        assert download.data == PDF
        assert download.mimetype == "application/pdf"
        assert download.headers["Content-Disposition"].startswith("attachment;")
        assert "IHK" in download.headers["Content-Disposition"]

    with browser(make_app, login, factories.staff()).get(url(offer, "bescheinigung")) as download:
        assert download.data == PDF
    stranger = factories.provider()
    assert browser(make_app, login, stranger).get(url(offer, "bescheinigung")).status_code == 403
    assert denials(stranger.id) == 1


def test_a_certificate_whose_file_is_gone_is_not_found(client, login, factories):
    provider = factories.provider()
    offer = factories.offer(organisation=provider.organisation, certificate_key="fehlt", certificate_name="x.pdf")
    login(provider)
    assert client.get(url(offer, "bescheinigung")).status_code == 404


def test_a_check_of_an_offer_without_working_version_goes_to_its_page(client, login, factories):
    provider = factories.provider()
    offer = factories.offer(organisation=provider.organisation, status=VersionStatus.APPROVED)
    login(provider)
    assert location(client.get(url(offer, "pruefen"))).endswith(url(offer))
    response = post_step(client, offer, "zeitraum", version=offer.live_version)
    assert location(response).endswith(url(offer))
    db.session.expire_all()
    assert "können Sie zurzeit nicht bearbeiten" in text(client.get(url(offer)))
