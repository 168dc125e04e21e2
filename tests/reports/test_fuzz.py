"""docs/security.md 16 for the report forms: the assignment, the event, the grid, the start of a month, the submission,
the scan upload and the decision never give a server error, whatever is sent; valid input round-trips unchanged.

A Hypothesis example runs inside the test's transaction, so the examples of one test share its data; what an
example adds is removed again where the next one would trip over it.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import delete, select

from portal.assignments import rules
from portal.assignments.models import Assignment, Event, Participant
from portal.extensions import db
from portal.reports import services
from portal.reports.calc import CODE_VALUES, DayCode
from portal.reports.models import ParticipationReport, ReportStatus
from tests import pdfs
from tests.html_check import Page
from tests.reports.helpers import (
    OFFER_END,
    OFFER_START,
    draft,
    fresh,
    grid_form,
    grid_url,
    location,
    page,
    participants_url,
    text,
    upload,
)
from tests.strategies import FUZZ, odd_number, odd_value
from tests.test_forms_fuzz import any_text, assert_no_server_error

ASSIGNMENT_FIELDS = ["customer_number", "initials", "start_date", "end_date", "weekly_hours", "mae_rate", "site"]
ASSIGNMENT_FIELDS += ["weekdays", "extension_reason", "participant_id", "offer_id"]
VALID_ASSIGNMENT = {
    "customer_number": "123A456789",
    "initials": "M. K.",
    "start_date": "01.10.2025",
    "end_date": "31.12.2025",
    "weekly_hours": "20",
    "mae_rate": "1,50",
    "site": "Stadtteilzentrum",
    "weekdays": "Mo–Fr",
}
CODES = sorted(CODE_VALUES - {DayCode.PRESENT.value})
CLEAN = pdfs.clean_pdf()


@pytest.fixture
def own(browser, provider):
    return browser(provider)


@pytest.fixture
def desk(browser, staff):
    return browser(staff)


def forget_assignments(offer) -> None:
    """Remove what an example added, so that the next one starts from the same offer."""
    ids = select(Assignment.id).where(Assignment.offer_id == offer.id)
    db.session.execute(delete(Event).where(Event.assignment_id.in_(ids)))
    db.session.execute(delete(Assignment).where(Assignment.offer_id == offer.id))
    db.session.execute(delete(Participant))
    db.session.commit()


@FUZZ
@given(values=st.dictionaries(st.sampled_from(ASSIGNMENT_FIELDS), odd_value, max_size=6))
@example(values={"customer_number": "١٢٣A٤٥٦٧٨٩"})
@example(values={"weekly_hours": "1e309", "mae_rate": "NaN"})
@example(values={"start_date": "9999-12-31", "end_date": "0001-01-01"})
def test_the_assignment_form_never_gives_a_server_error(desk, offer, values):
    response = desk.post(f"/portal/angebote/{offer.id}/zuweisungen/neu", data={**VALID_ASSIGNMENT, **values})
    assert_no_server_error(response)
    for assignment in db.session.scalars(select(Assignment)):
        assert rules.check_customer_number(assignment.participant.customer_number) is None
        assert OFFER_START <= assignment.start_date <= assignment.end_date <= OFFER_END
        assert Decimal(0) < assignment.weekly_hours <= 30
    forget_assignments(offer)


@FUZZ
@given(
    number=st.tuples(st.integers(0, 999), st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), st.integers(0, 999_999)),
    spacing=st.sampled_from(["{}{}{}", "{} {} {}", "{}-{}-{}", " {}{}{} "]),
    initials=st.lists(st.sampled_from("ABCDEFGHIJKLMNOPRSTUVWZÄÖÜ"), min_size=1, max_size=3),
    dots=st.booleans(),
    start=st.dates(OFFER_START, OFFER_END),
    days=st.integers(0, 365),
    hours=st.decimals(Decimal("0.5"), Decimal(30), places=1),
    rate=st.decimals(Decimal(1), Decimal("2.5"), places=2),
)
def test_a_valid_assignment_round_trips(desk, offer, number, spacing, initials, dots, start, days, hours, rate):
    digits, letter, tail = number
    typed_number = spacing.format(f"{digits:03d}", letter.lower(), f"{tail:06d}")
    typed_initials = " ".join(letter + ("." if dots else "") for letter in initials)
    end = min(start + timedelta(days=days), OFFER_END)
    form = {
        **VALID_ASSIGNMENT,
        "customer_number": typed_number,
        "initials": typed_initials,
        "start_date": f"{start:%d.%m.%Y}",
        "end_date": end.isoformat(),
        "weekly_hours": str(hours).replace(".", ","),
        "mae_rate": str(rate).replace(".", ","),
    }
    assert location(desk.post(f"/portal/angebote/{offer.id}/zuweisungen/neu", data=form)) == participants_url(offer)
    [assignment] = db.session.scalars(select(Assignment))
    stored_number = f"{digits:03d}{letter}{tail:06d}"
    assert (assignment.participant.customer_number, assignment.participant.initials) == (stored_number, typed_initials)
    assert (assignment.start_date, assignment.end_date, assignment.weekly_hours, assignment.mae_rate) == (
        start,
        end,
        hours,
        rate,
    )
    assert f"{stored_number} ({typed_initials})" in Page(page(desk, participants_url(offer))).content
    forget_assignments(offer)


@FUZZ
@given(values=st.dictionaries(st.sampled_from(["kind", "event_date", "reason", "offer_id"]), odd_value, max_size=4))
@example(values={"kind": "drop_out", "event_date": "15.10.2025", "reason": "\x00"})
@example(values={"kind": "non_entry", "event_date": "2025-07-01"})
def test_the_event_form_never_gives_a_server_error(own, assigned, values):
    response = own.post(f"/portal/zuweisungen/{assigned[0].id}/meldung", data=values)
    assert_no_server_error(response)
    for event in db.session.scalars(select(Event)):
        assert fresh_assignment(event.assignment_id).start_date <= event.event_date or event.kind.value == "non_entry"


def fresh_assignment(assignment_id: int) -> Assignment:
    found = db.session.get(Assignment, assignment_id, populate_existing=True)
    assert found is not None
    return found


def cell_name(line_ids: list[int]) -> st.SearchStrategy[str]:
    """Names of grid cells: the report's own, other lines, days the month lacks, and names that are no cells."""
    own_cells = st.builds(lambda line, day: f"c-{line}-{day}", st.sampled_from(line_ids), st.integers(-1, 40))
    other = st.builds(lambda line, day: f"c-{line}-{day}", st.integers(0, 10**30), st.integers(1, 31))
    return st.one_of(own_cells, other, any_text, st.sampled_from(["c--1", "c-1", "c-x-1", "c-1-1-1", "fill", "action"]))


@FUZZ
@given(data=st.data())
def test_the_grid_never_gives_a_server_error(own, provider, offer, assigned, data):
    report = draft(provider, offer)
    line_ids = [line.id for line in report.lines]
    values = data.draw(st.dictionaries(cell_name(line_ids), odd_value, max_size=12))
    action = data.draw(st.sampled_from(["save", "check", "autosave", "", "x" * 300]))
    version = data.draw(st.one_of(st.just(str(fresh(report).version_id)), odd_number, any_text))
    fill = data.draw(st.one_of(st.sampled_from([str(line) for line in line_ids]), odd_number, any_text))
    response = own.post(grid_url(report), data={**values, "action": action, "version_id": version, "fill": fill})
    assert_no_server_error(response)
    assert fresh(report).status is ReportStatus.DRAFT
    assert_no_server_error(own.get(grid_url(report)))
    assert_no_server_error(own.get(grid_url(report, "/einreichen")))


@FUZZ
@given(data=st.data())
def test_valid_cells_round_trip(own, provider, offer, assigned, data):
    report = draft(provider, offer)
    form = grid_form(page(own, grid_url(report)))
    cells = sorted(name for name in form if name.startswith("c-"))
    hours = st.decimals(Decimal("0.01"), Decimal(24), places=2).map(lambda value: str(value).replace(".", ","))
    typed = data.draw(st.dictionaries(st.sampled_from(cells), st.one_of(st.sampled_from(CODES), hours), max_size=10))
    response = own.post(grid_url(report), data={**form, **typed, "action": "save"})
    assert response.status_code == 200
    shown = Page(text(response)).values
    assert {name: shown[name] for name in typed} == typed
    stored = fresh(report)
    lines = {line.id: line.days for line in stored.lines}
    for name, value in typed.items():
        _, line, day = name.split("-")
        assert lines[int(line)][day] == value


@FUZZ
@given(values=st.dictionaries(st.sampled_from(["offer_id", "year", "month"]), odd_value, max_size=3))
@example(values={"offer_id": str(10**20), "year": "2025", "month": "10"})
@example(values={"offer_id": "-1", "year": "2025", "month": "10"})
@example(values={"year": "99999999999999999999", "month": "1"})
def test_starting_a_month_never_gives_a_server_error(own, offer, assigned, values):
    data = {"offer_id": str(offer.id), "year": "2025", "month": "10", **values}
    assert_no_server_error(own.post("/portal/berichte/neu", data=data))


@FUZZ
@given(values=st.dictionaries(st.sampled_from(["confirm", "version_id", "status"]), odd_value, max_size=3))
@example(values={"confirm": "y"})  # without the version counter: refused as outdated
def test_the_submission_never_gives_a_server_error(own, september, values):
    before, shown = fresh(september).status, str(fresh(september).version_id)
    response = own.post(grid_url(september, "/einreichen"), data=values)
    assert_no_server_error(response)
    if fresh(september).status is not before:  # only the form as shown submits (then the examples after see a PDF)
        assert (bool(values.get("confirm")), values.get("version_id")) == (True, shown), values


@pytest.fixture
def september(provider, offer, assigned) -> ParticipationReport:
    return draft(provider, offer, 2025, 9)


@pytest.fixture
def submitted(provider, offer, assigned) -> ParticipationReport:
    report = draft(provider, offer)
    services.submit_report(provider, report, None, confirmed=True)
    return fresh(report)


@FUZZ
@given(
    values=st.dictionaries(
        st.sampled_from(["decision", "reason", "version_id", "decided_by_id"]), odd_value, max_size=4
    )
)
@example(values={"decision": "reject", "reason": "\u202e" * 3000})
def test_the_decision_never_gives_a_server_error(browser, staff, submitted, values):
    before = fresh(submitted)
    status, version = before.status, str(before.version_id)
    response = browser(staff).post(grid_url(submitted, "/entscheidung"), data=values)
    assert_no_server_error(response)
    if fresh(submitted).status is not status:  # only with the version counter as shown
        assert values.get("version_id") == version, values


@FUZZ
@given(content=st.one_of(st.binary(max_size=200), st.binary(max_size=200).map(lambda data: b"%PDF-1.4\n" + data)))
@example(content=b"%PDF-")
def test_the_scan_upload_never_gives_a_server_error(own, submitted, content):
    response = upload(own, submitted, content, "scan.pdf")
    assert_no_server_error(response)
    assert fresh(submitted).scan_key == ""  # none of it is a readable PDF


@FUZZ
# A browser sends no file without a name; werkzeug keeps only what follows the last backslash (old browsers sent
# the whole Windows path), so a name ending in one is no name either.
@given(name=any_text.filter(lambda name: name.rpartition("\\")[2] != ""))
def test_any_file_name_is_stored_safely(own, submitted, name):
    assert location(upload(own, submitted, CLEAN, name)) == grid_url(submitted)
    stored = fresh(submitted).scan_name
    assert stored.lower().endswith(".pdf")
    assert all(char.isalnum() or char in "._- " for char in stored)
    assert not stored.startswith(".")
