"""Routes of the audit domain: the log for administrators."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from portal.access import Access, access
from portal.audit.services import ACTION_LABELS, recent_entries

bp = Blueprint("audit", __name__, url_prefix="/portal")


@bp.get("/protokoll")
@access(Access.ADMIN)
def log() -> str:
    action = request.args.get("aktion", "")
    action = action if action in ACTION_LABELS else ""
    return render_template("audit/log.html", entries=recent_entries(action), labels=ACTION_LABELS, selected=action)
