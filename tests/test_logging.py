"""docs/security.md 27: logs never contain passwords, codes, cookies, tokens or Kundennummern; line breaks cannot forge
log lines."""

from __future__ import annotations

import logging
import re
from types import MappingProxyType

import pyotp
import pytest

from portal.assignments.models import Participant
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
