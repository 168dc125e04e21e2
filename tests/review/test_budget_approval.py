"""Approving commits the cost to the budget; beyond the remaining budget only the team lead, with a reason."""

from __future__ import annotations

from decimal import Decimal

from portal.offers.models import OfferState, VersionStatus
from tests.accounts.helpers import text
from tests.review.helpers import audit_of, budget_for, commitments_of, decide

OVER = "Die Genehmigung überschreitet das Budget."


def test_approving_beyond_the_remaining_budget_is_refused(browser, staff, submitted):
    offer = submitted()
    budget_for(offer.current, amount=100)
    client = browser(staff)
    page = text(client.get(f"/portal/pruefung/{offer.id}"))
    assert "Das Budget reicht nicht" in page
    assert "Nur die Teamleitung kann mit einer Begründung trotzdem genehmigen." in page
    # a reason sent by hand is ignored: staff have no such field
    response = decide(client, offer, "approve", override_reason="Ist wichtig")
    assert OVER in text(response)
    assert "es sind aber nur noch 100,00 € frei" in text(response)
    assert offer.current.status == VersionStatus.SUBMITTED
    assert commitments_of(offer) == []


def test_without_a_budget_for_the_year_approval_is_refused(browser, staff, submitted):
    offer = submitted()
    response = decide(browser(staff), offer, "approve")
    assert "noch kein Eingliederungsbudget festgelegt" in text(response)
    assert offer.state == OfferState.OPEN


def test_approver_needs_a_reason_to_override(browser, approver, submitted):
    offer = submitted()
    budget_for(offer.current, amount=100)
    client = browser(approver)
    assert "Sie können trotzdem genehmigen, wenn Sie das begründen." in text(client.get(f"/portal/pruefung/{offer.id}"))
    response = decide(client, offer, "approve", override_reason="")
    assert OVER in text(response)
    assert 'id="approve-override_reason-error"' in text(response)  # the message sits at the field
    assert offer.state == OfferState.OPEN


def test_approver_overrides_with_a_recorded_reason(browser, approver, submitted):
    offer = submitted()
    budget_for(offer.current, amount=100)
    reason = "Dringender Bedarf im Stadtteil, Nachtragshaushalt beantragt"
    response = decide(browser(approver), offer, "approve", override_reason=reason)
    assert response.status_code == 302
    assert offer.state == OfferState.LIVE
    assert {row.override_reason for row in commitments_of(offer)} == {reason}
    assert [entry.details for entry in audit_of(offer, "budget_override")] == [reason]
    assert reason in audit_of(offer, "offer_approve")[0].details


def test_approval_within_the_budget_records_no_override(browser, approver, submitted):
    offer = submitted()
    per_year = budget_for(offer.current)
    assert decide(browser(approver), offer, "approve", override_reason="").status_code == 302
    assert sum(row.amount for row in commitments_of(offer)) == sum(per_year.values(), Decimal(0))
    assert audit_of(offer, "budget_override") == []
