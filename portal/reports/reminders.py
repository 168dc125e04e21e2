"""Reminders about monthly reports: a few days before the due date and once it has passed (`portal reminders send`).

Each kind of reminder goes out once per offer and month (table `report_reminders`). An organisation gets one mail
per run, listing every month that is due soon or overdue; it goes to the organisation's active provider users
(through `notify`, so a user who chose the daily digest finds it there). Nothing about participants is mailed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from portal.accounts.models import Role, User
from portal.extensions import db
from portal.notifications.delivery import deliver_pending
from portal.notifications.services import absolute_url, notify
from portal.reports.models import ReportReminder
from portal.reports.queries import DueReport, due_reports
from portal.transactions import transactional

BEFORE = "before"
OVERDUE = "overdue"


@dataclass(frozen=True)
class ReminderResult:
    reminders: int  # offer months reminded for the first time (of their kind)
    organisations: int  # organisations told (by mail or in the daily digest)

    def summary(self) -> str:
        if not self.reminders:
            return "Keine Erinnerungen zu verschicken."
        noun = "Erinnerung" if self.reminders == 1 else "Erinnerungen"
        return f"{self.reminders} {noun} an {self.organisations} Träger verschickt."


def send_reminders(today: date) -> ReminderResult:
    """Record and mail the reminders due today; commits, then delivers the mails."""
    result = _record_reminders(today)
    deliver_pending()
    return result


@transactional
def _record_reminders(today: date) -> ReminderResult:
    """Record and queue the reminders due today.

    A month counts as reminded only when its organisation has someone to tell; otherwise it is tried again.
    """
    days_before = timedelta(days=current_app.config["REPORT_REMINDER_DAYS_BEFORE"])
    pending = [due for due in due_reports(today) if due.overdue or due.due_date - days_before <= today]
    sent = _already_sent({due.offer_id for due in pending})
    new = [due for due in pending if _key(due) not in sent]
    by_organisation: dict[int, list[DueReport]] = defaultdict(list)
    for due in pending:
        by_organisation[due.organisation_id].append(due)
    reached = set()
    for organisation_id in sorted({due.organisation_id for due in new}):
        if _notify(by_organisation[organisation_id]):
            reached.add(organisation_id)
    reminded = [due for due in new if due.organisation_id in reached]
    db.session.add_all(
        ReportReminder(offer_id=due.offer_id, year=due.year, month=due.month, kind=_key(due)[3]) for due in reminded
    )
    return ReminderResult(reminders=len(reminded), organisations=len(reached))


def _key(due: DueReport) -> tuple[int, int, int, str]:
    return due.offer_id, due.year, due.month, OVERDUE if due.overdue else BEFORE


def _already_sent(offer_ids: set[int]) -> set[tuple[int, int, int, str]]:
    if not offer_ids:
        return set()
    rows = db.session.execute(
        select(ReportReminder.offer_id, ReportReminder.year, ReportReminder.month, ReportReminder.kind).where(
            ReportReminder.offer_id.in_(offer_ids)
        )
    )
    return {(offer_id, year, month, kind) for offer_id, year, month, kind in rows}


def _notify(dues: list[DueReport]) -> int:
    """Tell the organisation's provider users about its due months; returns how many were told."""
    recipients = db.session.scalars(
        select(User).where(
            User.organisation_id == dues[0].organisation_id,
            User.role == Role.PROVIDER,
            User.active.is_(True),
            User.email_verified_at.is_not(None),
        )
    ).all()
    for user in recipients:
        notify(
            user,
            "report_reminder",
            organisation_name=dues[0].organisation_name,
            overdue=[due for due in dues if due.overdue],
            due_soon=[due for due in dues if not due.overdue],
            link=absolute_url("reports.index"),
        )
    return len(recipients)
