"""`portal demo-data` begins the final report of the first provider's ended offer and leaves an assessment waiting."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from portal.assignments.models import EventKind
from portal.demo.offers import demo_providers
from portal.extensions import db
from portal.final_reports import queries
from portal.final_reports.models import FinalReport, FinalReportStatus, ReportKind
from portal.offers.models import OfferState


def demo_data(app: Flask) -> str:
    result = app.test_cli_runner().invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_demo_has_a_final_report_begun_and_an_assessment_waiting(app: Flask, clock) -> None:
    assert "Ein Demo-Sachbericht begonnen." in demo_data(app)
    [report] = db.session.scalars(select(FinalReport)).all()
    assert (report.kind, report.status, report.offer.state) == (
        ReportKind.FINAL,
        FinalReportStatus.DRAFT,
        OfferState.ENDED,
    )
    assert report.goals_reached
    assert not report.outlook  # left for the demo admin
    assert report.offer.organisation.users[0].email == "admin@caritas.example"
    waiting = [item for user in demo_providers() for item in queries.pending_assessments(user.organisation_id)]
    assert [item.events[-1].kind for item in waiting] == [EventKind.DROP_OUT]  # the second provider's drop-out
    assert "Demo-Sachbericht" not in demo_data(app)  # made once
