"""Security headers on every response, session timeouts, and log hygiene."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask, abort, current_app, flash, redirect, request, session, url_for
from flask_login import current_user, logout_user
from werkzeug.wrappers import Response

from portal.models import utcnow

# Inline SVG icons of the KERN design system are data: URLs, hence img-src allows data: (same origin only).
CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
HSTS = "max-age=31536000; includeSubDomains"
# The last activity is written to the session (a signed cookie) at most once a minute, not with every response:
# an idle session may therefore end up to a minute before the idle limit, never after it.
SEEN_RESOLUTION_SECONDS = 60


def set_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if current_app.config["PORTAL_ENV"] == "production":
        response.headers["Strict-Transport-Security"] = HSTS
    if request.path.startswith("/portal/") and not request.path.startswith("/portal/static/"):
        response.headers["Cache-Control"] = "no-store"
    return response


def limit_streamed_body() -> None:
    """A body without Content-Length (chunked) is read up to the limit: werkzeug would silently cut it off there."""
    limit = request.max_content_length
    if limit is None or request.content_length is not None or not request.environ.get("wsgi.input_terminated"):
        return
    body = request.environ["wsgi.input"].read(limit + 1)
    if len(body) > limit:
        abort(413)
    request.environ["wsgi.input"] = io.BytesIO(body)


def start_session_clock() -> None:
    """Called right after login: the absolute and idle timeouts count from now."""
    now = utcnow().timestamp()
    session["started"] = now
    session["seen"] = now
    session.permanent = True


def check_session_timeouts() -> Response | None:
    """Log out sessions that were idle too long or are older than the absolute limit."""
    if not current_user.is_authenticated:
        return None
    now = utcnow().timestamp()
    config = current_app.config
    started = float(session.get("started", 0))
    seen = float(session.get("seen", 0))
    idle = now - seen > config["IDLE_TIMEOUT"].total_seconds()
    if idle or now - started > config["ABSOLUTE_TIMEOUT"].total_seconds():
        logout_user()
        session.clear()
        flash("Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.", "info")
        return redirect(url_for("accounts.login"))
    if now - seen >= SEEN_RESOLUTION_SECONDS:
        session["seen"] = now
    return None


def _escape_line_breaks(value: object) -> object:
    """Strings, and exceptions (their message often quotes input), with escaped line breaks."""
    if not isinstance(value, str | BaseException):
        return value
    text = str(value)
    if "\r" not in text and "\n" not in text:
        return value
    return text.replace("\r", "\\r").replace("\n", "\\n")


def _safe_record_factory(factory: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    """Escape line breaks in log arguments so that user input cannot forge log lines."""

    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        if isinstance(record.args, tuple):
            record.args = tuple(_escape_line_breaks(arg) for arg in record.args)
        elif isinstance(record.args, Mapping):
            record.args = {key: _escape_line_breaks(arg) for key, arg in record.args.items()}
        return record

    make.safe = True  # type: ignore[attr-defined]
    return make


def init_app(app: Flask) -> None:
    app.before_request_funcs.setdefault(None, []).insert(0, limit_streamed_body)  # before anything reads the form
    app.after_request(set_headers)
    app.before_request(check_session_timeouts)
    current = logging.getLogRecordFactory()
    if not getattr(current, "safe", False):
        logging.setLogRecordFactory(_safe_record_factory(current))
