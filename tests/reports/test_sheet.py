"""The sheet (the grid checked cell by cell, with its totals) and the report document built from it.

The calculations themselves are tested in test_calc.py; here: the app's settings, the database objects around them
and that the document the PDF embeds follows its schema and carries the sheet's numbers.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

from portal.accounts.models import User
from portal.assignments import services as assignments
from portal.assignments.models import EventKind
from portal.extensions import db
from portal.offers.models import Offer
from portal.reports import services
from portal.reports.calc import DayCode
from portal.reports.document import DECLARATION, SCHEMA_URL, build_document
from portal.reports.sheet import build_sheet, calendar_of, holidays_of, mkp_per_place_month
from portal.submissions import new_token
from tests.reports.helpers import MONTH, YEAR, draft, fresh
from tests.reports.test_pdf import SCHEMA, check


def test_extra_free_days_come_from_the_settings(make_app, provider, offer, assigned):
    db.session.commit()
    other = make_app(EXTRA_HOLIDAYS=["2025-10-06", "2025-10-03", "2026-10-07"])
    with other.app_context():
        names = holidays_of(2025)
        assert names[date(2025, 10, 6)] == "Zusätzlicher freier Tag"
        assert names[date(2025, 10, 3)] == "Tag der Deutschen Einheit"  # a public holiday keeps its name
        assert date(2026, 10, 7) not in names  # another year's
        days = {day.number: day for day in calendar_of(2025, 10)}
        assert (days[6].holiday, days[6].weekend, days[4].weekend, days[7].holiday) == (
            "Zusätzlicher freier Tag",
            False,
            True,
            "",
        )
        user, own = db.session.get(User, provider.id), db.session.get(Offer, offer.id)
        assert user is not None
        assert own is not None
        report = draft(user, own)
        assert [report.lines[0].days[str(day)] for day in (3, 6, 7)] == ["F", "F", "4"]
        assert build_sheet(report).rows[0].totals.days_present == 21


def test_the_flat_fee_of_a_place_is_the_base_only(factories):
    assert mkp_per_place_month(None) == Decimal(0)
    version = factories.offer(mkp_supervision=Decimal(130), mkp_social_work=Decimal("12.50")).current
    assert mkp_per_place_month(version) == Decimal(130)  # material and social work: on proof, not with the report
    version.mkp_supervision = None
    assert mkp_per_place_month(version) == Decimal(0)


def test_the_sheet_adds_up(factories, provider, offer, assigned):
    half = factories.assignment(offer, start_date=date(2025, 10, 16), weekly_hours=Decimal(10))
    report = draft(provider, offer)
    lines = [line.id for line in report.lines]
    cells = {(lines[0], 6): "UE", (lines[0], 7): "UE", (lines[1], 8): "K", (lines[1], 9): "2,25", (lines[2], 16): "E"}
    services.save_grid(provider, report, cells, None)
    sheet = build_sheet(fresh(report))
    assert sheet.complete
    assert [row.label for row in sheet.rows] == [item.participant.pseudonym for item in [*assigned, half]]
    assert sheet.days_present == sum(row.totals.days_present for row in sheet.rows) == 20 + 21 + 11
    assert sheet.hours_worked == Decimal(80 + 82.25 + 22)
    assert sheet.mae_payable == Decimal("276.38")  # 184,25 h × 1,50 €, rounded once per participant
    assert [row.totals.counts[DayCode.UE] for row in sheet.rows] == [2, 0, 0]
    shares = [row.mkp for row in sheet.rows]
    # The base is 130 € (the factory's 50 € material are paid on proof): 130 € − 2 × 130 € ÷ 30 (8,67 €) = 121,33 €;
    # 130,00 €; 16 of 31 days × 130 € = 67,10 €.
    assert [share.claim for share in shares if share] == [Decimal("121.33"), Decimal("130.00"), Decimal("67.10")]
    assert sheet.totals.mkp_claim == sum((share.claim for share in shares if share), Decimal(0))
    assert sheet.totals.place_months == Decimal("2.52")  # 1 + 1 + 16/31


def test_no_mkp_after_a_non_entry(factories, provider, offer, assigned):
    assignments.record_event(new_token(), provider, assigned[1], EventKind.NON_ENTRY, date(2025, 10, 5), "")
    sheet = build_sheet(fresh(draft(provider, offer)))
    # The assignment ended on 4 October, but a non-entry fills no place: 0,00 €, and 130,00 € for the other one.
    assert [row.mkp.claim for row in sheet.rows if row.mkp] == [Decimal("130.00"), Decimal("0.00")]
    assert sheet.totals.place_months == Decimal("1.00")


def test_the_thirty_day_convention_is_a_setting(app, factories, provider, offer):
    factories.assignment(offer, start_date=date(2025, 10, 22))  # 10 days of October
    app.config["MKP_PRO_RATA"] = "30_day_month"
    # 10 ÷ 30 × 130 € = 43,33 € (by calendar days it would be 10 ÷ 31 × 130 € = 41,94 €)
    assert build_sheet(fresh(draft(provider, offer))).totals.mkp_claim == Decimal("43.33")


def test_the_document_follows_its_schema_and_carries_the_sheets_numbers(provider, offer, assigned):
    report = draft(provider, offer)
    services.save_grid(provider, report, {(report.lines[0].id, 6): "UE"}, None)
    assignments.record_event(new_token(), provider, assigned[1], EventKind.JOB, date(2025, 10, 24), "Lager, Vollzeit")
    sheet = build_sheet(fresh(report))
    confirmed = datetime(2025, 11, 3, 9, 15, tzinfo=UTC)
    document = build_document(fresh(report), sheet, provider, confirmed)
    schema = json.loads(SCHEMA.read_text())
    check(document, schema, schema["$defs"])
    assert (document["schema"], document["declaration"], document["confirmed_at"]) == (
        SCHEMA_URL,
        DECLARATION,
        "2025-11-03T09:15:00+00:00",
    )
    assert document["period"] == {"year": YEAR, "month": MONTH, "label": "Oktober 2025", "days_in_month": 31}
    assert document["report"]["due_date"] == "2025-11-10"
    assert [day["holiday"] for day in document["days"]][2] == "Tag der Deutschen Einheit"
    first, second = document["participants"]
    assert first["days"][:7] == ["4", "4", "F", "", "", "UE", "4"]
    assert second["days"][23:] == ["4", "-", "-", "-", "-", "-", "-", "-"]  # after the job: not assigned
    assert (second["assignment_end"], first["totals"]["unexcused_days"]) == ("2025-10-24", 1)
    assert document["events"] == [
        {
            "date": "2025-10-24",
            "customer_number": assigned[1].participant.customer_number,
            "initials": "M. K.",
            "kind": "Arbeitsaufnahme",
            "reason": "Lager, Vollzeit",
        }
    ]
    assert document["totals"]["mkp_claim"] == f"{sheet.totals.mkp_claim:.2f}"
    assert document["totals"]["hours_worked"] == f"{sheet.hours_worked:.2f}"


def test_weekends_and_holidays_are_off_and_every_typo_is_an_error(provider, offer, assigned):
    days = {day.number: day for day in calendar_of(2025, 10)}
    assert [days[number].off for number in (3, 4, 5, 6)] == [True, True, True, False]  # holiday, Sat, Sun, Mon
    report = draft(provider, offer)
    line = report.lines[0].id
    services.save_grid(provider, report, {(line, 6): "x1", (line, 7): "x1", (line, 8): "4"}, None)
    for _ in range(2):  # parsed texts are remembered; a text that is refused is refused every time
        cells = build_sheet(fresh(report)).rows[0].cells
        assert [bool(cell.error) for cell in cells[5:8]] == [True, True, False]
        assert cells[7].entry is not None
        assert cells[7].entry.hours == Decimal(4)
