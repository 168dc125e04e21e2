"""Factories for test data: valid objects with sensible defaults, changed by keyword."""

from __future__ import annotations

import itertools
from dataclasses import astuple
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from flask import current_app

from portal.accounts.models import Organisation, OrgStatus, Role, Umbrella, User
from portal.accounts.passwords import hash_password
from portal.assignments.models import Assignment, AssignmentStatus, Participant
from portal.budget.models import BudgetYear
from portal.extensions import db
from portal.models import utcnow
from portal.offers.costs import CostInput, compute_costs
from portal.offers.models import Offer, OfferState, OfferType, OfferVersion, Site, VersionStatus
from portal.payments.models import BankAccount, BankAccountStatus
from portal.settlements.models import Settlement, SettlementLine, SettlementStatus

DEFAULT_PASSWORD = "ein langer Testsatz für alle"
# The city treasury's account that pays the payment runs in the tests (a valid German test IBAN).
TREASURY = {
    "SEPA_DEBTOR_NAME": "Stadtkasse Teststadt",
    "SEPA_DEBTOR_IBAN": "DE75512108001245126199",
    "SEPA_DEBTOR_BIC": "SOGEDEFFXXX",
}
_counter = itertools.count(1)
_default_hashes: dict[tuple[object, ...], str] = {}  # by the hashing parameters


def default_password_hash() -> str:
    """DEFAULT_PASSWORD hashed as the app hashes (PASSWORD_HASH_PARAMETERS), so that signing in does not re-hash."""
    parameters = astuple(current_app.config["PASSWORD_HASH_PARAMETERS"])
    if parameters not in _default_hashes:
        _default_hashes[parameters] = hash_password(DEFAULT_PASSWORD)
    return _default_hashes[parameters]


class Factories:
    """Rows as they exist before the action under test: committed, so that a service's rollback keeps them."""

    def organisation(self, **values: Any) -> Organisation:
        number = next(_counter)
        data: dict[str, Any] = {
            "name": f"Testträger {number} e. V.",
            "legal_form": "e. V.",
            "umbrella": Umbrella.DIAKONIE,
            "street": "Hauptstraße 1",
            "postal_code": "50667",
            "city": "Musterstadt",
            "phone": "0221 1234",
            "email": f"info{number}@traeger.example",
            "status": OrgStatus.VERIFIED,
            "iban": "DE89370400440532013000",
        }
        data.update(values)
        organisation = Organisation(**data)
        db.session.add(organisation)
        db.session.commit()
        return organisation

    def user(self, role: Role = Role.PROVIDER, **values: Any) -> User:
        number = next(_counter)
        data: dict[str, Any] = {
            "email": f"user{number}@example.org",
            "name": f"Person {number}",
            "role": role,
            "password_hash": values.pop("password_hash") if "password_hash" in values else default_password_hash(),
            "email_verified_at": utcnow(),
        }
        if role == Role.PROVIDER and "organisation" not in values:
            data["organisation"] = self.organisation()
        data.update(values)
        user = User(**data)
        db.session.add(user)
        db.session.commit()
        return user

    def provider(self, **values: Any) -> User:
        return self.user(Role.PROVIDER, **values)

    def staff(self, **values: Any) -> User:
        return self.user(Role.STAFF, **values)

    def offer(
        self, organisation: Organisation | None = None, status: VersionStatus = VersionStatus.DRAFT, **content: Any
    ) -> Offer:
        """An offer with one complete, valid AGH version (changed by keyword) in the given status."""
        offer = Offer(organisation=organisation or self.organisation())
        version = OfferVersion(offer=offer, number=1, status=status, **{**complete_agh_content(), **content})
        version.sites = [
            Site(
                position=0,
                name="Stadtteilzentrum",
                street="Marktplatz 1",
                postal_code="50667",
                district="Südstadt",
                places=version.places_total or 0,
            )
        ]
        costs = compute_costs(
            CostInput(
                places=version.places_total or 0,
                start=version.start_date,
                end=version.end_date,
                hours_per_week=version.hours_per_week,
                mae_rate=version.mae_rate or Decimal(0),
                mkp_per_place_month=version.mkp_supervision + version.mkp_material + version.mkp_social_work,
            )
        )
        version.total_cost = costs.total
        if status != VersionStatus.DRAFT:
            version.submitted_at = utcnow()
        db.session.add_all([offer, version])
        db.session.flush()
        if status == VersionStatus.APPROVED:
            offer.live_version, offer.state = version, OfferState.LIVE
        else:
            offer.working_version = version
        db.session.commit()
        return offer

    def live_offer(self, organisation: Organisation | None = None, months_ago: int = 4, **content: Any) -> Offer:
        """A live AGH offer that started `months_ago` months ago (on the 1st) and runs for a year."""
        first = date.today().replace(day=1)
        index = first.year * 12 + first.month - 1 - months_ago
        start = date(index // 12, index % 12 + 1, 1)
        values = {"start_date": start, "end_date": start + timedelta(days=364), **content}
        return self.offer(organisation, status=VersionStatus.APPROVED, **values)

    def assignment(self, offer: Offer, customer_number: str | None = None, **values: Any) -> Assignment:
        """A participant (new Kundennummer unless given) assigned for the offer's whole period, 20 h a week."""
        number = next(_counter)
        participant = Participant(
            organisation_id=offer.organisation_id,
            customer_number=customer_number or f"{number % 1000:03d}A{number:06d}",
            initials="M. K.",
        )
        version = offer.live_version or offer.current
        data: dict[str, Any] = {
            "start_date": version.start_date,
            "end_date": version.end_date,
            "weekly_hours": Decimal(20),
            "mae_rate": Decimal("1.50"),
            "site": "Stadtteilzentrum",
            "status": AssignmentStatus.ACTIVE,  # answered by the provider already
        }
        data.update(values)
        assignment = Assignment(offer=offer, participant=participant, **data)
        db.session.add(assignment)
        db.session.commit()
        return assignment

    def budget(self, year: int, amount: Decimal | int) -> BudgetYear:
        budget = BudgetYear(year=year, amount=Decimal(amount))
        db.session.add(budget)
        db.session.commit()
        return budget

    def bank_account(
        self, organisation: Organisation, iban: str = "DE89370400440532013000", **values: Any
    ) -> BankAccount:
        """A bank account of the organisation, confirmed by staff unless a status is given."""
        account = BankAccount(
            organisation=organisation,
            holder=values.pop("holder", organisation.name),
            iban=iban,
            status=values.pop("status", BankAccountStatus.CONFIRMED),
            **values,
        )
        db.session.add(account)
        db.session.commit()
        return account

    def released_settlement(self, organisation: Organisation, year: int, month: int, *totals: Decimal) -> Settlement:
        """A released settlement with one line per amount, each of a new live offer of the organisation."""
        lines = [SettlementLine(offer=self.live_offer(organisation), total=total) for total in totals]
        settlement = Settlement(
            organisation=organisation,
            year=year,
            month=month,
            status=SettlementStatus.RELEASED,
            released_at=utcnow(),
            total=sum(totals, Decimal(0)),
            lines=lines,
        )
        db.session.add(settlement)
        db.session.commit()
        return settlement


def complete_agh_content() -> dict[str, Any]:
    """Every field of a valid AGH application, starting in three months, for six months, 10 places."""
    start = date.today() + timedelta(days=90)
    return {
        "offer_type": OfferType.AGH_MAE,
        "title": "Pflege der Grünanlagen",
        "goal": "Tagesstruktur und Teamarbeit",
        "field_of_work": "gruenpflege",
        "tasks": "Rasen mähen, Beete pflegen",
        "start_date": start,
        "end_date": start + timedelta(days=181),
        "hours_per_week": Decimal(20),
        "hours_distribution": "Mo–Fr 8–12 Uhr",
        "places_total": 10,
        "target_groups": ["unter_25"],
        "requirements": "keine",
        "barrier_free": True,
        "supervision_ratio": "1:10",
        "supervisor_qualification": "Gärtnermeisterin",
        "social_work_concept": "Wöchentliche Sprechstunde",
        "qualification_percent": 20,
        "mae_rate": Decimal("1.50"),
        "mkp_supervision": Decimal(130),
        "mkp_material": Decimal(50),
        "mkp_social_work": Decimal(0),
        "criteria_rules": "2012",
        "justification_additional": "Sonst nicht erledigt",
        "justification_public_interest": "Für alle im Stadtteil",
        "justification_competition": "Kein Auftrag ersetzt",
        "contact_name": "Frau Beispiel",
        "contact_phone": "0221 1234",
        "contact_email": "kontakt@traeger.example",
    }
