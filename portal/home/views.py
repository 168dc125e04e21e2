"""Routes of the start page.

GET       /portal/                                       home.index          what is waiting for the signed-in user
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template
from flask_login import current_user

from portal.access import Access, access
from portal.accounts.models import OrgStatus
from portal.accounts.queries import open_changes, organisations_by_status
from portal.reports.queries import due_reports
from portal.review.queries import waiting_count

bp = Blueprint("home", __name__, url_prefix="/portal")


@bp.get("/")
@access(Access.USER)
def index() -> str:
    """The start page; it reads all it shows before rendering, so that its statements follow each other."""
    staff = current_user.is_staff
    pending = organisations_by_status(OrgStatus.PENDING) if staff else []
    changes = open_changes() if staff else []
    waiting = waiting_count() if staff else 0
    organisation = current_user.organisation if current_user.is_provider else None
    due = due_reports(date.today(), None if staff else current_user.organisation_id)
    return render_template(
        "home/index.html",
        organisation=organisation,
        pending_organisations=pending,
        organisation_changes=changes,
        waiting_reviews=waiting,
        due_reports=due,
    )
