"""Demo participants and monthly reports in every state, made through the real services (PDFs included).

For two providers, the earliest live AGH offer is filled to its places by staff, and the providers accept. At the
first provider one participant leaves at the end of this month and the place is proposed again from next month
(still to be answered; another proposal was not started); at the second, the place a drop-out freed last month is
assigned again. The
first provider's report four months ago is approved, for three months ago a correction was requested, two months
ago's is submitted and last month's is not begun (overdue); the second provider has a draft and overdue months. Long
sicknesses and a drop-out are reported as immediate events.
"""

from __future__ import annotations

import random
import string
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from portal.accounts.models import Role, User
from portal.assignments import services as assignments
from portal.assignments.models import Assignment, AssignmentStatus, EventKind
from portal.assignments.rules import AssignmentInput
from portal.demo.offers import demo_providers
from portal.extensions import db
from portal.offers.models import Offer, OfferState, OfferType, OfferVersion
from portal.reports import calc, services
from portal.reports.models import ParticipationReport
from portal.reports.queries import recent_months
from portal.submissions import new_token

EXCEPTIONS = ("E", "K", "U", "UE", "KK")


def load_demo_reports() -> int:
    """Create the demo participants and reports once. Returns the number of reports created."""
    if db.session.scalar(select(func.count(Assignment.id))):
        return 0
    providers = demo_providers()
    staff = db.session.scalars(select(User).where(User.role == Role.STAFF).order_by(User.id)).first()
    rng = random.Random(2026)  # noqa: S311 (demo variety, not security)
    months = recent_months(services.today(), 4)  # oldest first
    created = 0
    for index, provider in enumerate(providers[:2]):
        offer = _earliest_agh_offer(provider)
        if offer is None or staff is None:
            continue
        assigned = _assign(staff, offer, rng, index)
        for assignment in assigned:
            assignments.accept(provider, assignment, assignment.start_date, None)
        if index == 0:
            _open_answers(staff, provider, offer, rng)
        created += _reports(provider, staff, offer, months, rng, first=index == 0)
        _events(provider, assigned, months, drop_out=index == 1)
        if index == 1 and assigned:
            _refill(staff, provider, assigned[-1], rng)
    return created


def _earliest_agh_offer(provider: User) -> Offer | None:
    query = (
        select(Offer)
        .join(OfferVersion, OfferVersion.id == Offer.live_version_id)
        .where(
            Offer.organisation_id == provider.organisation_id,
            Offer.state == OfferState.LIVE,
            OfferVersion.offer_type == OfferType.AGH_MAE,
        )
        .order_by(OfferVersion.start_date)
    )
    return db.session.scalars(query).first()


def _assign(staff: User, offer: Offer, rng: random.Random, index: int) -> list[Assignment]:
    version = offer.live_version
    if version is None or version.start_date is None or version.end_date is None:
        return []
    result = []
    sites = _sites_of_places(version)
    for number, site in enumerate(sites):
        leaves = index == 0 and number == len(sites) - 1  # at the end of this month: see `_open_answers`
        data = AssignmentInput(
            customer_number=f"{412 + index}{string.ascii_uppercase[number]}{rng.randint(100000, 999999)}",
            initials=f"{'ABDEFGHKLMNPRST'[rng.randrange(15)]}. {'BCDFGHKLMNRSTW'[rng.randrange(14)]}.",
            start_date=version.start_date,
            end_date=min(_next_month() - timedelta(days=1), version.end_date) if leaves else version.end_date,
            weekly_hours=Decimal(rng.choice([15, 20, 25, 30])).min(version.hours_per_week or Decimal(30)),
            mae_rate=version.mae_rate or Decimal("1.50"),
            site=site,
        )
        result.append(assignments.create_assignment(new_token(), staff, offer, data, assignments.LimitDecision()))
    return result


def _sites_of_places(version: OfferVersion) -> list[str]:
    """The site of each of the offer's places: every site's own places, then round the sites for any others."""
    slots = [site.name for site in version.sites for _ in range(site.places or 0)]
    total = version.places_total or len(slots)
    return (slots + [site.name for site in version.sites] * total)[:total]


def _next_month() -> date:
    return (services.today().replace(day=1) + timedelta(days=32)).replace(day=1)


def _refill(staff: User, provider: User, ended: Assignment, rng: random.Random) -> None:
    """Staff assign the place a drop-out freed again, from the day after it; the provider accepts."""
    version = ended.offer.live_version
    if ended.status is not AssignmentStatus.ENDED or version is None or version.end_date is None:
        return
    data = AssignmentInput(
        customer_number=f"413Z{rng.randint(100000, 999999)}",
        initials="Z. W.",
        start_date=ended.end_date + timedelta(days=1),
        end_date=version.end_date,
        weekly_hours=ended.weekly_hours,
        mae_rate=ended.mae_rate,
        site=ended.site,
    )
    refill = assignments.create_assignment(new_token(), staff, ended.offer, data, assignments.LimitDecision())
    assignments.accept(provider, refill, refill.start_date, None)


def _open_answers(staff: User, provider: User, offer: Offer, rng: random.Random) -> None:
    """Three assignments from next month on, to the place that becomes free then: one still to be answered by the
    provider, one not started, one declined."""
    version = offer.live_version
    start = _next_month()
    if version is None or version.end_date is None or start > version.end_date:
        return
    answers = {
        "419P": ("P. R.", "", ""),
        "419N": ("N. A.", "not_start", "Ist zum Antritt nicht erschienen."),
        "419D": ("D. L.", "decline", "An der Einsatzstelle ist zu diesen Zeiten keine Anleitung möglich."),
    }
    for number, (initials, answer, reason) in answers.items():
        data = AssignmentInput(
            customer_number=f"{number}{rng.randint(100000, 999999)}",
            initials=initials,
            start_date=start,
            end_date=version.end_date,
            weekly_hours=Decimal(20),
            mae_rate=version.mae_rate or Decimal("1.50"),
            site=version.sites[0].name if version.sites else "",
        )
        proposed = assignments.create_assignment(new_token(), staff, offer, data, assignments.LimitDecision())
        if answer:
            assignments.refuse(provider, proposed, answer, reason, None)


def _reports(
    provider: User, staff: User, offer: Offer, months: list[tuple[int, int]], rng: random.Random, first: bool
) -> int:
    """First provider: approved, correction requested, submitted, last month not begun (overdue). Second: a draft
    between months without a report."""
    plan = ["approve", "request_correction", "submit", ""] if first else ["", "", "draft", ""]
    created = 0
    for (year, month), step in zip(months, plan, strict=True):
        version = offer.live_version
        if not step or version is None or version.start_date is None or version.start_date > date(year, month, 1):
            continue
        report = services.start_report(provider, offer, year, month)
        for line in report.lines:  # a new report starts empty: the provider fills each row on purpose
            services.save_grid(provider, report, {}, None, fill_line=line.id)
        services.save_grid(provider, report, _exceptions(report, rng), None)
        created += 1
        if step == "draft":
            continue
        services.submit_report(provider, report, None, confirmed=True)
        if step != "submit":
            reason = "" if step == "approve" else "Bitte prüfen Sie die Stunden am 3. und 4. des Monats."
            services.decide(staff, report, step, reason, None)
    return created


def _exceptions(report: ParticipationReport, rng: random.Random) -> dict[tuple[int, int], str]:
    """A few absences on working days, as in a real month."""
    cells: dict[tuple[int, int], str] = {}
    for line in report.lines:
        working = [number for number, text in line.days.items() if text not in ("", "-", "F")]
        for number in rng.sample(working, min(len(working), rng.randint(0, 3))):
            cells[(line.id, int(number))] = rng.choice(EXCEPTIONS)
    return cells


def _events(provider: User, assigned: list[Assignment], months: list[tuple[int, int]], drop_out: bool) -> None:
    """A long sickness two months ago; for the second provider also a drop-out last month (the first provider
    keeps all its participants for last month's report, which is still to be written)."""
    year, month = months[-1]
    last = assigned[-1]
    exit_day = date(year, month, 12)
    if drop_out and last.start_date <= exit_day <= last.end_date:
        reason = "Umzug in eine andere Stadt"
        assignments.record_event(new_token(), provider, last, EventKind.DROP_OUT, exit_day, reason)
    year, month = months[-2]
    sick = assigned[0]
    day = date(year, month, calc.days_in_month(year, month))
    if sick.start_date <= day <= sick.end_date:
        reason = "Arbeitsunfähig seit mehr als drei Wochen"
        assignments.record_event(new_token(), provider, sick, EventKind.LONG_SICKNESS, day, reason)
