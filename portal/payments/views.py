"""Routes of payments: the provider's bank account, staff's confirmation, payment runs and their files.

GET, POST /portal/bankverbindung                               payments.bank_account    provider (its admin changes)
GET       /portal/bankverbindungen                             payments.bank_accounts   staff: changes waiting
POST      /portal/bankverbindungen/<id>/<decision>             payments.decide          staff: confirm or refuse
GET       /portal/zahlungslaeufe                               payments.runs            staff: open settlements, runs
POST      /portal/zahlungslaeufe/neu                           payments.create_run      staff: a run of the chosen
GET       /portal/zahlungslaeufe/<id>                          payments.run             staff: the run
GET       /portal/zahlungslaeufe/<id>/datei/<kind>             payments.download        staff: xml (pain.001), csv, xlsx
POST      /portal/zahlungslaeufe/<id>/bezahlt                  payments.mark_paid       staff: the treasury has paid

The organisation page shows the bank details through the template global `bank_details` (accounts knows no
payments).
"""

from __future__ import annotations

import io

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.access import Access, access, blocked_while_suspended
from portal.errors import ServiceError
from portal.models import utcnow
from portal.payments import files, forms, queries, services
from portal.payments.models import BankAccount, BankAccountStatus, PaymentRun
from portal.views import load_or_deny, show_error

bp = Blueprint("payments", __name__, url_prefix="/portal")
bp.add_app_template_global(queries.bank_details, "bank_details")


# --- bank accounts ---------------------------------------------------------------------------------


@bp.route("/bankverbindung", methods=["GET", "POST"])
@access(Access.PROVIDER)  # every user of the provider sees it; the service lets only its admins change it
@blocked_while_suspended
def bank_account() -> str | Response:
    details = queries.bank_details(current_user.organisation_id)
    shown = details.pending or details.confirmed
    form = forms.BankAccountForm(obj=shown)
    if shown is not None and not form.is_submitted():
        form.iban.data = shown.formatted_iban
    if form.validate_on_submit():
        try:
            services.request_account(current_user, form.holder.data, form.iban.data, form.bic.data or "")
        except ServiceError as error:
            show_error(form, error)
        else:
            flash("Die Bankverbindung ist gespeichert. Sie gilt, sobald die ARGE sie bestätigt hat.", "success")
            return redirect(url_for("payments.bank_account"))
    return render_template("payments/bank_account.html", form=form, details=details)


@bp.get("/bankverbindungen")
@access(Access.STAFF)
def bank_accounts() -> str:
    return _render_pending()


def _render_pending(failed: BankAccount | None = None, failed_form: forms.DecisionForm | None = None) -> str:
    return render_template(
        "payments/bank_accounts.html",
        accounts=queries.pending_accounts(),
        failed=failed,
        failed_form=failed_form,
        decision_form=forms.DecisionForm(formdata=None),
    )


@bp.post("/bankverbindungen/<int:account_id>/<decision>")
@access(Access.STAFF)
def decide(account_id: int, decision: str) -> str | Response:
    account = load_or_deny(BankAccount, account_id)
    if decision not in services.DECISIONS:
        abort(404)
    form = forms.DecisionForm()
    if form.validate():
        try:
            services.decide_account(current_user, account, decision, form.reason.data or "")
        except ServiceError as error:
            show_error(form, error)
        else:
            done = "bestätigt" if account.status is BankAccountStatus.CONFIRMED else "abgelehnt"
            flash(f"Die Bankverbindung von „{account.organisation.name}“ ist {done}.", "success")
            return redirect(url_for("payments.bank_accounts"))
    return _render_pending(account, form)


# --- payment runs ----------------------------------------------------------------------------------


@bp.get("/zahlungslaeufe")
@access(Access.STAFF)
def runs() -> str:
    return _render_runs(forms.RunForm(formdata=None))


def _render_runs(form: forms.RunForm) -> str:
    return render_template("payments/runs.html", payable=queries.payable(), runs=queries.runs(), form=form)


@bp.post("/zahlungslaeufe/neu")
@access(Access.STAFF)
def create_run() -> str | Response:
    form = forms.RunForm()
    if not form.validate():
        abort(400)  # only a changed page gets here: the checkboxes carry the settlements' numbers
    try:
        run = services.create_run(form.token(), current_user, form.settlements.data or [])
    except ServiceError as error:
        show_error(form, error)
        return _render_runs(form)
    flash(f"Zahlungslauf Nr. {run.id} ist erstellt. Laden Sie die Datei für die Stadtkasse herunter.", "success")
    return redirect(url_for("payments.run", run_id=run.id))


def _run(run_id: int) -> PaymentRun:
    return load_or_deny(PaymentRun, run_id)


@bp.get("/zahlungslaeufe/<int:run_id>")
@access(Access.STAFF)
def run(run_id: int) -> str:
    found = _run(run_id)
    return render_template(
        "payments/run.html",
        run=found,
        transfers=queries.transfers(found),
        paid_form=forms.PaidForm(formdata=None, data={"version_id": found.version_id}),
    )


@bp.get("/zahlungslaeufe/<int:run_id>/datei/<kind>")
@access(Access.STAFF)
def download(run_id: int, kind: str) -> Response:
    found = _run(run_id)
    made = files.run_file(found, kind, utcnow().date())
    if made is None:
        abort(404)
    services.record_download(current_user, found, made.name)
    return send_file(io.BytesIO(made.data), as_attachment=True, download_name=made.name, mimetype=made.mimetype)


@bp.post("/zahlungslaeufe/<int:run_id>/bezahlt")
@access(Access.STAFF)
def mark_paid(run_id: int) -> Response:
    found = _run(run_id)
    form = forms.PaidForm()
    if not form.validate():
        abort(400)
    try:
        services.mark_paid(current_user, found, form.expected())
    except ServiceError as error:
        flash(error.message, "danger")
    else:
        flash(f"Zahlungslauf Nr. {found.id} und seine Abrechnungen sind als bezahlt markiert.", "success")
    return redirect(url_for("payments.run", run_id=found.id))
