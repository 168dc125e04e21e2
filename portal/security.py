"""Security headers on every response, session timeouts, and log hygiene."""

from __future__ import annotations

import io
import logging
import re
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
# A participant's Kundennummer (assignments/rules.py: CUSTOMER_NUMBER, three digits, a letter, six digits; here in
# any case, as typed) is social data: no log line shows one, not even in the traceback of a database error.
CUSTOMER_NUMBER_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])\d{3}[A-Za-z]\d{6}(?![0-9A-Za-z])", re.ASCII)
CUSTOMER_NUMBER_MASK = "[Kundennummer]"


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


def _mask(text: str) -> str:
    return CUSTOMER_NUMBER_IN_TEXT.sub(CUSTOMER_NUMBER_MASK, text)


def _clean_argument(value: object) -> object:
    """Strings, and exceptions (their message often quotes input or row values), with escaped line breaks and
    masked Kundennummern."""
    if not isinstance(value, str | BaseException):
        return value
    text = str(value)
    cleaned = _mask(text.replace("\r", "\\r").replace("\n", "\\n"))
    return value if cleaned == text else cleaned


def _clean_record(record: logging.LogRecord) -> None:
    if isinstance(record.msg, str | BaseException):  # logging.exception(error) logs the error as the message
        record.msg = _mask(str(record.msg))
    if isinstance(record.args, tuple):
        record.args = tuple(_clean_argument(arg) for arg in record.args)
    elif isinstance(record.args, Mapping):
        record.args = {key: _clean_argument(arg) for key, arg in record.args.items()}
    if record.exc_info and record.exc_info[1] is not None:
        # Formatted here, once: every handler's formatter uses the masked text instead of formatting it again.
        record.exc_text = _mask(logging.Formatter().formatException(record.exc_info))


def _safe_record_factory(factory: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    """Escape line breaks in log arguments (user input cannot forge log lines) and mask Kundennummern."""

    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        _clean_record(record)
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
