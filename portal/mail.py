"""E-mail: queued in the caller's transaction, delivered after the request (or by `portal mail send`).

Without MAIL_SERVER (development) each message is written to the outbox folder as an .eml file.
"""

from __future__ import annotations

import logging
import smtplib
import uuid
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from flask import Flask, current_app, g, has_request_context, url_for
from sqlalchemy import ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.wrappers import Response

from portal.accounts.models import Role, User
from portal.extensions import db
from portal.models import Base, utcnow

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


class QueuedMail(Base):
    __tablename__ = "queued_mails"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")


def absolute_url(endpoint: str, **values: Any) -> str:
    """A link for an e-mail: the configured base address plus the route."""
    base = current_app.config["BASE_URL"].rstrip("/")
    if has_request_context():
        return base + url_for(endpoint, **values)
    with current_app.test_request_context():  # command line: no request, the same routes
        return base + url_for(endpoint, **values)


def queue_mail(recipient: str, subject: str, body: str) -> None:
    """Add a message to the current transaction; it is sent once the transaction has committed."""
    footer = "\n\n-- \nDiese Nachricht wurde automatisch vom ARGE-Partnerportal verschickt."
    db.session.add(QueuedMail(recipient=recipient, subject=subject, body=body + footer))
    g.mail_queued = True


class DigestItem(Base):
    """A notification kept for the daily digest of a user who chose it."""

    __tablename__ = "digest_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


def notify(user: User, subject: str, body: str) -> None:
    """Tell a user about an event: at once, or in the daily digest if the user chose that."""
    if not user.active:
        return
    if user.notify_daily:
        db.session.add(DigestItem(user_id=user.id, subject=subject, body=body))
    else:
        queue_mail(user.email, subject, body)


def notify_staff(subject: str, body: str) -> None:
    """Tell every active ARGE caseworker and approver (at once or in their digest)."""
    staff = db.session.scalars(select(User).where(User.role.in_([Role.STAFF, Role.APPROVER]), User.active.is_(True)))
    for member in staff:
        notify(member, subject, body)


def queue_digests() -> int:
    """Queue one mail per user with all notifications since the last digest. Returns the number of mails."""
    items = db.session.scalars(select(DigestItem).where(DigestItem.sent_at.is_(None)).order_by(DigestItem.id)).all()
    by_user: dict[int, list[DigestItem]] = {}
    for item in items:
        by_user.setdefault(item.user_id, []).append(item)
    mails = 0
    for user_id, user_items in by_user.items():
        user = db.session.get(User, user_id)
        if user is not None and user.active:
            parts = [f"{item.subject}\n{item.body}" for item in user_items]
            queue_mail(user.email, f"Ihre tägliche Zusammenfassung ({len(parts)} Nachrichten)", "\n\n".join(parts))
            mails += 1
        for item in user_items:
            item.sent_at = utcnow()
    db.session.commit()
    return mails


def deliver_pending() -> int:
    """Send every queued message; failures stay queued for a later try. Returns the number sent."""
    pending = db.session.scalars(
        select(QueuedMail).where(QueuedMail.sent_at.is_(None), QueuedMail.attempts < MAX_ATTEMPTS)
    ).all()
    sent = 0
    for mail in pending:
        sent += _deliver_one(mail)
    if pending:
        db.session.commit()
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
    outbox = current_app.config["OUTBOX_DIR"]
    outbox.mkdir(parents=True, exist_ok=True)
    path = outbox / f"{utcnow():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
    path.write_bytes(message.as_bytes())
    log.info("mail written to %s", path)


def init_app(app: Flask) -> None:
    @app.after_request
    def _deliver_after_request(response: Response) -> Response:
        if g.pop("mail_queued", False):
            deliver_pending()
        return response
