"""Four-eyes: above the threshold a second approval by another member of the team lead is needed."""

from __future__ import annotations

import pytest

from portal.offers.models import OfferState, VersionStatus
from tests.accounts.helpers import subjects, text
from tests.review.helpers import audit_of, budget_for, decide

SAME_PERSON = "Die zweite Freigabe muss eine andere Person geben als die erste (Vier-Augen-Prinzip)."
TEAM_LEAD = "Die zweite Freigabe gibt die Teamleitung."


@pytest.fixture
def large(submitted):
    """An application above the threshold of 50.000 € (40 places for six months), with enough budget."""
    offer = submitted(places_total=40, title="Großes Vorhaben")
    budget_for(offer.current)
    return offer


def test_first_approval_does_not_make_it_live(browser, approver, second_approver, large, provider, mailbox):
    client = browser(approver)
    page = text(client.get(f"/portal/pruefung/{large.id}"))
    assert "Erste Freigabe erteilen" in page
    assert "Ja: Die Kosten liegen über der Schwelle" in page
    response = decide(client, large, "approve")
    assert response.status_code == 302
    assert "gibt eine andere Person aus der Teamleitung die zweite Freigabe" in text(
        client.get(response.headers["Location"])
    )
    version = large.current
    assert version.status == VersionStatus.FIRST_APPROVED
    assert version.first_approved_by_id == approver.id
    assert large.state == OfferState.OPEN
    assert large.live_version is None
    assert mailbox.to(provider.email) == []
    assert subjects(mailbox, second_approver.email) == ["Zweite Freigabe nötig: Großes Vorhaben"]
    assert mailbox.to(approver.email) == []


def test_the_same_person_cannot_give_the_second_approval(browser, approver, large):
    client = browser(approver)
    decide(client, large, "approve")
    page = text(client.get(f"/portal/pruefung/{large.id}"))
    assert SAME_PERSON in page  # explained instead of a button
    assert "Zweite Freigabe erteilen" not in page
    response = decide(client, large, "approve")
    assert SAME_PERSON in text(response)
    assert large.current.status == VersionStatus.FIRST_APPROVED
    assert audit_of(large, "offer_approve") == []


def test_staff_cannot_give_the_second_approval(browser, staff, approver, large):
    decide(browser(staff), large, "approve")  # any member of staff may give the first
    assert large.current.first_approved_by_id == staff.id
    client = browser(staff)
    assert TEAM_LEAD in text(client.get(f"/portal/pruefung/{large.id}"))
    assert TEAM_LEAD in text(decide(client, large, "approve"))
    assert large.current.status == VersionStatus.FIRST_APPROVED


def test_another_approver_gives_the_second_approval(browser, approver, second_approver, large, provider, mailbox):
    decide(browser(approver), large, "approve")
    client = browser(second_approver)
    assert "Zweite Freigabe erteilen" in text(client.get(f"/portal/pruefung/{large.id}"))
    assert decide(client, large, "approve").status_code == 302
    assert large.state == OfferState.LIVE
    assert large.live_version.status == VersionStatus.APPROVED
    assert len(audit_of(large, "offer_first_approve")) == 1
    assert len(audit_of(large, "offer_approve")) == 1
    assert "genehmigt" in mailbox.last_body(provider.email)


def test_changes_requested_after_a_first_approval_reset_it(browser, approver, staff, large):
    decide(browser(approver), large, "approve")
    decide(browser(staff), large, "changes", reason="incorrect", comment="Die Plätze stimmen nicht.")
    assert large.current.status == VersionStatus.CHANGES_REQUESTED
    assert large.current.first_approved_by_id is None
