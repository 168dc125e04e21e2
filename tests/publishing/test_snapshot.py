"""The snapshot: exactly the public offers, exactly the documented fields, in a constant number of queries."""

from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event

from portal.accounts.models import OrgStatus
from portal.extensions import db
from portal.offers.models import OfferState, OfferVersion, Site, VersionStatus
from portal.publishing.snapshot import OFFER_FIELDS, read_snapshot, take_snapshot, write_snapshot
from tests.factories import complete_agh_content

LIVE = VersionStatus.APPROVED


def snapshot() -> dict:
    return take_snapshot(db.session())


def titles() -> list[str]:
    return [offer["title"] for offer in snapshot()["offers"]]


def test_only_live_offers_are_in_it(factories):
    factories.offer(status=LIVE, title="Live")
    factories.offer(title="Entwurf")
    for status in (VersionStatus.SUBMITTED, VersionStatus.IN_REVIEW, VersionStatus.REJECTED):
        factories.offer(status=status, title=status.value)
    for state in (OfferState.ENDED, OfferState.WITHDRAWN):
        factories.offer(status=LIVE, title=state.value).state = state
    db.session.flush()
    assert titles() == ["Live"]


def test_a_pending_revision_does_not_change_the_live_content(factories):
    offer = factories.offer(status=LIVE, title="Genehmigt", tasks="Alte Aufgaben")
    revision = OfferVersion(offer=offer, number=2, status=VersionStatus.SUBMITTED, **complete_agh_content())
    revision.title, revision.tasks = "In Prüfung", "Neue Aufgaben"
    revision.sites = [Site(name="Neu", street="Neuweg 1", postal_code="50667", district="Neustadt", places=3)]
    db.session.add(revision)
    db.session.flush()
    offer.working_version = revision
    db.session.flush()
    [data] = snapshot()["offers"]
    assert (data["title"], data["tasks"], data["districts"]) == ("Genehmigt", "Alte Aufgaben", ["Südstadt"])


def test_offers_past_their_end_date_are_left_out(factories):
    today = date.today()
    factories.offer(status=LIVE, title="Endet heute", start_date=today - timedelta(days=30), end_date=today)
    factories.offer(
        status=LIVE, title="Vorbei", start_date=today - timedelta(days=30), end_date=today - timedelta(days=2)
    )
    assert titles() == ["Endet heute"]


def test_an_offer_has_the_documented_public_fields_only(factories):
    organisation = factories.organisation(public_contact="Telefon 0221 555", website="https://traeger.example/")
    offer = factories.offer(organisation, status=LIVE, hours_per_week=Decimal("19.5"), places_total=6)
    for _ in range(8):  # more than places: none free, never negative
        factories.assignment(offer, start_date=date.today(), end_date=date.today())
    [data] = snapshot()["offers"]
    assert tuple(data) == OFFER_FIELDS
    assert data["url"] == f"angebote/{offer.id}/"
    assert (data["provider"], data["provider_contact"], data["provider_website"]) == (
        organisation.name,
        "Telefon 0221 555",
        "https://traeger.example/",
    )
    assert (data["type"], data["legal_basis"], data["field_of_work_label"]) == ("agh_mae", "§ 16d SGB II", "Grünpflege")
    assert (data["places_total"], data["places_free"], data["hours_per_week"]) == (6, 0, 19.5)
    assert data["sites"] == [
        {
            "name": "Stadtteilzentrum",
            "street": "Marktplatz 1",
            "postal_code": "50667",
            "district": "Südstadt",
            "places": 6,
        }
    ]
    assert data["target_group_labels"] == ["Unter 25 Jahren"]
    text = json.dumps(data, ensure_ascii=False)
    for internal in (organisation.iban, organisation.email, "kontakt@traeger.example", "Frau Beispiel", "Sonst nicht"):
        assert internal not in text


def test_provider_text_loses_control_characters(factories):
    offer = factories.offer(status=LIVE, title="Titel\x07 mit\u202e Steuerzeichen", tasks="Zeile 1\r\nZeile 2\x1b")
    offer.live_version.hours_per_week = None
    db.session.flush()
    [data] = snapshot()["offers"]
    assert (data["title"], data["tasks"], data["hours_per_week"]) == (
        "Titel mit Steuerzeichen",
        "Zeile 1\nZeile 2",
        None,
    )


def test_free_places_are_the_places_less_the_assignments_running_today(factories):
    today = date.today()
    offer = factories.offer(status=LIVE, places_total=6)
    factories.assignment(offer, start_date=today - timedelta(days=10), end_date=today)
    factories.assignment(offer, start_date=today - timedelta(days=10), end_date=today - timedelta(days=1))  # ended
    factories.assignment(offer, start_date=today + timedelta(days=1), end_date=today + timedelta(days=10))  # later
    factories.assignment(factories.offer(status=LIVE), start_date=today, end_date=today)  # another offer's
    assert snapshot()["offers"][0]["places_free"] == 5
    factories.assignment(offer, start_date=today, end_date=today + timedelta(days=10))
    assert snapshot()["offers"][0]["places_free"] == 4  # the next snapshot (publish) counts the new assignment


@contextmanager
def counted_queries():
    statements: list[str] = []

    def count(*args: object) -> None:
        if not str(args[2]).startswith("SAVEPOINT"):  # the test's own transaction, resumed after a commit
            statements.append(str(args[2]))

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_three_queries_whatever_the_number_of_offers_and_assignments(factories):
    factories.assignment(factories.offer(status=LIVE), start_date=date.today(), end_date=date.today())
    with counted_queries() as few:
        snapshot()
    for _ in range(5):
        factories.assignment(factories.offer(status=LIVE), start_date=date.today(), end_date=date.today())
    with counted_queries() as many:
        assert len(snapshot()["offers"]) == 6
    assert len(few) == len(many) == 3


def test_a_snapshot_file_of_another_schema_is_refused(tmp_path):
    path = tmp_path / "snapshot.json"
    write_snapshot({"schema_version": 2, "generated": "x", "offers": []}, path)
    with pytest.raises(ValueError, match="keine Momentaufnahme im Format 1"):
        read_snapshot(path)


def test_offers_of_a_suspended_provider_are_not_published(factories):
    suspended = factories.offer(
        organisation=factories.organisation(status=OrgStatus.SUSPENDED), status=VersionStatus.APPROVED
    )
    visible = factories.offer(status=VersionStatus.APPROVED)
    ids = {offer["id"] for offer in take_snapshot(db.session)["offers"]}
    assert visible.id in ids
    assert suspended.id not in ids
