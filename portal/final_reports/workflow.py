"""The table of an interim or final report's states: the provider submits, staff take it into check, ask for a
correction (it reopens with the reason shown) or approve it."""

from __future__ import annotations

from portal.final_reports.models import FINAL_REPORT_STATUS_LABELS
from portal.final_reports.models import FinalReportStatus as S
from portal.workflow import Workflow

TRANSITIONS: dict[tuple[str, S], S] = {
    ("submit", S.DRAFT): S.SUBMITTED,
    ("submit", S.CORRECTION_REQUESTED): S.SUBMITTED,
    ("check", S.SUBMITTED): S.IN_CHECK,
    ("request_correction", S.SUBMITTED): S.CORRECTION_REQUESTED,
    ("request_correction", S.IN_CHECK): S.CORRECTION_REQUESTED,
    ("approve", S.SUBMITTED): S.APPROVED,
    ("approve", S.IN_CHECK): S.APPROVED,
}

FINAL_REPORTS = Workflow(
    TRANSITIONS,
    FINAL_REPORT_STATUS_LABELS,
    audit="final_report_{}".format,
    changed_at="status_changed_at",
    stamps={S.SUBMITTED: "submitted_at", S.APPROVED: "approved_at"},
)
