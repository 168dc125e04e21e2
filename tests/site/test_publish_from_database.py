"""`portal publish` from the database: only the approved live versions of live offers reach the site and its data."""

from __future__ import annotations

import json
from datetime import date, timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.offers.models import OfferState, OfferVersion, Site, VersionStatus
from portal.publishing.models import PublishRun, PublishStatus
from portal.publishing.services import publish_now
from portal.publishing.snapshot import take_snapshot
from tests.factories import complete_agh_content


def pending_revision(offer, title: str) -> OfferVersion:
    """A submitted revision of a live offer: under review, not yet public."""
    revision = OfferVersion(offer=offer, number=2, status=VersionStatus.SUBMITTED, **complete_agh_content())
    revision.title = title
    revision.sites = [Site(name="Neu", street="Neuweg 1", postal_code="50667", district="Neustadt", places=10)]
    db.session.add(revision)
    db.session.flush()
    offer.working_version = revision
    db.session.flush()
    return revision


def site_text(site_dir) -> str:
    return "".join(
        path.read_text(encoding="utf-8")
        for path in site_dir.resolve().rglob("*")
        if path.is_file() and path.suffix in (".html", ".json", ".csv")
    )


def test_publish_shows_live_offers_only(factories, site_dir):
    provider = factories.organisation(public_contact="Telefon 0221 999", website="https://traeger.example/")
    live = factories.offer(provider, status=VersionStatus.APPROVED, title="Gartenarbeit im Stadtpark")
    revised = factories.offer(provider, status=VersionStatus.APPROVED, title="Kleiderkammer, genehmigte Fassung")
    pending_revision(revised, "Kleiderkammer, Fassung in Prüfung")
    factories.offer(provider, title="Ein Entwurf")
    factories.offer(provider, status=VersionStatus.SUBMITTED, title="Ein eingereichter Antrag")
    ended = factories.offer(provider, status=VersionStatus.APPROVED, title="Ein beendetes Angebot")
    ended.state = OfferState.ENDED
    db.session.flush()
    lines: list[str] = []

    result = publish_now(lines.append)

    data = json.loads((site_dir / "daten" / "angebote.json").read_text(encoding="utf-8"))
    assert (
        [offer["id"] for offer in data["offers"]]
        == [live.id, revised.id]
        == [o["id"] for o in take_snapshot(db.session())["offers"]]
    )
    assert data["offers"] == take_snapshot(db.session())["offers"]
    assert (site_dir / "angebote" / str(revised.id) / "index.html").is_file()
    text = site_text(site_dir)
    assert "Kleiderkammer, genehmigte Fassung" in text
    for secret in (
        "Fassung in Prüfung",
        "Ein Entwurf",
        "eingereichter Antrag",
        "beendetes Angebot",
        provider.iban,
        provider.email,
        "kontakt@traeger.example",
        "Sonst nicht erledigt",
    ):
        assert secret not in text
    assert result.offers == 2
    assert "Schritt 5/5" in "\n".join(lines)


def test_free_places_follow_the_assignments_at_the_next_publish(factories, site_dir):
    today = date.today()
    offers = [factories.offer(status=VersionStatus.APPROVED, places_total=places) for places in (3, 6)]
    for offer, running in zip(offers, (1, 7), strict=True):  # the second is over-booked: none free, never negative
        for _ in range(running):
            factories.assignment(offer, start_date=today, end_date=today + timedelta(days=30))
    factories.assignment(offers[0], start_date=today - timedelta(days=30), end_date=today - timedelta(days=1))

    def published() -> tuple[list[int], str]:
        publish_now(lambda line: None)
        data = json.loads((site_dir / "daten" / "angebote.json").read_text(encoding="utf-8"))
        page = (site_dir / "angebote" / str(offers[0].id) / "index.html").read_text(encoding="utf-8")
        return [offer["places_free"] for offer in data["offers"]], page

    free, page = published()
    assert free == [2, 0]
    assert "2 von 3 Plätzen frei" in page
    factories.assignment(offers[0], start_date=today, end_date=today)
    free, page = published()
    assert free == [1, 0]
    assert "1 von 3 Plätzen frei" in page


def test_each_run_is_recorded_with_its_log(factories, site_dir):
    factories.offer(status=VersionStatus.APPROVED)

    publish_now(lambda line: None)

    run = db.session.scalars(select(PublishRun).order_by(PublishRun.id.desc())).first()
    assert (run.status, run.running, run.offers, run.trigger) == (PublishStatus.SUCCEEDED, None, 1, "cli")
    assert run.log.splitlines()[-1].startswith("Fertig: 1 Angebot online")


def test_an_ended_offer_disappears_after_the_next_publish(factories, site_dir):
    offer = factories.offer(status=VersionStatus.APPROVED, title="Bald beendet")
    publish_now(lambda line: None)
    page = site_dir / "angebote" / str(offer.id) / "index.html"
    assert page.is_file()

    offer.state = OfferState.ENDED
    db.session.flush()
    publish_now(lambda line: None)

    assert not page.exists()
    assert "Bald beendet" not in site_text(site_dir)
    runs = [path for path in (site_dir.parent / "publish").iterdir() if path.is_dir()]
    assert len(runs) == 2  # the new one and the previous one
