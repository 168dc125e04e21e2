"""Routes of the publishing domain: in development the app serves the built public site at `/`."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, send_from_directory
from werkzeug.wrappers import Response

from portal.access import Access, access

bp = Blueprint("publishing", __name__)


@bp.get("/", defaults={"path": ""})
@bp.get("/<path:path>")
@access(Access.PUBLIC)
def site(path: str) -> str | Response:
    """Serve the built site; until it has been built, a start page that links to the portal."""
    if not current_app.config["SERVE_SITE"]:
        abort(404)
    root: Path = current_app.config["SITE_DIR"]
    if not (root / "index.html").is_file():
        if path:
            abort(404)
        return render_template("publishing/placeholder.html")
    if path == "" or path.endswith("/"):
        path += "index.html"
    return send_from_directory(root, path)
