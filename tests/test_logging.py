"""docs/security.md 27: logs never contain passwords, codes, cookies, tokens or Kundennummern; line breaks cannot forge
log lines. The output: one JSON object a line with the request id (portal/logs.py)."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from types import MappingProxyType

import pyotp
import pytest

from portal import logs
from portal.assignments.models import Participant
from portal.config import ConfigError, load_settings
from portal.extensions import db
from portal.security import CUSTOMER_NUMBER_MASK
from tests.app_helpers import FAILING_PATH, app_with_failing_route
from tests.factories import DEFAULT_PASSWORD

WRONG_PASSWORD = "falsches Passwort mit Umlauten äöü"
NEW_PASSWORD = "ein neuer Satz nur für das Protokoll"
REGISTRATION_PASSWORD = "Registrierung mit einem langen Satz"
FORGED = "2026-11-24 10:00:00 INFO portal: admin@arge.example angemeldet"
TEST_SMTP_SERVER = "mail.log"  # aiosmtpd, the test's mail server, logs what it receives; it is not the portal


@pytest.fixture
def portal(app, make_app):
    """A client of an app of its own, so each request gets a fresh context, as in production."""
    return make_app().test_client()


@pytest.fixture
def debug_log(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


def portal_log(caplog) -> str:
    """Everything the portal and its libraries logged, messages and raw arguments."""
    records = [record for record in caplog.records if record.name != TEST_SMTP_SERVER]
    return "\n".join(f"{record.getMessage()} {record.args!r} {record.exc_text or ''}" for record in records)


def link(mailbox, address: str, path: str) -> str:
    match = re.search(r"http://localhost(" + re.escape(path) + r"\S+)", mailbox.last_body(address))
    assert match, f"no link to {path}"
    return match.group(1)


def test_login_flows_keep_secrets_out_of_the_log(portal, factories, mailbox, debug_log):
    secret = pyotp.random_base32()
    user = factories.provider(totp_secret=secret)
    db.session.commit()
    portal.post("/portal/anmelden", data={"email": user.email, "password": WRONG_PASSWORD})
    portal.post("/portal/anmelden", data={"email": user.email, "password": DEFAULT_PASSWORD})
    code = pyotp.TOTP(secret).now()
    assert portal.post("/portal/anmelden/code", data={"code": code}).headers["Location"] == "/portal/"
    cookie = portal.get_cookie("portal_session").value
    portal.post("/portal/abmelden")
    secrets = [WRONG_PASSWORD, DEFAULT_PASSWORD, code, secret, cookie]
    assert [value for value in secrets if value in portal_log(debug_log)] == []


def test_registration_and_reset_keep_secrets_out_of_the_log(portal, factories, mailbox, debug_log):
    data = {
        "name": "Protokolltest e. V.",
        "legal_form": "e. V.",
        "umbrella": "awo",
        "street": "Weg 1",
        "postal_code": "50667",
        "city": "Musterstadt",
        "phone": "0221 12345",
        "org_email": "info@protokolltest.example",
        "user_name": "Rita Register",
        "email": "rita@protokolltest.example",
        "password": REGISTRATION_PASSWORD,
        "password_confirm": REGISTRATION_PASSWORD,
        "privacy": "y",
    }
    assert portal.post("/portal/registrieren", data=data).status_code == 200
    verify = link(mailbox, data["email"], "/portal/registrieren/bestaetigen/")
    portal.get(verify)  # the token moves into the session
    portal.post("/portal/registrieren/bestaetigen")
    portal.post("/portal/passwort-vergessen", data={"email": data["email"]})
    reset = link(mailbox, data["email"], "/portal/passwort-zuruecksetzen/")
    portal.get(reset)
    response = portal.post(
        "/portal/passwort-zuruecksetzen", data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    )
    assert response.status_code == 302
    tokens = [verify.rsplit("/", 1)[1], reset.rsplit("/", 1)[1]]
    secrets = [REGISTRATION_PASSWORD, NEW_PASSWORD, *tokens]
    assert [value for value in secrets if value in portal_log(debug_log)] == []


@pytest.mark.parametrize(
    "argument",
    [f"evil@example.org\n{FORGED}", f"evil@example.org\r\n{FORGED}", ValueError(f"kaputt\n{FORGED}")],
    ids=["newline", "crlf", "exception"],
)
def test_line_breaks_in_arguments_cannot_forge_log_lines(app, debug_log, argument):
    logging.getLogger("portal.test").warning("login failed for %s", argument)
    logging.getLogger("portal.test").warning("login failed for %(email)s", {"email": argument})
    logging.getLogger("portal.test").warning("login failed for %(email)s", MappingProxyType({"email": argument}))
    assert len(debug_log.records) == 3
    for record in debug_log.records:
        message = record.getMessage()
        assert "\n" not in message
        assert "\r" not in message
        assert "\\n" in message


def test_werkzeug_request_lines_cannot_forge_log_lines(app, debug_log):
    request_line = f"GET /portal/?x=1 HTTP/1.1\n{FORGED}"
    logging.getLogger("werkzeug").info(
        '%s - - [%s] "%s" %s %s', "127.0.0.1", "24/Nov/2026 10:00:00", request_line, 200, "-"
    )
    (record,) = debug_log.records
    assert record.getMessage().splitlines() == [record.getMessage()]
    assert record.getMessage().endswith(f'\\n{FORGED}" 200 -')


def test_records_without_arguments_pass_unchanged(app):
    record = logging.getLogRecordFactory()("portal.test", logging.INFO, __file__, 1, "ohne\nArgumente", None, None)
    assert record.getMessage() == "ohne\nArgumente"  # the message itself is the programmer's text


def test_numbers_and_objects_without_line_breaks_keep_their_format(app, debug_log):
    logging.getLogger("portal.test").info("%d Mails, %.1f s, %r", 3, 1.25, ["a"])
    assert debug_log.records[0].getMessage() == "3 Mails, 1.2 s, ['a']"


def test_database_errors_in_the_log_show_no_kundennummer(make_app, factories, debug_log):
    """A unique violation that reaches the error page: its traceback quotes the row values, Kundennummer included."""
    offer = factories.live_offer()
    number = factories.assignment(offer).participant.customer_number

    def duplicate() -> None:
        db.session.add(Participant(organisation_id=offer.organisation_id, customer_number=number, initials="M. K."))
        db.session.flush()

    portal = app_with_failing_route(make_app, duplicate)
    assert portal.test_client().get(FAILING_PATH).status_code == 500
    assert "IntegrityError" in debug_log.text
    assert number not in debug_log.text
    assert number not in portal_log(debug_log)
    if db.engine.dialect.name == "postgresql":  # its message quotes the key (SQLite's names only the columns)
        assert f"=({offer.organisation_id}, {CUSTOMER_NUMBER_MASK})" in debug_log.text


@pytest.mark.parametrize("typed", ["123A456789", "123a456789"])
def test_kundennummern_in_arguments_and_messages_are_masked(app, debug_log, typed):
    logging.getLogger("portal.test").warning("Teilnehmer %s", typed)
    logging.getLogger("portal.test").warning(f"Teilnehmer {typed}")
    assert [record.getMessage() for record in debug_log.records] == [f"Teilnehmer {CUSTOMER_NUMBER_MASK}"] * 2


def test_other_numbers_are_not_masked(app, debug_log):
    logging.getLogger("portal.test").info("Angebot %s, Bericht %s", "1234A5678901", "12A345678")
    assert debug_log.records[0].getMessage() == "Angebot 1234A5678901, Bericht 12A345678"


# --- the output: JSON lines with the request id ---------------------------------------------------------------------


@contextmanager
def captured(log_format: str) -> Iterator[io.StringIO]:
    """What the root logger writes (INFO and above) through the portal's formatter."""
    output = io.StringIO()
    handler = logging.StreamHandler(output)
    handler.setFormatter(logs.formatter(log_format))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield output
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    with captured("json") as output:
        yield output


def lines(output: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.getvalue().splitlines()]


def test_each_log_line_is_a_json_object(app, json_log):
    logging.getLogger("portal.test").warning("Angebot %s: %d Zeilen", "Über\nMut", 3)
    (line,) = lines(json_log)
    assert line["event"] == "Angebot Über\\nMut: 3 Zeilen"  # the line break escaped by security.py
    assert line["level"] == "warning"
    assert line["logger"] == "portal.test"
    assert str(line["timestamp"]).endswith("Z")
    assert "request_id" not in line  # outside a request


def test_a_request_gets_an_id_in_its_response_and_in_its_log_lines(portal, json_log):
    first = portal.get("/portal/anmelden")
    second = portal.get("/portal/anmelden")
    ids = [first.headers["X-Request-ID"], second.headers["X-Request-ID"]]
    assert ids[0] != ids[1]
    assert all(re.fullmatch(r"[0-9a-f]{32}", request_id) for request_id in ids)
    ends = [line for line in lines(json_log) if line["event"] == "request"]
    assert [(line["request_id"], line["route"], line["status"], line["method"]) for line in ends] == [
        (request_id, "/portal/anmelden", 200, "GET") for request_id in ids
    ]
    assert all(isinstance(line["duration_ms"], float) for line in ends)


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("0b7c4e2a9f1d4c3e8a6b5d4c3b2a1f0e", True),
        ("3f2c-uuid:proxy.1", True),
        ("kurz", False),
        ("mit Leerzeichen 123", False),
        ("x" * 129, False),
        ('abcdefgh"}{"level": "x', False),
    ],
    ids=["nginx", "uuid-like", "too-short", "space", "too-long", "json-quote"],
)
def test_a_valid_request_id_from_the_proxy_is_kept(portal, json_log, sent, kept):
    returned = portal.get("/portal/anmelden", headers={"X-Request-ID": sent}).headers["X-Request-ID"]
    assert (returned == sent) is kept
    assert [line["request_id"] for line in lines(json_log)] == [returned]


def test_the_request_line_names_the_route_never_the_token_in_the_path(portal, json_log):
    token = "geheimer-token-4711"
    portal.get(f"/portal/passwort-zuruecksetzen/{token}")
    portal.get(f"/portal/gibt-es-nicht/{token}")
    assert token not in json_log.getvalue()
    routes = ["/portal/passwort-zuruecksetzen/<token>", "/<path:path>"]  # the second: the site's catch-all
    assert [line["route"] for line in lines(json_log)] == routes


def test_an_error_is_logged_with_its_request_id_and_a_masked_traceback(app, make_app, json_log):
    def fail() -> None:
        raise ValueError("Teilnehmer 123A456789 nicht gefunden")

    response = app_with_failing_route(make_app, fail).test_client().get(FAILING_PATH)
    assert response.status_code == 500
    error, end = lines(json_log)
    assert error["request_id"] == end["request_id"] == response.headers["X-Request-ID"]
    assert error["level"] == "error"
    assert "ValueError: Teilnehmer [Kundennummer] nicht gefunden" in str(error["exception"])
    assert "123A456789" not in json_log.getvalue()


def test_the_text_format_carries_the_request_id_too(portal):
    with captured("text") as output:
        response = portal.get("/portal/anmelden")
    assert f"request_id={response.headers['X-Request-ID']}" in output.getvalue()
    assert "route=/portal/anmelden" in output.getvalue()


def test_the_log_format_follows_the_environment_and_is_checked(make_app):
    assert load_settings({"PORTAL_ENV": "development"})["LOG_FORMAT"] == "text"
    assert load_settings({"PORTAL_ENV": "production"})["LOG_FORMAT"] == "json"
    with pytest.raises(ConfigError, match="PORTAL_LOG_FORMAT"):
        make_app(LOG_FORMAT="xml")
