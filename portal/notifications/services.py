"""Notifications: mails queued in the caller's transaction, delivered after the request (or by `portal mail send`).

Without MAIL_SERVER (development) each message is written to the outbox folder as an .eml file.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, g, has_request_context, url_for
from sqlalchemy import select

from portal.accounts.models import Role, User
from portal.extensions import db
from portal.models import utcnow
from portal.notifications.models import DigestItem, QueuedMail
from portal.transactions import transactional


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


@transactional
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
    return mails
