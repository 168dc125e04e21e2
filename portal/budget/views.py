"""Routes of the budget domain: the integration budget per year (staff read it, the team lead sets it) and each
year's actuals with the offers that tie up its money.

GET       /portal/budget/                                budget.index        every year: budget, committed, released
POST      /portal/budget/                                budget.set_year     approver: set a year's budget
GET       /portal/budget/<year>                          budget.actuals      the year's actuals and its offers
GET       /portal/budget/<year>/angebote.<csv|xlsx>      budget.export       the year's offers as CSV or XLSX
"""

from __future__ import annotations

import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.wrappers import Response

from portal import spreadsheets
from portal.access import Access, access, is_allowed
from portal.budget import exports
from portal.budget.forms import BudgetForm, OffersFilterForm
from portal.budget.models import BudgetYear
from portal.budget.queries import OfferFilter, offers_in_year, providers_in_year
from portal.budget.services import YearRow, overview, set_budget
from portal.errors import ServiceError
from portal.extensions import db
from portal.templating import euro
from portal.views import show_error

bp = Blueprint("budget", __name__, url_prefix="/portal/budget")


@bp.get("/")
@access(Access.STAFF)
def index() -> ResponseReturnValue:
    form = _form_for(request.args.get("jahr", "")) if is_allowed(current_user, Access.APPROVER) else None
    return render_template("budget/index.html", rows=overview(), form=form)


@bp.post("/")
@access(Access.APPROVER)
def set_year() -> ResponseReturnValue:
    form = BudgetForm()
    if form.validate_on_submit():
        year, amount = int(form.year.data or 0), form.amount_value()
        try:
            set_budget(current_user._get_current_object(), year, amount, form.expected())
        except ServiceError as error:
            show_error(form, error)
        else:
            flash(f"Das Eingliederungsbudget für {year} ist gespeichert: {euro(amount)}.", "success")
            return redirect(url_for("budget.index"))
    return render_template("budget/index.html", rows=overview(), form=form)


def _form_for(year: str) -> BudgetForm:
    """The form, filled in for a year whose budget is to be changed (?jahr=2027)."""
    budget = db.session.get(BudgetYear, int(year)) if year.isdecimal() and len(year) == 4 else None
    if budget is None:
        return BudgetForm()
    return BudgetForm(
        year=str(budget.year), amount=euro(budget.amount).removesuffix(" €"), version=str(budget.version_id)
    )


@bp.get("/<int:year>")
@access(Access.STAFF)
def actuals(year: int) -> str:
    row = _year_row(year)
    form, criteria = _filter(year)
    return render_template(
        "budget/year.html", row=row, form=form, criteria=criteria, rows=offers_in_year(criteria), query=form.query()
    )


@bp.get("/<int:year>/angebote.<fmt>")
@access(Access.STAFF)
def export(year: int, fmt: str) -> Response:
    """The year's offers, filtered and sorted as on the page, as German Excel's CSV or as XLSX."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    _year_row(year)
    table = exports.offers_table(year, offers_in_year(_filter(year)[1], limit=None))
    if fmt == "csv":
        data, mimetype = spreadsheets.to_csv(table), spreadsheets.CSV_MIMETYPE
    else:
        data, mimetype = spreadsheets.to_xlsx(table.title, [table]), spreadsheets.XLSX_MIMETYPE
    return send_file(io.BytesIO(data), as_attachment=True, download_name=exports.filename(year, fmt), mimetype=mimetype)


def _year_row(year: int) -> YearRow:
    """The year's figures; 404 for a year with neither a budget nor a commitment."""
    row = next((row for row in overview() if row.year == year), None)
    if row is None:
        abort(404)
    return row


def _filter(year: int) -> tuple[OffersFilterForm, OfferFilter]:
    form = OffersFilterForm(formdata=request.args)
    form.set_providers(providers_in_year(year))
    return form, form.criteria(year, valid=form.validate())
