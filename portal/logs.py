"""Log output: one JSON object a line (or readable text in development), each request's lines with its request id.

Code logs with the standard library (`logging.getLogger(__name__)`); structlog only renders the records, so
security.py's record factory (escaped line breaks, masked Kundennummern, the masked traceback in `exc_text`)
applies to every line. The request id comes from a valid `X-Request-ID` header (set by the proxy, so that its
log and ours can be joined) or is made here; it is bound to the request's context, added to every line logged
while the request runs and returned in the response's `X-Request-ID` header. Each request ends with one line
naming its route pattern (never the path, which may carry a token), status and duration.
"""

from __future__ import annotations

import logging
import re
import secrets
import sys
import time
from typing import Any

import structlog
from flask import Flask, g, request
from structlog.typing import EventDict, Processor
from werkzeug.wrappers import Response

LOG_FORMATS = ("json", "text")
REQUEST_ID_HEADER = "X-Request-ID"
# What a proxy sends (nginx's $request_id: 32 hex digits; UUIDs); anything else is replaced by our own id.
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}", re.ASCII)
# The fields of the line that ends a request; no other `extra` of a record reaches the output (it is not cleaned).
REQUEST_FIELDS = ("method", "route", "status", "duration_ms")
log = logging.getLogger(__name__)


def _traceback_as_masked(_logger: Any, _name: str, event: EventDict) -> EventDict:
    """The traceback as security.py formatted and masked it (`exc_text`), not formatted again from `exc_info`."""
    record = event.get("_record")
    event.pop("exc_info", None)
    if record is not None and record.exc_text:
        event["exception"] = record.exc_text
    return event


def _without_internals(_logger: Any, _name: str, event: EventDict) -> EventDict:
    event.pop("_record", None)
    event.pop("_from_structlog", None)
    return event


def formatter(log_format: str = "json") -> logging.Formatter:
    """A logging formatter: time (UTC), level, logger, message, the context's request id, the masked traceback."""
    renderer: Processor = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if log_format == "json"
        else structlog.dev.ConsoleRenderer(colors=False, exception_formatter=structlog.dev.plain_traceback)
    )
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.contextvars.merge_contextvars,
            structlog.stdlib.ExtraAdder(allow=REQUEST_FIELDS),
            _traceback_as_masked,
        ],
        processors=[_without_internals, renderer],  # it formats a copy: other handlers see the record unchanged
    )


def configure(log_format: str) -> None:
    """Log INFO and above to stderr unless the host (gunicorn's logconfig_dict, pytest) has set up logging already."""
    root = logging.getLogger()
    if root.handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(log_format))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # one line per plugin is noise


def begin_request() -> None:
    sent = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = sent if VALID_REQUEST_ID.fullmatch(sent) else secrets.token_hex(16)
    g.request_started = time.perf_counter()
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id=g.request_id)


def end_request(response: Response) -> Response:
    response.headers[REQUEST_ID_HEADER] = g.request_id
    log.info(
        "request",
        extra={
            "method": request.method,
            "route": request.url_rule.rule if request.url_rule else None,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - g.request_started) * 1000, 1),
        },
    )
    return response


def forget_request(_error: BaseException | None) -> None:
    structlog.contextvars.clear_contextvars()


def init_app(app: Flask) -> None:
    app.before_request_funcs.setdefault(None, []).insert(0, begin_request)  # first: every later line has the id
    app.after_request(end_request)
    app.teardown_request(forget_request)
