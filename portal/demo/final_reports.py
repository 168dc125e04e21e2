"""Demo final reports: the final report of the first provider's ended offer, begun as a draft with part of its
narrative, so that the demo admin can finish and submit it and staff review it. The assessment waiting is the
drop-out's of the demo reports (`portal.demo.reports`): it shows on the provider's list of pending assessments."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.demo.offers import demo_providers
from portal.extensions import db
from portal.final_reports import queries, services
from portal.final_reports.models import FinalReport


def load_demo_final_reports() -> int:
    """Begin the demo final report once. Returns the number of reports begun."""
    if db.session.scalar(select(func.count(FinalReport.id))):
        return 0
    providers = demo_providers()
    provider = providers[0] if providers else None
    if provider is None or provider.organisation_id is None:
        return 0
    due = queries.due_reports(provider.organisation_id, services.today())
    if not due:
        return 0
    report = services.start_report(provider, due[0].offer, due[0].period.kind, due[0].period.end)
    narrative = services.Narrative(
        goals_reached="Die Teilnehmenden haben eine feste Tagesstruktur gefunden; zwei haben eine Arbeit begonnen.",
        course="Aufsicht in drei Ausstellungsräumen, Einweisung durch das Museumsteam, wöchentliche Teamrunde.",
    )
    services.save(provider, report, narrative, None)
    return 1
