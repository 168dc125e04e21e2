"""`portal reminders send`: one mail per provider before the due date and one after it, each only once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from email.header import decode_header, make_header
from typing import Any

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import func, select

from portal.accounts.models import Organisation, User
from portal.assignments.models import Assignment, Participant
from portal.audit.models import AuditEntry
from portal.config import load_settings
from portal.extensions import db
from portal.notifications.models import DigestItem
from portal.offers.models import Offer, VersionStatus
from portal.reports.models import ParticipationReport, ReportReminder, ReportStatus
from tests.conftest import Mailbox
from tests.factories import Factories


def run(app: Flask, today: str) -> Result:
    with app.app_context():  # the app's own settings, also for a second app from make_app
        result = app.test_cli_runner().invoke(args=["reminders", "send", "--today", today])
    assert result.exit_code == 0, result.output
    return result


def live_offer(factories: Factories, organisation: Organisation, title: str, first: date, last: date) -> Offer:
    """An approved offer with one participant assigned from `first` to `last`."""
    offer = factories.offer(organisation=organisation, status=VersionStatus.APPROVED, title=title)
    participant = Participant(organisation_id=organisation.id, customer_number=f"123A{offer.id:06d}", initials="A. B.")
    db.session.add(participant)
    db.session.flush()
    db.session.add(
        Assignment(
            offer_id=offer.id,
            participant_id=participant.id,
            start_date=first,
            end_date=last,
            weekly_hours=Decimal(20),
            mae_rate=Decimal("1.50"),
        )
    )
    db.session.flush()
    return offer


@pytest.fixture
def team(factories: Factories) -> list[User]:
    return seed_team(factories)


def seed_team(factories: Factories) -> list[User]:
    """Two provider users of one organisation with an offer whose first month is October 2026."""
    first = factories.provider()
    second = factories.provider(organisation=first.organisation)
    live_offer(factories, first.organisation, "Pflege der Grünanlagen", date(2026, 10, 1), date(2027, 3, 31))
    return [first, second]


def subject(mailbox: Mailbox, address: str) -> str:
    (message,) = mailbox.to(address)
    return str(make_header(decode_header(message["Subject"])))


def body(mailbox: Mailbox, address: str) -> str:
    return mailbox.last_body(address).replace("\r\n", "\n")


def addresses(mailbox: Mailbox) -> list[str]:
    return sorted(str(message["To"]) for message in mailbox.messages)


def test_nothing_before_the_window(app: Flask, team: list[User], mailbox: Mailbox) -> None:
    assert run(app, "2026-11-06").output == "Keine Erinnerungen zu verschicken.\n"
    assert mailbox.messages == []
    assert db.session.scalar(select(func.count()).select_from(ReportReminder)) == 0


def test_reminds_each_provider_user_once_within_the_window(app: Flask, team: list[User], mailbox: Mailbox) -> None:
    assert run(app, "2026-11-07").output == "1 Erinnerung an 1 Träger verschickt.\n"

    assert addresses(mailbox) == sorted(user.email for user in team)
    assert subject(mailbox, team[0].email) == "Erinnerung: Teilnahmeberichte bald fällig"
    text = body(mailbox, team[0].email)
    assert f"für {team[0].organisation.name} fehlen noch folgende Teilnahmeberichte:" in text
    assert "Bald fällig:\n- Pflege der Grünanlagen: Oktober 2026, fällig am 10.11.2026\n" in text
    assert "Überfällig" not in text
    assert "http://localhost/portal/berichte/" in text

    mailbox.messages.clear()
    assert run(app, "2026-11-08").output == "Keine Erinnerungen zu verschicken.\n"
    assert run(app, "2026-11-10").output == "Keine Erinnerungen zu verschicken.\n"
    assert mailbox.messages == []


def test_overdue_reminder_after_the_tenth_once(app: Flask, team: list[User], mailbox: Mailbox) -> None:
    run(app, "2026-11-08")
    mailbox.messages.clear()

    assert run(app, "2026-11-11").output == "1 Erinnerung an 1 Träger verschickt.\n"
    assert addresses(mailbox) == sorted(user.email for user in team)
    assert subject(mailbox, team[1].email) == "Überfällige Teilnahmeberichte"
    assert "Überfällig:\n- Pflege der Grünanlagen: Oktober 2026, fällig am 10.11.2026" in body(mailbox, team[1].email)

    mailbox.messages.clear()
    assert run(app, "2026-11-30").output == "Keine Erinnerungen zu verschicken.\n"
    assert mailbox.messages == []
    kinds = db.session.scalars(select(ReportReminder.kind).order_by(ReportReminder.id)).all()
    assert kinds == ["before", "overdue"]


def test_a_missed_window_still_gets_the_overdue_reminder(app: Flask, team: list[User], mailbox: Mailbox) -> None:
    assert run(app, "2026-12-01").output == "1 Erinnerung an 1 Träger verschickt.\n"
    assert subject(mailbox, team[0].email) == "Überfällige Teilnahmeberichte"


@pytest.mark.parametrize("status", [ReportStatus.SUBMITTED, ReportStatus.APPROVED])
def test_submitted_reports_are_not_reminded(
    app: Flask, team: list[User], mailbox: Mailbox, status: ReportStatus
) -> None:
    offer_id = db.session.scalar(select(Assignment.offer_id))
    db.session.add(ParticipationReport(offer_id=offer_id, year=2026, month=10, status=status))
    db.session.flush()

    assert run(app, "2026-11-09").output == "Keine Erinnerungen zu verschicken.\n"
    assert run(app, "2026-11-20").output == "Keine Erinnerungen zu verschicken.\n"
    assert mailbox.messages == []


def test_a_draft_is_still_reminded(app: Flask, team: list[User], mailbox: Mailbox) -> None:
    offer_id = db.session.scalar(select(Assignment.offer_id))
    db.session.add(ParticipationReport(offer_id=offer_id, year=2026, month=10, status=ReportStatus.DRAFT))
    db.session.flush()

    assert run(app, "2026-11-20").output == "1 Erinnerung an 1 Träger verschickt.\n"


def test_one_mail_per_organisation_lists_all_its_due_months(app: Flask, factories: Factories, mailbox: Mailbox) -> None:
    user = factories.provider()
    live_offer(factories, user.organisation, "Stadtteilcafé", date(2026, 8, 15), date(2026, 12, 31))
    live_offer(factories, user.organisation, "Fahrradwerkstatt", date(2026, 10, 1), date(2026, 10, 31))
    other = factories.provider()
    live_offer(factories, other.organisation, "Tafel", date(2026, 10, 1), date(2026, 12, 31))

    assert run(app, "2026-11-08").output == "5 Erinnerungen an 2 Träger verschickt.\n"

    assert addresses(mailbox) == sorted([user.email, other.email])
    assert subject(mailbox, user.email) == "Überfällige Teilnahmeberichte"
    assert body(mailbox, user.email).split("\n\n")[2:4] == [
        "Überfällig:\n- Stadtteilcafé: August 2026, fällig am 10.09.2026\n"
        "- Stadtteilcafé: September 2026, fällig am 10.10.2026",
        "Bald fällig:\n- Fahrradwerkstatt: Oktober 2026, fällig am 10.11.2026\n"
        "- Stadtteilcafé: Oktober 2026, fällig am 10.11.2026",
    ]
    assert "Tafel" not in body(mailbox, user.email)


def test_a_later_reminder_lists_the_months_still_open(app: Flask, factories: Factories, mailbox: Mailbox) -> None:
    user = factories.provider()
    live_offer(factories, user.organisation, "Stadtteilcafé", date(2026, 9, 1), date(2026, 12, 31))
    run(app, "2026-10-20")  # September overdue
    mailbox.messages.clear()

    assert run(app, "2026-11-08").output == "1 Erinnerung an 1 Träger verschickt.\n"  # October due soon
    text = body(mailbox, user.email)
    assert "- Stadtteilcafé: September 2026, fällig am 10.10.2026" in text
    assert "- Stadtteilcafé: Oktober 2026, fällig am 10.11.2026" in text


def test_only_active_verified_provider_users_of_the_organisation(
    app: Flask, factories: Factories, mailbox: Mailbox
) -> None:
    user = factories.provider()
    organisation = user.organisation
    factories.provider(organisation=organisation, active=False)
    factories.provider(organisation=organisation, email_verified_at=None)  # invited, not yet joined
    digest = factories.provider(organisation=organisation, notify_daily=True)
    factories.staff()
    factories.provider()  # another organisation without due reports
    live_offer(factories, organisation, "Stadtteilcafé", date(2026, 10, 1), date(2026, 12, 31))

    run(app, "2026-11-08")

    assert addresses(mailbox) == [user.email]
    (item,) = db.session.scalars(select(DigestItem).where(DigestItem.user_id == digest.id))
    assert item.subject == "Erinnerung: Teilnahmeberichte bald fällig"


def test_an_organisation_without_users_is_tried_again(app: Flask, factories: Factories, mailbox: Mailbox) -> None:
    organisation = factories.organisation()
    live_offer(factories, organisation, "Stadtteilcafé", date(2026, 10, 1), date(2026, 12, 31))
    assert run(app, "2026-11-08").output == "Keine Erinnerungen zu verschicken.\n"

    user = factories.provider(organisation=organisation)
    assert run(app, "2026-11-09").output == "1 Erinnerung an 1 Träger verschickt.\n"
    assert addresses(mailbox) == [user.email]


def test_days_before_are_configurable(make_app: Any, factories: Factories, mailbox: Mailbox) -> None:
    earlier = make_app(REPORT_REMINDER_DAYS_BEFORE=7)  # before the data: a new app starts a new session
    seed_team(factories)
    assert run(earlier, "2026-11-02").output == "Keine Erinnerungen zu verschicken.\n"
    assert run(earlier, "2026-11-03").output == "1 Erinnerung an 1 Träger verschickt.\n"


def test_writes_no_audit_entry(app: Flask, team: list[User], mailbox: Mailbox) -> None:
    before = db.session.scalar(select(func.count()).select_from(AuditEntry))
    run(app, "2026-11-20")
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == before


def test_the_day_defaults_to_today(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["reminders", "send"])
    assert (result.exit_code, result.output) == (0, "Keine Erinnerungen zu verschicken.\n")


def test_days_before_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PORTAL_REPORT_REMINDER_DAYS_BEFORE", raising=False)
    assert load_settings()["REPORT_REMINDER_DAYS_BEFORE"] == 3
    monkeypatch.setenv("PORTAL_REPORT_REMINDER_DAYS_BEFORE", "5")
    assert load_settings()["REPORT_REMINDER_DAYS_BEFORE"] == 5
