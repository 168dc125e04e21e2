"""Budget changes: setting a year's budget and committing an approved offer's cost."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import delete, func, select

from portal.accounts.models import Role, User
from portal.audit.services import record
from portal.budget.models import BudgetYear, Commitment, Release
from portal.errors import ServiceError
from portal.extensions import db
from portal.offers.models import Offer, OfferVersion
from portal.templating import euro
from portal.transactions import RETRY, check_version, transactional


@dataclass(frozen=True)
class YearRow:
    year: int
    total: Decimal
    committed: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.total - self.committed


def committed(year: int, exclude_offer: int | None = None) -> Decimal:
    query = select(func.coalesce(func.sum(Commitment.amount), 0)).where(Commitment.year == year)
    if exclude_offer is not None:
        query = query.where(Commitment.offer_id != exclude_offer)
    return Decimal(db.session.scalar(query) or 0)


def overview() -> list[YearRow]:
    years = db.session.scalars(select(BudgetYear).order_by(BudgetYear.year)).all()
    per_year = select(Commitment.year, func.sum(Commitment.amount)).group_by(Commitment.year)
    sums: dict[int, Decimal] = dict(db.session.execute(per_year).all())
    known = {budget.year for budget in years}
    rows = [YearRow(budget.year, budget.amount, Decimal(sums.get(budget.year) or 0)) for budget in years]
    rows += [YearRow(year, Decimal(0), Decimal(amount)) for year, amount in sums.items() if year not in known]
    return sorted(rows, key=lambda row: row.year)


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
