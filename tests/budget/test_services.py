"""The integration budget: years, commitments of approved offers, refusal beyond the budget and the override."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.accounts.models import Role
from portal.audit.models import AuditEntry
from portal.budget.models import BudgetYear, Commitment
from portal.budget.services import commit_offer, committed, euro, overview, set_budget, shortfalls
from portal.errors import ConflictError, ServiceError
from portal.extensions import db
from portal.offers.models import VersionStatus


@pytest.fixture
def version(factories):
    """An approved offer's version, to commit money for."""
    return factories.offer(status=VersionStatus.APPROVED).live_version


def commitments(offer_id):
    query = select(Commitment).where(Commitment.offer_id == offer_id).order_by(Commitment.year)
    return db.session.scalars(query).all()


def audit(action):
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


# --- budget years ---------------------------------------------------------------------------------


def test_set_budget_creates_and_changes_a_year(factories):
    admin = factories.user(Role.ADMIN)
    set_budget(admin, 2031, Decimal("100000.00"), None)
    budget = db.session.get(BudgetYear, 2031)
    set_budget(admin, 2031, Decimal("120000.00"), budget.version_id)
    assert db.session.get(BudgetYear, 2031).amount == Decimal("120000.00")
    assert [entry.details for entry in audit("budget_set")] == [
        "2031: – → 100000.00",
        "2031: 100000.00 → 120000.00",
    ]
    assert {entry.actor_id for entry in audit("budget_set")} == {admin.id}


def test_a_stale_budget_form_is_a_conflict(factories):
    budget = factories.budget(2031, 5000)
    with pytest.raises(ConflictError):
        set_budget(factories.user(Role.ADMIN), 2031, Decimal(1), budget.version_id + 1)
    assert budget.amount == 5000
    assert audit("budget_set") == []


def test_a_negative_budget_is_refused(factories):
    with pytest.raises(ServiceError, match="nicht negativ") as refused:
        set_budget(factories.user(Role.ADMIN), 2031, Decimal(-1), None)
    assert refused.value.field == "amount"
    assert db.session.get(BudgetYear, 2031) is None


def test_the_overview_adds_up(factories):
    approver = factories.user(Role.APPROVER)
    factories.budget(2030, 1000)
    factories.budget(2031, 500)
    for per_year in ({2030: Decimal(300), 2031: Decimal(100)}, {2031: Decimal(50), 2032: Decimal(20)}):
        offer = factories.offer(status=VersionStatus.APPROVED)
        commit_offer(approver, offer.live_version, per_year, "Sondermittel")
    rows = {row.year: (row.total, row.committed, row.remaining) for row in overview()}
    assert rows == {
        2030: (1000, 300, 700),
        2031: (500, 150, 350),
        2032: (0, 20, -20),  # money bound in a year without a budget still shows
    }
    assert [row.year for row in overview()] == [2030, 2031, 2032]
    assert sum(row.committed for row in overview()) == sum(c.amount for c in db.session.scalars(select(Commitment)))
    assert committed(2031) == 150


# --- shortfalls and commitments -------------------------------------------------------------------


def test_shortfalls_name_each_year_that_does_not_fit(factories, version):
    factories.budget(2030, 1000)
    factories.budget(2031, Decimal("1234.56"))
    assert shortfalls(version.offer, {2030: Decimal(1000), 2031: Decimal(1000)}) == []
    assert shortfalls(version.offer, {2030: Decimal("1000.01"), 2031: Decimal(1500), 2032: Decimal(1)}) == [
        "2030: Das Angebot kostet 1.000,01 €, es sind aber nur noch 1.000,00 € frei.",
        "2031: Das Angebot kostet 1.500,00 €, es sind aber nur noch 1.234,56 € frei.",
        "Für 2032 ist noch kein Eingliederungsbudget festgelegt.",
    ]


def test_other_offers_use_up_the_budget(factories, version):
    factories.budget(2030, 1000)
    staff = factories.staff()
    commit_offer(staff, factories.offer(status=VersionStatus.APPROVED).live_version, {2030: Decimal(700)}, "")
    assert shortfalls(version.offer, {2030: Decimal(300)}) == []
    assert len(shortfalls(version.offer, {2030: Decimal(301)})) == 1


def test_commit_binds_the_cost_per_year(factories, version):
    factories.budget(2030, 1000)
    factories.budget(2031, 1000)
    staff = factories.staff()
    commit_offer(staff, version, {2030: Decimal(600), 2031: Decimal(400)}, "")
    rows = [
        (c.year, c.amount, c.offer_version_id, c.created_by_id, c.override_reason)
        for c in commitments(version.offer_id)
    ]
    assert rows == [(2030, 600, version.id, staff.id, ""), (2031, 400, version.id, staff.id, "")]
    assert audit("budget_override") == []


def test_a_revision_replaces_the_offers_commitments(factories, version):
    factories.budget(2030, 1000)
    staff = factories.staff()
    commit_offer(staff, version, {2030: Decimal(900)}, "")
    # the approved revision costs more: only the other offers' commitments count against it
    commit_offer(staff, version, {2030: Decimal(1000)}, "")
    assert [(c.year, c.amount) for c in commitments(version.offer_id)] == [(2030, 1000)]


def test_commit_beyond_the_budget_is_refused(factories, version):
    factories.budget(2030, 1000)
    with pytest.raises(ServiceError, match=r"überschreitet das Budget\. 2030: Das Angebot kostet") as refused:
        commit_offer(factories.user(Role.APPROVER), version, {2030: Decimal(1001)}, "   ")
    assert refused.value.field == "override_reason"
    assert commitments(version.offer_id) == []


def test_staff_cannot_override_the_budget(factories, version):
    factories.budget(2030, 1000)
    with pytest.raises(ServiceError, match="Nur die Teamleitung"):
        commit_offer(factories.staff(), version, {2030: Decimal(1001)}, "dringend")
    assert commitments(version.offer_id) == []


@pytest.mark.parametrize("role", [Role.APPROVER, Role.ADMIN])
def test_an_approver_or_admin_overrides_with_a_reason(factories, version, role):
    actor = factories.user(role)
    commit_offer(actor, version, {2030: Decimal(5000)}, "  Nachtragshaushalt beschlossen ")
    assert [(c.amount, c.override_reason) for c in commitments(version.offer_id)] == [
        (5000, "Nachtragshaushalt beschlossen")
    ]
    [entry] = audit("budget_override")
    assert (entry.actor_id, entry.object_id, entry.details) == (
        actor.id,
        str(version.offer_id),
        "Nachtragshaushalt beschlossen",
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal(0), "0,00 €"),
        (Decimal("1234.5"), "1.234,50 €"),
        (Decimal("1234567.891"), "1.234.567,89 €"),
        (Decimal("-50"), "-50,00 €"),
    ],
)
def test_euro_is_written_the_german_way(value, text):
    assert euro(value) == text
