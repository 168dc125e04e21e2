"""Budget changes: setting a year's budget, committing an approved offer's cost, releasing the rest of an offer
that ends early, and recording what settlements released."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import delete, func, select

from portal.accounts.models import Role, User
from portal.audit.services import record
from portal.budget.models import BudgetYear, Commitment, Release
from portal.errors import ServiceError
from portal.extensions import db
from portal.offers.costs import CENT, months_per_year
from portal.offers.models import Offer, OfferVersion
from portal.templating import euro
from portal.transactions import RETRY, check_version, transactional


@dataclass(frozen=True)
class YearRow:
    year: int
    total: Decimal
    committed: Decimal
    released: Decimal = Decimal(0)

    @property
    def remaining(self) -> Decimal:
        return self.total - self.committed

    @property
    def bound(self) -> Decimal:
        """Committed but not yet released by a settlement."""
        return max(self.committed - self.released, Decimal(0))


def committed(year: int, exclude_offer: int | None = None) -> Decimal:
    query = select(func.coalesce(func.sum(Commitment.amount), 0)).where(Commitment.year == year)
    if exclude_offer is not None:
        query = query.where(Commitment.offer_id != exclude_offer)
    return Decimal(db.session.scalar(query) or 0)


def overview() -> list[YearRow]:
    """Every year with a budget or a commitment: budget, committed, released (three statements)."""
    budgets = dict(db.session.execute(select(BudgetYear.year, BudgetYear.amount)).all())
    sums = _per_year(Commitment)
    releases = _per_year(Release)
    years = sorted(set(budgets) | set(sums))
    return [
        YearRow(year, Decimal(budgets.get(year, 0)), Decimal(sums.get(year, 0)), Decimal(releases.get(year, 0)))
        for year in years
    ]


def _per_year(model: type[Commitment] | type[Release]) -> dict[int, Decimal]:
    return dict(db.session.execute(select(model.year, func.sum(model.amount)).group_by(model.year)).all())


@transactional(on_duplicate=RETRY)  # the parallel twin of a new year finds it set with its own amount
def set_budget(actor: User, year: int, amount: Decimal, expected: int | None) -> None:
    """Set a year's budget. The same amount again (a double click, a resent form) changes nothing and is no error."""
    if amount < 0:
        raise ServiceError("Das Budget darf nicht negativ sein.", field="amount")
    budget = db.session.get(BudgetYear, year)
    if budget is not None and budget.amount == amount:
        return
    if budget is None:
        budget = BudgetYear(year=year, amount=amount, updated_by_id=actor.id)
        db.session.add(budget)
        previous = "–"
    else:
        if expected is None:  # the form for a new year: someone set it meanwhile, or the form was sent twice
            raise ServiceError(
                f"Für {year} ist bereits ein Budget festgelegt. Bitte ändern Sie es über „Budget {year} ändern“ "
                "in der Tabelle.",
                field="year",
            )
        check_version(budget, expected)
        previous = f"{budget.amount}"
        budget.amount = amount
        budget.updated_by_id = actor.id
    record("budget_set", actor=actor, obj=budget, details=f"{year}: {previous} → {amount}")


def shortfalls(offer: Offer, per_year: dict[int, Decimal]) -> list[str]:
    """German sentences for every year the offer's cost would not fit into the remaining budget."""
    problems = []
    for year, amount in sorted(per_year.items()):
        budget = db.session.get(BudgetYear, year)
        if budget is None:
            problems.append(f"Für {year} ist noch kein Eingliederungsbudget festgelegt.")
            continue
        remaining = budget.amount - committed(year, exclude_offer=offer.id)
        if amount > remaining:
            problems.append(f"{year}: Das Angebot kostet {euro(amount)}, es sind aber nur noch {euro(remaining)} frei.")
    return problems


def may_override(actor: User) -> bool:
    """The team lead and the administration may approve beyond the budget, with a recorded reason."""
    return actor.role in (Role.APPROVER, Role.ADMIN)


def commit_offer(actor: User, version: OfferVersion, per_year: dict[int, Decimal], override_reason: str) -> None:
    """Bind the approved version's cost per year; refuse beyond the budget unless an approver overrides."""
    problems = shortfalls(version.offer, per_year)
    if problems and not override_reason.strip():
        raise ServiceError("Die Genehmigung überschreitet das Budget. " + " ".join(problems), field="override_reason")
    if problems and not may_override(actor):
        raise ServiceError("Nur die Teamleitung kann das Budget mit Begründung überschreiten.", field="override_reason")
    db.session.execute(delete(Commitment).where(Commitment.offer_id == version.offer_id))
    for year, amount in per_year.items():
        db.session.add(
            Commitment(
                offer_id=version.offer_id,
                offer_version_id=version.id,
                year=year,
                amount=amount,
                created_by_id=actor.id,
                override_reason=override_reason.strip(),
            )
        )
    if problems:
        record("budget_override", actor=actor, obj=version.offer, details=override_reason.strip())


def record_release(settlement_id: int, offer_id: int, year: int, amount: Decimal) -> None:
    """A released settlement spends `amount` of the offer's money in `year` (the budget's actuals). The caller
    commits it with the release."""
    db.session.add(Release(settlement_id=settlement_id, offer_id=offer_id, year=year, amount=amount))


def kept_after_end(
    committed: Decimal, released: Decimal, year: int, start: date, planned_end: date, ended_on: date
) -> Decimal:
    """What an offer that ends early still binds in `year`: its commitment pro rata to the months it ran in that
    year (partial months by their days), never less than its settlements released in that year (the last month's
    settlement comes after the end)."""
    planned = months_per_year(start, planned_end).get(year, Decimal(0))
    ran = months_per_year(start, min(ended_on, planned_end)).get(year, Decimal(0)) if ended_on >= start else Decimal(0)
    share = (committed * ran / planned).quantize(CENT, rounding=ROUND_HALF_UP) if planned else Decimal(0)
    return max(min(share, committed), released)


def release_rest(actor: User, *, offer: Offer, on: date, **_extra: Any) -> None:
    """Connected to `offers.workflow.ended_early`: lower the ended offer's commitments to what it still binds, in
    the transaction that ends it; each lowered year is written to the audit log."""
    version = offer.live_version
    if version is None or version.start_date is None or version.end_date is None:
        return
    released = dict(
        db.session.execute(
            select(Release.year, func.sum(Release.amount)).where(Release.offer_id == offer.id).group_by(Release.year)
        ).all()
    )
    changes = []
    for commitment in db.session.scalars(select(Commitment).where(Commitment.offer_id == offer.id)):
        kept = kept_after_end(
            commitment.amount,
            Decimal(released.get(commitment.year, 0)),
            commitment.year,
            version.start_date,
            version.end_date,
            on,
        )
        if kept != commitment.amount:
            changes.append(f"{commitment.year}: {euro(commitment.amount)} → {euro(kept)}")
            commitment.amount = kept
    if changes:
        record("budget_released", actor=actor, obj=offer, details=f"beendet am {on:%d.%m.%Y}; " + ", ".join(changes))
