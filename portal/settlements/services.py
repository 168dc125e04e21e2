"""Every state change of monthly settlements; each one commits with its audit entry.

The provider starts a month's settlement once its reports are approved: one line per offer, its MAE refund, MKP
base and place-months taken from the approved report, never typed. It adds receipts and third-party funds for the
parts paid on proof, confirms that it paid the participants their MAE, and submits. Staff check it, ask for a
correction or release it (above `PORTAL_FOUR_EYES_THRESHOLD` a second person, an approver, releases it too); the
release records the money spent in the budget. The payment run (`portal.payments`) pays it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import current_app

from portal import storage
from portal.accounts.models import Role, User
from portal.audit.services import record
from portal.budget.services import record_release
from portal.errors import ServiceError
from portal.extensions import db
from portal.models import utcnow
from portal.notifications.services import absolute_url, notify, notify_staff
from portal.reports import pdf
from portal.reports.models import ParticipationReport
from portal.reports.queries import month_label
from portal.settlements import calc, queries
from portal.settlements.document import build_document
from portal.settlements.models import ProofKind, Receipt, Settlement, SettlementLine
from portal.settlements.models import SettlementStatus as S
from portal.settlements.workflow import SETTLEMENTS
from portal.submissions import once
from portal.templating import euro
from portal.transactions import check_version, transactional

MAX_AMOUNT = Decimal("100000")  # per receipt and per third-party amount: a typing error beyond it
ZERO = Decimal(0)


@dataclass(frozen=True)
class ThirdParty:
    """The third-party funds of one offer's month, per part paid on proof."""

    material: Decimal = ZERO
    social_work: Decimal = ZERO


def _require_provider_of(user: User, settlement: Settlement) -> None:
    if user.organisation_id != settlement.organisation_id:
        raise ServiceError("Nur der Träger selbst kann seine Abrechnung bearbeiten.")


def _require_editable(user: User, settlement: Settlement) -> None:
    _require_provider_of(user, settlement)
    if not settlement.editable:
        raise ServiceError(f"Diese Abrechnung ist „{settlement.status_label}“ und kann nicht mehr geändert werden.")


def _require_staff(user: User) -> None:
    if not user.is_staff:
        raise ServiceError("Abrechnungen prüfen und freigeben Beschäftigte der ARGE.")


def _lock(settlement: Settlement) -> None:
    """Lock the settlement's row (PostgreSQL) and read it again: a parallel copy of a decision waits for the first
    and then finds it made."""
    db.session.refresh(settlement, with_for_update=True)


# --- the provider's side ---------------------------------------------------------------------------


@once(Settlement)
def start_settlement(user: User, year: int, month: int) -> Settlement:
    """The month's settlement of the user's organisation: the existing one, or a new draft from the approved
    reports."""
    organisation = user.organisation
    if organisation is None or not organisation.can_submit:
        raise ServiceError("Abrechnungen kann nur ein bestätigter Träger einreichen.")
    found = queries.settlement_of(organisation.id, year, month)
    if found is not None:
        return found
    reports = queries.approved_reports(organisation.id, year, month)
    if not reports:
        raise ServiceError(f"Für {month_label(year, month)} ist noch kein Teilnahmebericht genehmigt.")
    settlement = Settlement(organisation=organisation, year=year, month=month, created_by_id=user.id)
    _sync_lines(settlement, reports)
    db.session.add(settlement)
    db.session.flush()
    record("settlement_created", actor=user, obj=settlement, details=month_label(year, month))
    return settlement


def _sync_lines(settlement: Settlement, reports: list[ParticipationReport]) -> None:
    """One line per approved report, its figures taken from the report; a later approved version replaces them."""
    for report in reports:
        line = queries.line_of(settlement, report.offer_id)
        if line is None:
            line = SettlementLine(offer=report.offer, material_third_party=ZERO, social_work_third_party=ZERO)
            settlement.lines.append(line)
        totals = (report.document or {}).get("totals", {})
        line.report = report
        line.mae_refund = Decimal(totals.get("mae_payable", "0"))
        line.mkp_base = Decimal(totals.get("mkp_claim", "0"))
        line.place_months = Decimal(totals.get("place_months", "0"))
    _compute(settlement)


def _compute(settlement: Settlement) -> None:
    """The claims on proof and the totals of every line and of the settlement (`settlements.calc`)."""
    for line in settlement.lines:
        for kind in ProofKind:
            receipts = [item.amount for item in settlement.receipts_for(line.offer_id, kind)]
            third_party = getattr(line, f"{kind.value}_third_party")
            claim = calc.proof_claim(receipts, third_party, line.proof_rate(kind), line.place_months)
            setattr(line, f"{kind.value}_claim", claim)
        line.total = line.mae_refund + line.mkp_base + line.material_claim + line.social_work_claim
    settlement.total = sum((line.total for line in settlement.lines), ZERO)


@once(Receipt)
def add_receipt(
    user: User,
    settlement: Settlement,
    offer_id: int,
    kind: ProofKind,
    amount: Decimal,
    description: str,
    filename: str,
    data: bytes,
) -> Receipt:
    """A receipt for actual costs of one offer's part paid on proof, after the same checks as every upload."""
    _require_editable(user, settlement)
    if queries.line_of(settlement, offer_id) is None:
        raise ServiceError("Bitte wählen Sie ein Angebot dieser Abrechnung.", field="offer_id")
    if not ZERO < amount <= MAX_AMOUNT:
        raise ServiceError(f"Bitte geben Sie einen Betrag über 0 und bis {euro(MAX_AMOUNT)} an.", field="amount")
    if not description.strip():
        raise ServiceError("Bitte beschreiben Sie kurz, wofür der Beleg ist.", field="description")
    stored = storage.store_pdf("receipts", data, field="upload")
    receipt = Receipt(
        offer_id=offer_id,
        kind=kind,
        amount=calc.cents(amount),
        description=description.strip(),
        file_key=stored.key,
        file_name=storage.safe_download_name(filename, "beleg"),
        file_sha256=stored.sha256,
        created_by_id=user.id,
    )
    settlement.receipts.append(receipt)
    _compute(settlement)
    db.session.flush()
    record(
        "settlement_receipt_added", actor=user, obj=settlement, details=f"{receipt.kind_label} {euro(receipt.amount)}"
    )
    return receipt


@transactional
def remove_receipt(user: User, settlement: Settlement, receipt_id: int) -> None:
    """Take a receipt out of a draft; its file is deleted once the change is committed."""
    _require_editable(user, settlement)
    receipt = next((item for item in settlement.receipts if item.id == receipt_id), None)
    if receipt is None:
        return  # removed already (a double click)
    settlement.receipts.remove(receipt)
    _compute(settlement)
    record(
        "settlement_receipt_removed", actor=user, obj=settlement, details=f"{receipt.kind_label} {euro(receipt.amount)}"
    )
    storage.discard("receipts", receipt.file_key)


@transactional
def save_third_party(user: User, settlement: Settlement, funds: Mapping[int, ThirdParty], expected: int | None) -> None:
    """The third-party funds per offer (e.g. a foundation's grant for the material): deducted before the cap."""
    _require_editable(user, settlement)
    check_version(settlement, expected)
    for line in settlement.lines:
        given = funds.get(line.offer_id, ThirdParty())
        for name in ("material", "social_work"):
            amount = getattr(given, name)
            if not ZERO <= amount <= MAX_AMOUNT:
                raise ServiceError(
                    f"Bitte geben Sie einen Betrag von 0 bis {euro(MAX_AMOUNT)} an.", field=f"{name}_{line.offer_id}"
                )
            setattr(line, f"{name}_third_party", calc.cents(amount))
    _compute(settlement)
    record("settlement_third_party_saved", actor=user, obj=settlement)


@transactional
def confirm_payout(user: User, settlement: Settlement, filename: str, data: bytes | None, expected: int | None) -> None:
    """The provider confirms it paid each participant the MAE it claims back, optionally with a proof PDF."""
    _require_editable(user, settlement)
    check_version(settlement, expected)
    if data:
        stored = storage.store_pdf("receipts", data, field="proof")
        storage.discard("receipts", settlement.payout_proof_key)
        settlement.payout_proof_key = stored.key
        settlement.payout_proof_name = storage.safe_download_name(filename, "auszahlungsnachweis")
    settlement.payout_confirmed_at, settlement.payout_confirmed_by_id = utcnow(), user.id
    record("settlement_payout_confirmed", actor=user, obj=settlement, details="mit Nachweis" if data else "")


@transactional
def submit(user: User, settlement: Settlement, expected: int | None) -> None:
    """Freeze the settlement with the latest approved reports; staff are told."""
    _require_editable(user, settlement)
    check_version(settlement, expected)
    if settlement.organisation.suspended:
        raise ServiceError(
            "Ihre Organisation ist gesperrt; Abrechnungen können Sie erst nach der Aufhebung einreichen."
        )
    _sync_lines(settlement, queries.approved_reports(settlement.organisation_id, settlement.year, settlement.month))
    if settlement.payout_confirmed_at is None and any(line.mae_refund for line in settlement.lines):
        raise ServiceError(
            "Bitte bestätigen Sie zuerst, dass Sie die Mehraufwandsentschädigung an die Teilnehmenden ausgezahlt "
            "haben.",
            field="payout",
        )
    SETTLEMENTS.move(settlement, "submit", user, euro(settlement.total))
    settlement.submitted_by_id, settlement.correction_reason = user.id, ""
    settlement.document = build_document(settlement, user)
    store_pdf(settlement)  # PdfRenderError: it stays as it was
    notify_staff(
        "settlement_submitted",
        organisation_name=settlement.organisation.name,
        period=month_label(settlement.year, settlement.month),
        total=euro(settlement.total),
        link=absolute_url("settlements.show", settlement_id=settlement.id),
    )


# --- staff's side ----------------------------------------------------------------------------------


@transactional
def take_into_check(user: User, settlement: Settlement) -> None:
    """Staff start checking a submitted settlement; the same again changes nothing."""
    _require_staff(user)
    _lock(settlement)
    if settlement.status is S.IN_CHECK:
        return
    SETTLEMENTS.move(settlement, "check", user)
    store_pdf(settlement)


@transactional
def request_correction(user: User, settlement: Settlement, reason: str, expected: int | None) -> None:
    """Reopen the settlement for the provider, with the reason it reads."""
    _require_staff(user)
    _lock(settlement)
    if settlement.status is S.CORRECTION_REQUESTED and settlement.correction_reason == reason.strip():
        return
    check_version(settlement, expected)
    if not reason.strip():
        raise ServiceError("Bitte schreiben Sie dem Träger, was zu korrigieren ist.", field="reason")
    SETTLEMENTS.move(settlement, "request_correction", user, reason.strip())
    settlement.correction_reason = reason.strip()
    settlement.released_by_id = None
    store_pdf(settlement)
    _notify_provider(settlement)


def needs_second_release(settlement: Settlement) -> bool:
    return settlement.total > current_app.config["SETTLEMENT_FOUR_EYES_THRESHOLD"]


def second_release_problem(user: User, settlement: Settlement) -> str | None:
    """Why the user may not give the second release (four-eyes), or None; pages use it to explain."""
    if user.role not in (Role.APPROVER, Role.ADMIN):
        return "Die zweite Freigabe gibt die Teamleitung."
    if user.id == settlement.released_by_id:
        return "Die zweite Freigabe muss eine andere Person geben als die erste (Vier-Augen-Prinzip)."
    return None


@transactional
def release(user: User, settlement: Settlement, expected: int | None) -> None:
    """Release the checked settlement for payment, above the threshold in two steps by two people. The same release
    again (a double click, parallel copies) changes nothing; the budget records the money once."""
    _require_staff(user)
    _lock(settlement)
    if settlement.status is S.RELEASED or (
        settlement.status is S.AWAITING_SECOND_RELEASE and settlement.released_by_id == user.id
    ):
        return
    check_version(settlement, expected)
    if settlement.status is S.AWAITING_SECOND_RELEASE:
        problem = second_release_problem(user, settlement)
        if problem:
            raise ServiceError(problem)
        settlement.second_released_by_id, settlement.second_released_at = user.id, utcnow()
    elif needs_second_release(settlement):
        SETTLEMENTS.move(settlement, "first_release", user, euro(settlement.total))
        settlement.released_by_id = user.id
        store_pdf(settlement)
        _notify_approvers(settlement, user)
        return
    else:
        settlement.released_by_id = user.id
    SETTLEMENTS.move(settlement, "release", user, euro(settlement.total))
    for line in settlement.lines:
        record_release(settlement.id, line.offer_id, settlement.year, line.total)
    store_pdf(settlement)
    _notify_provider(settlement)


def store_pdf(settlement: Settlement) -> None:
    """The PDF of a submitted settlement with its current status, rendered from the frozen document (which it embeds
    unchanged); the PDF it replaces is deleted once this has committed. Every move after the submission calls it
    (also the payment run's "pay"), so that the PDF always says where the settlement stands. A settlement without a
    frozen document (made by hand, not through `submit`) has nothing to print."""
    if settlement.document is None:
        return
    status = pdf.Status(settlement.status_label, settlement.status_changed_at)
    stored = storage.store("settlements", pdf.render_settlement(settlement.document, status))
    storage.discard("settlements", settlement.pdf_key)
    settlement.pdf_key = stored.key


def _notify_approvers(settlement: Settlement, first: User) -> None:
    approvers = db.session.query(User).filter(User.role == Role.APPROVER, User.active.is_(True), User.id != first.id)
    for approver in approvers:
        notify(
            approver,
            "settlement_second_release_needed",
            first_name=first.name or first.email,
            organisation_name=settlement.organisation.name,
            period=month_label(settlement.year, settlement.month),
            total=euro(settlement.total),
            link=absolute_url("settlements.show", settlement_id=settlement.id),
        )


def _notify_provider(settlement: Settlement) -> None:
    for member in settlement.organisation.users:
        notify(
            member,
            "settlement_decided",
            period=month_label(settlement.year, settlement.month),
            status=settlement.status,
            status_label=settlement.status_label,
            total=euro(settlement.total),
            reason=settlement.correction_reason,
            link=absolute_url("settlements.show", settlement_id=settlement.id),
        )


def document_of(settlement: Settlement) -> dict[str, Any]:
    """The frozen document of a submitted settlement, or a preview of the draft's."""
    return settlement.document or build_document(settlement, None)
