"""Demo offers in every state, a budget, and any number of extra live offers for load and build tests.

The demo builds each state of its story directly, not through the workflows of portal/workflow.py: it invents
no history (audit entries of moves that never happened) and needs none of the steps in between.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from portal.accounts.models import Organisation, OrgStatus, Role, User
from portal.budget.models import BudgetYear, Commitment
from portal.extensions import db
from portal.models import utcnow
from portal.offers.costs import Costs
from portal.offers.models import DISTRICTS, FIELDS_OF_WORK, Offer, OfferState, OfferType, OfferVersion, Site
from portal.offers.models import VersionStatus as S
from portal.offers.services import costs_of
from portal.transactions import transactional

TITLES = {
    "gruenpflege": ("Pflege der Grünanlagen im Stadtpark", "Naturnahe Gestaltung von Schulhöfen"),
    "hauswirtschaft": ("Mittagstisch im Stadtteilzentrum", "Hauswirtschaftliche Hilfe im Seniorenheim"),
    "soziale_dienste": ("Begleitdienst für ältere Menschen", "Unterstützung in der Kleiderkammer"),
    "kultur": ("Mitarbeit in der Stadtteilbibliothek", "Aufbauhilfe beim Sommerfest der Kulturen"),
    "umwelt": ("Sauberer Rheinuferweg", "Fahrradwerkstatt für Geflüchtete"),
    "handwerk": ("Reparaturcafé im Quartier", "Instandsetzung von Spielgeräten"),
    "bildung": ("Hausaufgabenhilfe im Jugendtreff", "Lesepatenschaften in Grundschulen"),
    "sonstiges": ("Tafel-Ausgabestelle", "Fundgrube für Möbel"),
}
# The story of the hand-made demo offers: (title index, field, state of the offer, status of its version)
STORY = [
    ("gruenpflege", 0, S.APPROVED),
    ("hauswirtschaft", 0, S.APPROVED),
    ("soziale_dienste", 0, S.APPROVED),
    ("kultur", 0, S.APPROVED),
    ("umwelt", 0, S.APPROVED),
    ("handwerk", 0, S.APPROVED),
    ("bildung", 0, S.APPROVED),
    ("sonstiges", 0, S.APPROVED),
    ("gruenpflege", 1, S.APPROVED),
    ("hauswirtschaft", 1, S.APPROVED),
    ("soziale_dienste", 1, S.DRAFT),
    ("kultur", 1, S.SUBMITTED),
    ("umwelt", 1, S.IN_REVIEW),
    ("handwerk", 1, S.CHANGES_REQUESTED),
    ("bildung", 1, S.RESUBMITTED),
    ("sonstiges", 1, S.FIRST_APPROVED),
    ("gruenpflege", 0, S.REJECTED),
    ("hauswirtschaft", 0, S.WITHDRAWN),
]
# Story offers (by number) that started five months ago: the demo reports of both providers use them.
REPORTING_OFFERS = (1, 2)


@transactional
def load_demo_offers(extra: int = 0) -> int:
    """Create the demo story once, plus `extra` live offers each call. Returns how many offers were added."""
    providers = demo_providers()
    if not providers:
        return 0
    _budget()
    rng = random.Random(2026)  # noqa: S311 (demo variety, not security)
    added = 0
    if db.session.scalar(select(func.count(Offer.id))) == 0:
        for number, (field, index, status) in enumerate(STORY):
            _offer(providers[number % len(providers)], field, TITLES[field][index], status, rng, number)
            added += 1
        added += _story_extras(providers[0], rng)
    for number in range(extra):
        field = rng.choice(list(FIELDS_OF_WORK))
        _offer(
            providers[number % len(providers)],
            field,
            f"{rng.choice(TITLES[field])} ({number + 1})",
            S.APPROVED,
            rng,
            number,
        )
        added += 1
    return added


def demo_providers() -> list[User]:
    query = (
        select(User)
        .join(Organisation)
        .where(User.role == Role.PROVIDER, User.is_org_admin.is_(True), Organisation.status == OrgStatus.VERIFIED)
        .order_by(User.id)
    )
    return list(db.session.scalars(query))


def _budget() -> None:
    year = date.today().year
    for budget_year, amount in ((year, Decimal(3000000)), (year + 1, Decimal(3200000)), (year + 2, Decimal(3300000))):
        if db.session.get(BudgetYear, budget_year) is None:
            db.session.add(BudgetYear(year=budget_year, amount=amount))


def _offer(provider: User, field: str, title: str, status: S, rng: random.Random, number: int) -> Offer:
    offer = Offer(organisation_id=provider.organisation_id)
    version = _version(offer, provider, field, title, rng, number)
    version.status = status
    if status not in (S.DRAFT,):
        version.submitted_at = utcnow() - timedelta(days=rng.randint(1, 20))
        version.status_changed_at = version.submitted_at
    if status == S.FIRST_APPROVED:
        _above_four_eyes_threshold(version, provider)
    db.session.add_all([offer, version])
    db.session.flush()
    if status == S.APPROVED:
        _make_live(offer, version)
    else:
        offer.working_version = version
        offer.state = {S.REJECTED: OfferState.REJECTED, S.WITHDRAWN: OfferState.WITHDRAWN}.get(status, OfferState.OPEN)
        if status in (S.REJECTED, S.WITHDRAWN):
            offer.working_version = None
    return offer


def _above_four_eyes_threshold(version: OfferVersion, provider: User) -> None:
    """Twelve places for a year at the full flat fee: well above 50,000 €, so a second approval is due."""
    version.end_date = (version.start_date or date.today()) + timedelta(days=364)
    version.places_total = 12
    version.hours_per_week = Decimal(30)
    version.mkp_supervision, version.mkp_material, version.mkp_social_work = Decimal(130), Decimal(100), Decimal(160)
    for site in version.sites:
        site.places = 6
    version.total_cost = _costs(version).total
    staff = db.session.scalars(select(User).where(User.role == Role.STAFF).order_by(User.id)).first()
    version.first_approved_by_id = staff.id if staff else None


def _make_live(offer: Offer, version: OfferVersion) -> None:
    offer.live_version = version
    offer.state = OfferState.LIVE
    for year, amount in _costs(version).per_year.items():
        db.session.add(Commitment(offer_id=offer.id, offer_version_id=version.id, year=year, amount=amount))


def _version(offer: Offer, provider: User, field: str, title: str, rng: random.Random, number: int) -> OfferVersion:
    start = date.today() + timedelta(days=rng.randint(-120, 90))
    if number in REPORTING_OFFERS:
        start = date.today() - timedelta(days=150)  # long enough ago for months of participation reports
    offer_type = OfferType.AGH_MAE if number % 5 else rng.choice([OfferType.MUNICIPAL, OfferType.OTHER])
    places = rng.choice([4, 6, 8, 10, 12])
    districts = rng.sample(DISTRICTS, 2)
    version = OfferVersion(
        offer=offer,
        number=1,
        offer_type=offer_type,
        title=title,
        created_by_id=provider.id,
        municipal_kind="childcare" if offer_type == OfferType.MUNICIPAL else None,
        goal="Menschen ohne Arbeit erhalten eine sinnvolle Tätigkeit, eine feste Tagesstruktur und Anschluss an "
        "ein Team.",
        field_of_work=field,
        tasks=f"{title}: Mitarbeit im Team unter fachlicher Anleitung; einfache, abwechslungsreiche Aufgaben.",
        start_date=start,
        end_date=start + timedelta(days=rng.choice([182, 273, 364])),
        hours_per_week=Decimal(rng.choice([15, 20, 25, 30])),
        hours_distribution="Montag bis Freitag vormittags, nach Absprache",
        places_total=places,
        target_groups=rng.sample(
            ["unter_25", "alleinerziehende", "sprachfoerderung", "aeltere", "langzeitarbeitslose"], 2
        ),
        requirements="Keine besonderen Vorkenntnisse. Freude an der Arbeit im Team.",
        barrier_free=rng.random() < 0.5,
        supervision_ratio="1:8",
        supervisor_qualification="Fachkraft mit Ausbildung im Arbeitsfeld und pädagogischer Zusatzqualifikation",
        social_work_concept="Wöchentliche Sprechstunde der Sozialpädagogin, Hilfe bei Anträgen und Bewerbungen.",
        qualification_percent=20,
        mae_rate=Decimal("1.50") if offer_type == OfferType.AGH_MAE else None,
        mkp_supervision=Decimal(130),
        mkp_material=Decimal(50),
        mkp_social_work=Decimal(rng.choice([0, 80, 160])),
        criteria_rules="2012",
        justification_additional="Die Arbeiten würden ohne die Förderung nicht oder erst viel später erledigt.",
        justification_public_interest="Das Ergebnis kommt allen Bürgerinnen und Bürgern des Stadtteils zugute.",
        justification_competition="Es werden keine Aufträge an Firmen ersetzt; der Beirat hat zugestimmt.",
        contact_name=provider.name,
        contact_phone="0221 123456",
        contact_email=provider.email,
    )
    version.sites = [
        Site(
            position=0,
            name=f"Standort {districts[0]}",
            street="Marktplatz 1",
            postal_code="50667",
            district=districts[0],
            places=places // 2,
        ),
        Site(
            position=1,
            name=f"Standort {districts[1]}",
            street="Kirchweg 5",
            postal_code="50677",
            district=districts[1],
            places=places - places // 2,
        ),
    ]
    version.total_cost = _costs(version).total
    return version


def _costs(version: OfferVersion) -> Costs:
    costs = costs_of(version)
    if costs is None:
        raise ValueError(f"demo offer {version.title!r} lacks cost figures")
    return costs


def _story_extras(provider: User, rng: random.Random) -> int:
    """A live offer with a pending revision, and an ended one. Returns the number of offers added."""
    live = db.session.scalars(select(Offer).where(Offer.state == OfferState.LIVE).order_by(Offer.id)).first()
    if live is not None and live.live_version is not None:
        revision = _version(
            live, provider, live.live_version.field_of_work, live.live_version.title + " (erweitert)", rng, 1
        )
        revision.number = 2
        revision.status = S.SUBMITTED
        revision.submitted_at = utcnow() - timedelta(days=2)
        db.session.add(revision)
        db.session.flush()
        live.working_version = revision
    ended = _offer(provider, "kultur", "Ausstellungsaufsicht im Stadtmuseum", S.APPROVED, rng, 99)
    ended.state = OfferState.ENDED
    return 1
