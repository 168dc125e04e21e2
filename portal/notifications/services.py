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
from portal.notifications.texts import MailName, MailText, footer, render_mail
from portal.transactions import transactional


def absolute_url(endpoint: str, **values: Any) -> str:
    """A link for an e-mail: the configured base address plus the route."""
    base = current_app.config["BASE_URL"].rstrip("/")
    if has_request_context():
        return base + url_for(endpoint, **values)
    with current_app.test_request_context():  # command line: no request, the same routes
        return base + url_for(endpoint, **values)


def queue_mail(recipient: str, name: MailName, /, **context: Any) -> None:
    """Add the mail `name` (templates/mail/<name>/) to the current transaction; it is sent once that has committed."""
    _queue(recipient, render_mail(name, **context))


def _queue(recipient: str, text: MailText) -> None:
    db.session.add(QueuedMail(recipient=recipient, subject=text.subject, body=f"{text.body}\n\n{footer()}"))
    g.mail_queued = True


def notify(user: User, name: MailName, /, **context: Any) -> None:
    """Tell a user about an event: at once, or in the daily digest if the user chose that."""
    _notify(user, render_mail(name, **context))


def notify_staff(name: MailName, /, **context: Any) -> None:
    """Tell every active ARGE caseworker and approver (at once or in their digest)."""
    text = render_mail(name, **context)
    staff = db.session.scalars(select(User).where(User.role.in_([Role.STAFF, Role.APPROVER]), User.active.is_(True)))
    for member in staff:
        _notify(member, text)


def _notify(user: User, text: MailText) -> None:
    if not user.active:
        return
    if user.notify_daily:
        db.session.add(DigestItem(user_id=user.id, subject=text.subject, body=text.body))
    else:
        _queue(user.email, text)


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
            queue_mail(user.email, "daily_digest", items=user_items)
            mails += 1
        for item in user_items:
            item.sent_at = utcnow()
    return mails
