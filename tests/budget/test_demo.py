"""`portal demo-data` also makes paid settlements of earlier months, so that the budget shows released money."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from portal.budget.models import Release
from portal.budget.services import overview
from portal.extensions import db
from portal.settlements.models import Settlement, SettlementStatus


def demo_data(app) -> str:
    result = app.test_cli_runner().invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_demo_releases_money_once(app):
    assert "bezahlte Demo-Abrechnungen früherer Monate angelegt." in demo_data(app)
    paid = db.session.scalars(select(Settlement).where(Settlement.status == SettlementStatus.PAID)).all()
    assert paid
    for settlement in paid:
        released = db.session.scalar(
            select(func.sum(Release.amount)).where(Release.settlement_id == settlement.id)
        ) or Decimal(0)
        assert released == settlement.total == sum(line.total for line in settlement.lines) > 0
        assert settlement.document["period"]["year"] == settlement.year
    pairs = db.session.execute(select(Settlement.organisation_id, Settlement.year, Settlement.month)).all()
    assert len(pairs) == len(set(pairs))  # never a second settlement of a provider's month
    assert any(row.released > 0 for row in overview())
    before = db.session.scalar(select(func.count(Release.id)))
    assert "Demo-Abrechnungen" not in demo_data(app)
    assert db.session.scalar(select(func.count(Release.id))) == before
