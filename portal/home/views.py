"""Routes of the start page.

GET       /portal/                                       home.index          what is waiting for the signed-in user;
                                                                             staff: the overview with its charts
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, render_template
from flask_login import current_user

from portal.access import Access, access
from portal.accounts.models import OrgStatus
from portal.accounts.queries import open_changes, organisations_by_status
from portal.budget.services import overview
from portal.home import queries
from portal.home.charts import percent
from portal.home.overview import budget_chart, due_chart, places_chart, waiting_chart
from portal.reports.queries import due_reports
from portal.review.queries import waiting_count

bp = Blueprint("home", __name__, url_prefix="/portal")


@bp.get("/")
@access(Access.USER)
def index() -> str:
    """The start page; it reads all it shows before rendering, so that its statements follow each other. Staff see
    the overview with its charts; a provider sees its own organisation and reports."""
    if current_user.is_staff:
        return render_template("home/index.html", **_staff_overview(date.today()))
    return render_template(
        "home/index.html",
        organisation=current_user.organisation,
        due_reports=due_reports(date.today(), current_user.organisation_id),
    )


def _staff_overview(today: date) -> dict[str, Any]:
    years = overview()
    fields = queries.places_per_field(today)
    providers = queries.due_per_provider(today)
    waiting = queries.waiting_for(current_user)
    return {
        "pending_organisations": organisations_by_status(OrgStatus.PENDING),
        "organisation_changes": open_changes(),
        "waiting_reviews": waiting_count(),
        "years": years,
        "fields": fields,
        "providers": providers,
        "waiting": waiting,
        "percent": percent,
        "charts": {
            "budget": budget_chart(years),
            "places": places_chart(fields),
            "due": due_chart(providers),
            "waiting": waiting_chart(waiting),
        },
    }
