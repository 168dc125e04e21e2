"""The settlement's services: lines from the approved reports, receipts on proof, submission, correction and the
release (four-eyes above the threshold), each amount computed by hand."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import func, select

from portal import storage
from portal.accounts.models import User
from portal.budget.models import Release
from portal.errors import ServiceError
from portal.extensions import db
from portal.offers.models import Offer
from portal.reports.models import ParticipationReport
from portal.settlements import services
from portal.settlements.models import ProofKind, Settlement, SettlementStatus
from portal.submissions import new_token
from tests import pdfs
from tests.conftest import Mailbox
from tests.reports.helpers import MONTH, YEAR, audit, body, delivered, subject

D = Decimal
S = SettlementStatus


def start(user: User) -> Settlement:
    return services.start_settlement(new_token(), user, YEAR, MONTH)


def receipt(user: User, settlement: Settlement, amount: str, kind: ProofKind = ProofKind.MATERIAL) -> None:
    offer_id = settlement.lines[0].offer_id
    services.add_receipt(
        new_token(), user, settlement, offer_id, kind, D(amount), "Gartengeräte", "r.pdf", pdfs.clean_pdf()
    )


def submitted(provider: User) -> Settlement:
    settlement = start(provider)
    services.confirm_payout(provider, settlement, "", None, None)
    services.submit(provider, settlement, None)
    return settlement


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_a_new_settlement_takes_its_figures_from_the_approved_report(
    provider: User, offer: Offer, approved: ParticipationReport
) -> None:
    settlement = start(provider)
    [line] = settlement.lines
    assert (line.offer_id, line.report_id) == (offer.id, approved.id)
    assert (line.mae_refund, line.mkp_base, line.place_months) == (D("264.00"), D("260.00"), D("2.00"))
    assert (line.material_claim, line.social_work_claim) == (D(0), D(0))  # no receipts yet
    assert settlement.total == D("524.00")
    assert settlement.status is S.DRAFT
    assert start(provider).id == settlement.id  # another click on "beginnen" opens the same one
    assert [entry.details for entry in audit("settlement_created", settlement)] == ["Oktober 2025"]


def test_a_month_without_an_approved_report_cannot_be_settled(provider: User, offer: Offer) -> None:
    with pytest.raises(ServiceError, match="Für Oktober 2025 ist noch kein Teilnahmebericht genehmigt"):
        start(provider)
    assert count(Settlement) == 0


def test_receipts_are_paid_up_to_the_cap_less_third_party_funds(provider: User, approved: ParticipationReport) -> None:
    """Material: 50 € per place-month × 2 place-months = 100 € at most."""
    settlement = start(provider)
    receipt(provider, settlement, "60")
    assert settlement.lines[0].material_claim == D("60.00")
    receipt(provider, settlement, "60,00".replace(",", "."))
    assert settlement.lines[0].material_claim == D("100.00")  # 120 € of receipts, capped
    funds = {settlement.lines[0].offer_id: services.ThirdParty(material=D("30"))}
    services.save_third_party(provider, settlement, funds, None)
    assert settlement.lines[0].material_claim == D("90.00")  # 120 − 30
    receipt(provider, settlement, "500", ProofKind.SOCIAL_WORK)
    assert settlement.lines[0].social_work_claim == D("0.00")  # the offer has no social-work rate
    assert settlement.total == D("614.00")  # 264 + 260 + 90


def test_a_hostile_receipt_is_refused_and_nothing_is_stored(provider: User, approved: ParticipationReport) -> None:
    settlement = start(provider)
    with pytest.raises(ServiceError) as refused:
        services.add_receipt(
            new_token(),
            provider,
            settlement,
            settlement.lines[0].offer_id,
            ProofKind.MATERIAL,
            D(10),
            "x",
            "r.pdf",
            pdfs.with_open_action(),
        )
    assert refused.value.field == "upload"
    assert settlement.receipts == []


def test_a_removed_receipt_leaves_no_file(provider: User, approved: ParticipationReport) -> None:
    settlement = start(provider)
    receipt(provider, settlement, "60")
    key = settlement.receipts[0].file_key
    assert storage.path_of("receipts", key) is not None
    services.remove_receipt(provider, settlement, settlement.receipts[0].id)
    assert settlement.receipts == []
    assert settlement.lines[0].material_claim == D(0)
    assert storage.path_of("receipts", key) is None


def test_submission_needs_the_payout_confirmation_and_freezes_the_document(
    provider: User, staff: User, approved: ParticipationReport, mailbox: Mailbox
) -> None:
    settlement = start(provider)
    delivered(mailbox).messages.clear()  # the report's mails
    with pytest.raises(ServiceError, match="ausgezahlt") as refused:
        services.submit(provider, settlement, None)
    assert refused.value.field == "payout"
    services.confirm_payout(provider, settlement, "", None, None)
    services.submit(provider, settlement, None)
    assert settlement.status is S.SUBMITTED
    document = settlement.document
    assert document is not None
    assert (document["total"], document["lines"][0]["mae_refund"]) == ("524.00", "264.00")
    assert [person["mae_payable"] for person in document["lines"][0]["participants"]] == ["132.00", "132.00"]
    subjects = [subject(mail) for mail in delivered(mailbox).to(staff.email)]
    assert subjects == [f"Abrechnung eingereicht: {provider.organisation.name}, Oktober 2025"]
    with pytest.raises(ServiceError, match="„Eingereicht“ und kann nicht mehr geändert werden"):
        receipt(provider, settlement, "10")


def test_a_correction_reopens_the_settlement_with_its_reason(
    provider: User, staff: User, approved: ParticipationReport, mailbox: Mailbox
) -> None:
    settlement = submitted(provider)
    delivered(mailbox).messages.clear()  # the report's mails
    with pytest.raises(ServiceError, match="was zu korrigieren ist") as refused:
        services.request_correction(staff, settlement, " ", None)
    assert refused.value.field == "reason"
    services.request_correction(staff, settlement, "Beleg 2 ist unleserlich.", None)
    assert (settlement.status, settlement.editable) == (S.CORRECTION_REQUESTED, True)
    [mail] = delivered(mailbox).to(provider.email)
    assert "Was zu korrigieren ist: Beleg 2 ist unleserlich." in body(mail)
    receipt(provider, settlement, "40")
    services.submit(provider, settlement, None)
    assert (settlement.status, settlement.correction_reason, settlement.total) == (S.SUBMITTED, "", D("564.00"))


def test_a_release_records_the_money_in_the_budget_once(
    provider: User, staff: User, approved: ParticipationReport
) -> None:
    settlement = submitted(provider)
    services.take_into_check(staff, settlement)
    services.release(staff, settlement, None)
    services.release(staff, settlement, None)  # a double click
    assert settlement.status is S.RELEASED
    releases = db.session.scalars(select(Release)).all()
    assert [(item.offer_id, item.year, item.amount) for item in releases] == [(approved.offer_id, 2025, D("524.00"))]
    assert len(audit("settlement_release", settlement)) == 1


def test_above_the_threshold_a_second_person_releases(
    app: Flask,
    monkeypatch: pytest.MonkeyPatch,
    provider: User,
    staff: User,
    approver: User,
    other_approver: User,
    approved: ParticipationReport,
) -> None:
    monkeypatch.setitem(app.config, "SETTLEMENT_FOUR_EYES_THRESHOLD", D(500))
    settlement = submitted(provider)
    services.take_into_check(approver, settlement)
    services.release(approver, settlement, None)
    assert settlement.status is S.AWAITING_SECOND_RELEASE
    services.release(approver, settlement, None)  # the same person again: nothing happens
    assert settlement.status is S.AWAITING_SECOND_RELEASE
    with pytest.raises(ServiceError, match=re.escape("Die zweite Freigabe gibt die Teamleitung.")):
        services.release(staff, settlement, None)
    assert count(Release) == 0
    services.release(other_approver, settlement, None)
    assert (settlement.status, settlement.released_by_id, settlement.second_released_by_id) == (
        S.RELEASED,
        approver.id,
        other_approver.id,
    )
    assert count(Release) == 1


def test_providers_cannot_check_or_release_and_staff_cannot_edit(
    provider: User, stranger: User, staff: User, approved: ParticipationReport
) -> None:
    settlement = start(provider)
    with pytest.raises(ServiceError, match="Nur der Träger selbst"):
        receipt(stranger, settlement, "10")
    with pytest.raises(ServiceError, match="Nur der Träger selbst"):
        receipt(staff, settlement, "10")
    services.confirm_payout(provider, settlement, "", None, None)
    services.submit(provider, settlement, None)
    for decide in (services.take_into_check, lambda user, item: services.release(user, item, None)):
        with pytest.raises(ServiceError, match="Beschäftigte der ARGE"):
            decide(provider, settlement)
