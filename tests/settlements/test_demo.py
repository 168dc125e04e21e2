"""`portal demo-data` starts the first provider's settlement of its approved month, with one receipt."""

from __future__ import annotations

from decimal import Decimal

from flask import Flask
from sqlalchemy import select

from portal import storage
from portal.extensions import db
from portal.reports.models import ParticipationReport, ReportStatus
from portal.settlements.models import Settlement, SettlementStatus


def demo_data(app: Flask) -> str:
    result = app.test_cli_runner().invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_demo_has_a_draft_settlement_of_the_approved_month(app: Flask, clock) -> None:
    assert "Eine Demo-Abrechnung angelegt." in demo_data(app)
    [settlement] = db.session.scalars(select(Settlement).where(Settlement.status != SettlementStatus.PAID)).all()
    [approved] = db.session.scalars(select(ParticipationReport).filter_by(status=ReportStatus.APPROVED)).all()
    assert (settlement.status, settlement.year, settlement.month) == (
        SettlementStatus.DRAFT,
        approved.year,
        approved.month,
    )
    assert settlement.organisation.users[0].email == "admin@caritas.example"
    [line] = settlement.lines
    assert line.report_id == approved.id
    assert line.mae_refund == Decimal(approved.document["totals"]["mae_payable"])
    [receipt] = settlement.receipts
    assert line.material_claim == min(receipt.amount, line.proof_rate(receipt.kind) * line.place_months)
    assert storage.path_of("receipts", receipt.file_key) is not None
    assert "Demo-Abrechnung" not in demo_data(app)  # made once (the paid ones of earlier months: tests/budget)
