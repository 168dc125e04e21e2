"""Delivery of queued mails: by SMTP, or into the outbox folder when no MAIL_SERVER is set (development)."""

from __future__ import annotations

import logging
import smtplib
import uuid
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from flask import Flask, current_app, g
from sqlalchemy import select
from werkzeug.wrappers import Response

from portal.extensions import db
from portal.models import utcnow
from portal.notifications.models import QueuedMail
from portal.storage import private_folder, write_private
from portal.transactions import transactional

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


@transactional
def deliver_pending() -> int:
    """Send every queued message; failures stay queued for a later try. Returns the number sent."""
    pending = db.session.scalars(
        select(QueuedMail).where(QueuedMail.sent_at.is_(None), QueuedMail.attempts < MAX_ATTEMPTS)
    ).all()
    sent = 0
    for mail in pending:
        sent += _deliver_one(mail)
    return sent


def _deliver_one(mail: QueuedMail) -> int:
    mail.attempts += 1
    try:
        _send(_build(mail))
    except (OSError, smtplib.SMTPException) as exc:
        mail.last_error = type(exc).__name__
        log.warning("mail %s could not be sent (%s)", mail.id, type(exc).__name__)
        return 0
    mail.sent_at = utcnow()
    mail.body = ""  # links with tokens are not kept once delivered
    return 1


def _build(mail: QueuedMail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(domain="arge-partnerportal")
    message.set_content(mail.body)
    return message


def _send(message: EmailMessage) -> None:
    config = current_app.config
    if not config["MAIL_SERVER"]:
        _write_to_outbox(message)
        return
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=15) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)


def _write_to_outbox(message: EmailMessage) -> None:
    outbox = private_folder(current_app.config["OUTBOX_DIR"])
    path = outbox / f"{utcnow():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
    write_private(path, message.as_bytes())
    log.info("mail written to %s", path)


def init_app(app: Flask) -> None:
    @app.after_request
    def _deliver_after_request(response: Response) -> Response:
        if g.pop("mail_queued", False):
            deliver_pending()
        return response
