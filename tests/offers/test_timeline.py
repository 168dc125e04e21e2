"""The offer's history: audit entries and comments in one list, newest first; internal notes only for staff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portal.accounts.models import User
from portal.audit.services import record
from portal.extensions import db
from portal.offers.models import Offer, ReviewNote
from portal.offers.queries import TimelineEntry, messages_to_provider, timeline
from tests.factories import Factories
from tests.test_query_counts import counting

MOMENT = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)


def comment(offer: Offer, author: User, body: str, minutes: int, internal: bool = False) -> None:
    note = ReviewNote(
        offer_id=offer.id,
        version_number=offer.current.number,
        author_id=author.id,
        internal=internal,
        kind="note",
        body=body,
        created_at=MOMENT + timedelta(minutes=minutes),
    )
    db.session.add(note)


def entry(action: str, offer: object, details: str, minutes: int, actor: User | None = None) -> None:
    record(action, actor=actor, obj=offer, details=details).created_at = MOMENT + timedelta(minutes=minutes)


@pytest.fixture
def history(factories: Factories) -> tuple[Offer, User, User]:
    """A live offer with entries of the provider, of staff and of the system, and a comment and a note of staff."""
    provider, staff = factories.provider(), factories.staff(name="Erika Prüferin")
    offer = factories.live_offer(provider.organisation)
    entry("offer_submit", offer, "Fassung 1", 0, provider)
    entry("something_new", offer, "ohne Bezeichnung", 1)
    entry("offer_submit", provider.organisation, "ein anderes Objekt", 2)  # another type with perhaps the same id
    entry("offer_submit", factories.offer(), "ein anderes Angebot", 2, provider)
    comment(offer, staff, "Bitte die Einsatzstelle ergänzen.", 0)
    comment(offer, staff, "Träger nachfragen", 3, internal=True)
    db.session.flush()
    return offer, provider, staff


def test_the_history_reads_entries_and_comments_newest_first(history) -> None:
    offer, provider, _staff = history
    at = MOMENT + timedelta(minutes=1)
    assert timeline(offer, include_internal=False) == [
        TimelineEntry(at, "System", "something_new: ohne Bezeichnung", False),
        TimelineEntry(MOMENT, provider.email, "Eingereicht: Fassung 1", False),  # entries before comments
        TimelineEntry(MOMENT, "Erika Prüferin", "Bitte die Einsatzstelle ergänzen.", False),
    ]


def test_internal_notes_are_part_of_the_history_for_staff_only(history) -> None:
    offer, _provider, _staff = history
    assert (
        TimelineEntry(MOMENT + timedelta(minutes=3), "Erika Prüferin", "Träger nachfragen", True)
        == (timeline(offer, include_internal=True)[0])
    )
    assert len(timeline(offer, include_internal=True)) == 4
    assert all(not item.internal for item in timeline(offer, include_internal=False))


def test_the_messages_to_the_provider_come_with_their_authors(history, factories: Factories) -> None:
    offer, _provider, staff = history
    comment(offer, factories.staff(name="Max Zweitprüfer"), "Und die Ansprechperson.", 5)
    db.session.flush()
    db.session.expire_all()
    messages = messages_to_provider(offer.current)
    with counting() as statements:
        authors = [message.author.name for message in messages]
    assert (authors, statements) == (["Max Zweitprüfer", staff.name], [])
