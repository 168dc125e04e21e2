"""Routes of the budget domain: the integration budget per year (staff read it, the team lead sets it)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from portal.access import Access, access, is_allowed
from portal.budget.forms import BudgetForm
from portal.budget.models import BudgetYear
from portal.budget.services import overview, set_budget
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
