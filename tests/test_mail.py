"""E-mail: queued in the transaction, delivered by SMTP or to the outbox, retried when the server is away."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest
from flask import Flask
from sqlalchemy import select

from portal.extensions import db
from portal.notifications.delivery import MAX_ATTEMPTS, deliver_pending
from portal.notifications.models import QueuedMail
from portal.notifications.services import queue_mail
from tests.app_helpers import file_mode
from tests.conftest import free_port

SECRET_LINK = "http://localhost/portal/passwort-zuruecksetzen/geheimes-token-123"


def queue(recipient: str = "empfaenger@traeger.example") -> QueuedMail:
    queue_mail(recipient, "password_reset", link=SECRET_LINK)
    db.session.commit()
    return db.session.scalars(select(QueuedMail).where(QueuedMail.recipient == recipient)).one()


def reloaded(mail: QueuedMail) -> QueuedMail:
    return db.session.get(QueuedMail, mail.id, populate_existing=True)


def deliver_with(application: Flask) -> int:
    with application.app_context():
        return deliver_pending()


def assert_delivered(mail: QueuedMail) -> None:
    mail = reloaded(mail)
    assert mail.sent_at is not None
    assert mail.body == ""  # the token is not kept once the mail is out


def assert_still_queued(mail: QueuedMail, attempts: int, error: str) -> None:
    mail = reloaded(mail)
    assert mail.sent_at is None
    assert SECRET_LINK in mail.body
    assert (mail.attempts, mail.last_error) == (attempts, error)


def test_without_mail_server_the_mail_goes_to_the_outbox(app, make_app, tmp_path):
    mail = queue()
    assert deliver_with(make_app(MAIL_SERVER="", OUTBOX_DIR=tmp_path / "outbox")) == 1
    (path,) = (tmp_path / "outbox").glob("*.eml")
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert (message["To"], message["Subject"]) == ("empfaenger@traeger.example", "Passwort zurücksetzen")
    assert "ARGE-Partnerportal" in message["From"]
    body = message.get_payload(decode=True).decode()
    assert SECRET_LINK in body
    assert "automatisch vom ARGE-Partnerportal" in body
    assert_delivered(mail)
    assert (file_mode(tmp_path / "outbox"), file_mode(path)) == (
        0o700,
        0o600,
    )  # docs/security.md 19: only the portal reads it


def test_with_mail_server_the_mail_arrives(app, mailbox):
    mail = queue()
    assert deliver_pending() == 1
    assert SECRET_LINK in mailbox.last_body("empfaenger@traeger.example")
    assert_delivered(mail)
    assert deliver_pending() == 0  # nothing is sent twice


def test_mail_queued_in_a_request_is_sent_before_the_response(client, factories, mailbox):
    user = factories.provider()
    client.post("/portal/passwort-vergessen", data={"email": user.email})
    assert "/portal/passwort-zuruecksetzen/" in mailbox.last_body(user.email)
    (mail,) = db.session.scalars(select(QueuedMail).where(QueuedMail.recipient == user.email))
    assert_delivered(mail)


def test_unreachable_server_keeps_the_mail_queued_until_the_command_sends_it(app, make_app, mailbox):
    mail = queue()
    assert deliver_with(make_app(MAIL_PORT=free_port())) == 0
    assert_still_queued(mail, 1, "ConnectionRefusedError")
    assert deliver_with(make_app(MAIL_PORT=free_port())) == 0
    assert_still_queued(mail, 2, "ConnectionRefusedError")
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 0
    assert "1 E-Mail(s) verschickt." in result.output
    assert SECRET_LINK in mailbox.last_body("empfaenger@traeger.example")
    assert_delivered(mail)


def test_after_the_last_attempt_the_mail_is_given_up(app, mailbox):
    mail = queue()
    mail.attempts = MAX_ATTEMPTS
    db.session.commit()
    assert deliver_pending() == 0
    assert mailbox.messages == []
    assert_still_queued(mail, MAX_ATTEMPTS, "")


@pytest.mark.parametrize(
    "config",
    [{"MAIL_USE_TLS": True}, {"MAIL_USERNAME": "portal", "MAIL_PASSWORD": "smtp-passwort"}],
    ids=["starttls", "login"],
)
def test_no_clear_text_fallback_when_the_server_lacks_tls_or_auth(app, make_app, mailbox, config):
    mail = queue()
    assert deliver_with(make_app(**config)) == 0
    assert mailbox.messages == []
    assert_still_queued(mail, 1, "SMTPNotSupportedError")
