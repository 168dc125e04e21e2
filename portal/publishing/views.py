"""Routes of the publishing domain: the publish page for staff, and (in development) the built site at `/`."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_from_directory, url_for
from flask_login import current_user
from werkzeug.exceptions import NotFound
from werkzeug.security import safe_join
from werkzeug.wrappers import Response

from portal.access import Access, access
from portal.publishing import services
from portal.publishing.errors import PublishError
from portal.publishing.queries import last_success, recent_runs

bp = Blueprint("publishing", __name__)


@bp.get("/portal/veroeffentlichung")
@access(Access.STAFF)
def status() -> str:
    runs = recent_runs()
    running = next((run for run in runs if run.running), None)
    return render_template("publishing/status.html", runs=runs, running=running, last_success=last_success())


@bp.post("/portal/veroeffentlichung")
@access(Access.STAFF)
def start() -> Response:
    """Start a publish in the background (the CSRF token is checked for every POST by CSRFProtect)."""
    try:
        services.publish_in_background(current_user)
    except PublishError as error:
        flash(error.message, "warning")
    else:
        flash("Die Veröffentlichung läuft. Laden Sie diese Seite neu, um den Fortschritt zu sehen.", "success")
    return redirect(url_for("publishing.status"))


@bp.get("/", defaults={"path": ""})
@bp.get("/<path:path>")
@access(Access.PUBLIC)
def site(path: str) -> str | Response | tuple[Response, int]:
    """Serve the built site (folders redirect to their slash form); until it is built, a start page."""
    if not current_app.config["SERVE_SITE"]:
        abort(404)
    root: Path = current_app.config["SITE_DIR"]
    if not (root / "index.html").is_file():
        if path:
            abort(404)
        return render_template("publishing/placeholder.html")
    if path.startswith("portal/"):
        abort(404)  # the portal's own error page for its own addresses
    try:
        return _site_file(root, path)
    except (NotFound, OSError, ValueError):  # OSError, ValueError: a name too long, a NUL byte … is no page either
        if not (root / "404.html").is_file():
            abort(404)
        return send_from_directory(root, "404.html"), 404


def _site_file(root: Path, path: str) -> Response:
    """The built file at `path`, or the redirect of a folder to its slash form."""
    file = safe_join(str(root), path)
    if file is not None and path and not path.endswith("/") and Path(file).is_dir():
        query = request.query_string.decode()
        return redirect(f"/{path}/" + (f"?{query}" if query else ""), 301)
    return send_from_directory(root, path + "index.html" if path == "" or path.endswith("/") else path)
