"""Routes of the settlements domain: the provider's monthly settlement, staff's check and release.

GET       /portal/abrechnungen                                   settlements.index          own / every settlement
POST      /portal/abrechnungen/neu                               settlements.start          provider: start a month
GET       /portal/abrechnungen/<id>                              settlements.show           the settlement
POST      /portal/abrechnungen/<id>/belege                       settlements.add_receipt    provider: a receipt
POST      /portal/abrechnungen/<id>/belege/<receipt_id>/entfernen  settlements.remove_receipt
GET       /portal/abrechnungen/<id>/belege/<receipt_id>          settlements.receipt        the receipt's PDF
GET       /portal/abrechnungen/<id>/auszahlungsnachweis          settlements.payout_proof   the payout proof's PDF
GET       /portal/abrechnungen/<id>/pdf                          settlements.pdf            the settlement's PDF/A
POST      /portal/abrechnungen/<id>/drittmittel                  settlements.third_party    provider
POST      /portal/abrechnungen/<id>/auszahlung                   settlements.payout         provider: MAE paid out
POST      /portal/abrechnungen/<id>/einreichen                   settlements.submit         provider
POST      /portal/abrechnungen/<id>/pruefung                     settlements.take           staff: start the check
POST      /portal/abrechnungen/<id>/korrektur                    settlements.correction     staff: ask for a correction
POST      /portal/abrechnungen/<id>/freigabe                     settlements.release        staff: release (four-eyes)

The settlement lists each participant's MAE from the approved reports: participant data, so every view is logged.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from portal import storage
from portal.access import Access, access, blocked_while_suspended
from portal.assignments.services import log_access
from portal.errors import ServiceError
from portal.settlements import calc, forms, queries, services
from portal.settlements.document import DECLARATION
from portal.settlements.models import SETTLEMENT_STATUS_LABELS, Settlement, SettlementStatus
from portal.views import load_or_deny, show_error

bp = Blueprint("settlements", __name__, url_prefix="/portal/abrechnungen")


def _settlement(settlement_id: int) -> Settlement:
    return load_or_deny(Settlement, settlement_id)


def _to_settlement(settlement: Settlement) -> Response:
    return redirect(url_for("settlements.show", settlement_id=settlement.id))


@bp.get("")
@access(Access.USER)
def index() -> str:
    status = request.args.get("status", "")
    chosen = SettlementStatus(status) if status in SettlementStatus.__members__.values() else None
    organisation = None if current_user.is_staff else current_user.organisation_id
    provider = request.args.get("traeger", "")  # staff: one provider's settlements (links of the start page)
    shown = int(provider) if current_user.is_staff and provider.isdecimal() and len(provider) <= 9 else organisation
    return render_template(
        "settlements/index.html",
        settlements=queries.settlements(shown, chosen),
        chosen=chosen,
        provider=provider if shown != organisation else "",
        status_labels=SETTLEMENT_STATUS_LABELS,
        open_months=queries.open_months(organisation) if organisation else [],
        start_form=forms.StartForm(formdata=None),
    )


@bp.post("/neu")
@access(Access.PROVIDER)
@blocked_while_suspended
def start() -> Response:
    form = forms.StartForm()
    if not form.validate() or not form.valid_month():
        abort(400)  # only a changed page gets here: the form's fields are hidden
    try:
        settlement = services.start_settlement(form.token(), current_user, form.year.data, form.month.data)
    except ServiceError as error:
        flash(error.message, "danger")
        return redirect(url_for("settlements.index"))
    return _to_settlement(settlement)


@bp.get("/<int:settlement_id>")
@access(Access.USER)
@blocked_while_suspended
def show(settlement_id: int) -> str:
    return _render(_settlement(settlement_id))


def _render(settlement: Settlement, **given: Any) -> str:
    """The settlement page with its forms: those given (with their errors) and fresh ones for the rest."""
    log_access(current_user, settlement, "Abrechnung angesehen")
    receipt_form = given.pop("receipt_form", None) or forms.ReceiptForm(formdata=None)
    receipt_form.set_offers(settlement)
    version = {"version_id": settlement.version_id}
    return render_template(
        "settlements/show.html",
        settlement=settlement,
        document=services.document_of(settlement),
        due=calc.due_date(settlement.year, settlement.month),
        declaration=DECLARATION,
        receipt_form=receipt_form,
        third_party_form=given.pop("third_party_form", None) or forms.third_party_form(settlement, formdata=None),
        payout_form=given.pop("payout_form", None) or forms.PayoutForm(formdata=None, data=version),
        submit_form=given.pop("submit_form", None) or forms.SubmitForm(formdata=None, data=version),
        correction_form=given.pop("correction_form", None) or forms.CorrectionForm(formdata=None, data=version),
        release_form=forms.ReleaseForm(formdata=None, data=version),
        check_form=forms.CheckForm(formdata=None),
        needs_second_release=services.needs_second_release(settlement),
        second_release_problem=services.second_release_problem(current_user, settlement),
    )


# --- the provider's side ---------------------------------------------------------------------------


@bp.post("/<int:settlement_id>/belege")
@access(Access.PROVIDER)
@blocked_while_suspended
def add_receipt(settlement_id: int) -> str | Response:
    settlement = _settlement(settlement_id)
    form = forms.ReceiptForm()
    form.set_offers(settlement)
    if form.validate_on_submit():
        upload = form.upload.data
        try:
            services.add_receipt(
                form.token(),
                current_user,
                settlement,
                form.offer_id.data,
                form.proof_kind(),
                form.amount.data,
                form.description.data or "",
                upload.filename or "",
                upload.read(forms.MAX_UPLOAD_BYTES + 1),
            )
        except ServiceError as error:
            show_error(form, error)
        else:
            flash("Der Beleg ist gespeichert.", "success")
            return _to_settlement(settlement)
    return _render(settlement, receipt_form=form)


@bp.post("/<int:settlement_id>/belege/<int:receipt_id>/entfernen")
@access(Access.PROVIDER)
@blocked_while_suspended
def remove_receipt(settlement_id: int, receipt_id: int) -> Response:
    settlement = _settlement(settlement_id)
    if not forms.CheckForm().validate():
        abort(400)
    try:
        services.remove_receipt(current_user, settlement, receipt_id)
    except ServiceError as error:
        flash(error.message, "danger")
    else:
        flash("Der Beleg ist entfernt.", "success")
    return _to_settlement(settlement)


def _send(settlement: Settlement, key: str, name: str, what: str, area: str = "receipts") -> Response:
    path = storage.path_of(area, key)
    if path is None:
        abort(404)
    log_access(current_user, settlement, what)
    return send_file(path, as_attachment=True, download_name=name, mimetype="application/pdf")


@bp.get("/<int:settlement_id>/belege/<int:receipt_id>")
@access(Access.USER)
@blocked_while_suspended
def receipt(settlement_id: int, receipt_id: int) -> Response:
    settlement = _settlement(settlement_id)
    found = next((item for item in settlement.receipts if item.id == receipt_id), None)
    if found is None:
        abort(404)
    return _send(settlement, found.file_key, found.file_name, f"Beleg {found.id} heruntergeladen")


@bp.get("/<int:settlement_id>/auszahlungsnachweis")
@access(Access.USER)
@blocked_while_suspended
def payout_proof(settlement_id: int) -> Response:
    settlement = _settlement(settlement_id)
    return _send(
        settlement, settlement.payout_proof_key, settlement.payout_proof_name, "Auszahlungsnachweis heruntergeladen"
    )


@bp.get("/<int:settlement_id>/pdf")
@access(Access.USER)
@blocked_while_suspended
def pdf(settlement_id: int) -> Response:
    settlement = _settlement(settlement_id)
    name = f"abrechnung-{settlement.year}-{settlement.month:02d}-nr-{settlement.id}.pdf"
    return _send(settlement, settlement.pdf_key, name, "PDF der Abrechnung heruntergeladen", area="settlements")


@bp.post("/<int:settlement_id>/drittmittel")
@access(Access.PROVIDER)
@blocked_while_suspended
def third_party(settlement_id: int) -> str | Response:
    settlement = _settlement(settlement_id)
    form = forms.third_party_form(settlement)
    if form.validate():
        try:
            services.save_third_party(current_user, settlement, form.funds(settlement), form.expected())
        except ServiceError as error:
            show_error(form, error)
        else:
            flash("Die Drittmittel sind gespeichert.", "success")
            return _to_settlement(settlement)
    return _render(settlement, third_party_form=form)


@bp.post("/<int:settlement_id>/auszahlung")
@access(Access.PROVIDER)
@blocked_while_suspended
def payout(settlement_id: int) -> str | Response:
    settlement = _settlement(settlement_id)
    form = forms.PayoutForm()
    if form.validate():
        upload = form.proof.data
        data = upload.read(forms.MAX_UPLOAD_BYTES + 1) if upload else None
        try:
            services.confirm_payout(current_user, settlement, upload.filename if upload else "", data, form.expected())
        except ServiceError as error:
            show_error(form, error)
        else:
            flash("Die Auszahlung ist bestätigt.", "success")
            return _to_settlement(settlement)
    return _render(settlement, payout_form=form)


@bp.post("/<int:settlement_id>/einreichen")
@access(Access.PROVIDER)
@blocked_while_suspended
def submit(settlement_id: int) -> str | Response:
    settlement = _settlement(settlement_id)
    form = forms.SubmitForm()
    if form.validate():
        try:
            services.submit(current_user, settlement, form.expected())
        except ServiceError as error:
            show_error(form, error)
        else:
            flash("Die Abrechnung ist eingereicht. Die ARGE prüft sie.", "success")
            return _to_settlement(settlement)
    return _render(settlement, submit_form=form)


# --- staff's side ----------------------------------------------------------------------------------


@bp.post("/<int:settlement_id>/pruefung")
@access(Access.STAFF)
def take(settlement_id: int) -> Response:
    settlement = _settlement(settlement_id)
    if not forms.CheckForm().validate():
        abort(400)
    try:
        services.take_into_check(current_user, settlement)
    except ServiceError as error:
        flash(error.message, "danger")
    return _to_settlement(settlement)


@bp.post("/<int:settlement_id>/korrektur")
@access(Access.STAFF)
def correction(settlement_id: int) -> str | Response:
    settlement = _settlement(settlement_id)
    form = forms.CorrectionForm()
    if form.validate():
        try:
            services.request_correction(current_user, settlement, form.reason.data or "", form.expected())
        except ServiceError as error:
            show_error(form, error)
        else:
            flash("Der Träger ist um eine Korrektur gebeten.", "success")
            return _to_settlement(settlement)
    return _render(settlement, correction_form=form)


@bp.post("/<int:settlement_id>/freigabe")
@access(Access.STAFF)
def release(settlement_id: int) -> Response:
    settlement = _settlement(settlement_id)
    form = forms.ReleaseForm()
    if not form.validate():
        abort(400)
    try:
        services.release(current_user, settlement, form.expected())
    except ServiceError as error:
        flash(error.message, "danger")
    else:
        flash(f"Die Abrechnung ist „{settlement.status_label}“.", "success")
    return _to_settlement(settlement)
