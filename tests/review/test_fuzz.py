"""docs/security.md 16 for the review and budget forms: decisions, notes, the queue filter and the budget never give a
server error, whatever is sent; control characters get the German field error; valid input round-trips unchanged."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import select

from portal.budget.models import BudgetYear
from portal.budget.services import euro
from portal.extensions import db
from portal.offers.models import REVIEWABLE, ReviewNote, VersionStatus
from tests.accounts.helpers import location, text
from tests.html_check import Page
from tests.review.helpers import PATHS, audit_of, commitments_of, decide
from tests.strategies import FUZZ, lines, odd_date, odd_number, odd_value
from tests.test_forms_fuzz import CONTROLS, FIELD_ERROR, assert_no_server_error, clean_text

QUEUE = "/portal/pruefung/"
BUDGET = "/portal/budget/"
FIELDS = {"take": [], "approve": ["override_reason"], "changes": ["reason", "comment"], "reject": ["reason"]}
FIELDS["note"] = ["body"]
FILTERS = ["status", "art", "stadtteil", "traeger", "wartezeit", "bearbeitung", "sortierung"]
# The text of each decision that is typed, and what else the form needs to be accepted.
TEXTS = {
    ("note", "body"): {},
    ("changes", "comment"): {"reason": "other"},
    ("reject", "reason"): {},
    ("approve", "override_reason"): {},
}
TEXT_CASES = pytest.mark.parametrize(("form", "name"), list(TEXTS))


@pytest.fixture
def reviewer(browser, approver):
    """The team lead's browser: every decision form, the budget override and the budget form."""
    return browser(approver)


@FUZZ
@given(data=st.data(), form=st.sampled_from(list(PATHS)), version=st.one_of(st.none(), odd_value))
def test_no_decision_form_gives_a_server_error(reviewer, submitted, data, form, version):
    offer = submitted(status=data.draw(st.sampled_from(sorted(REVIEWABLE))))
    names = [*FIELDS[form], "status", "first_approved_by_id"]
    values = data.draw(st.dictionaries(st.sampled_from(names), odd_value, max_size=4))
    assert_no_server_error(decide(reviewer, offer, form, version=version, **values))
    assert_no_server_error(reviewer.get(f"/portal/pruefung/{offer.id}"))


@FUZZ
@given(query=st.fixed_dictionaries({}, optional=dict.fromkeys(FILTERS, st.one_of(odd_value, odd_number))))
@example(query={"traeger": "²"})  # a digit to str.isdigit, not to int()
@example(query={"traeger": "9" * 30})  # beyond any id
def test_the_queue_filter_never_gives_a_server_error(reviewer, query):
    assert_no_server_error(reviewer.get(QUEUE, query_string=query))


@FUZZ
@given(
    values=st.fixed_dictionaries(
        {}, optional=dict.fromkeys(["year", "amount", "version"], st.one_of(odd_value, odd_number))
    ),
    year=st.one_of(odd_number, odd_date, st.text(max_size=8)),
)
@example(values={"year": "2031", "amount": "1", "version": "²"}, year="²²²²")
@example(values={"year": "2031", "amount": "1", "version": "9" * 5000}, year="٢٠٣١")
def test_the_budget_form_never_gives_a_server_error(reviewer, values, year):
    assert_no_server_error(reviewer.post(BUDGET, data=values))
    assert_no_server_error(reviewer.get(BUDGET, query_string={"jahr": year}))


@TEXT_CASES
@FUZZ
@given(before=clean_text, control=st.sampled_from(CONTROLS), after=clean_text)
def test_a_control_character_in_a_decision_gets_the_german_field_error(
    reviewer, submitted, form, name, before, control, after
):
    offer = submitted()
    response = decide(reviewer, offer, form, **TEXTS[form, name], **{name: before + control + after})
    if control in "\t\n\r":  # every text of a decision is a text area
        assert FIELD_ERROR not in text(response)
        return
    assert response.status_code == 200
    assert FIELD_ERROR in text(response)
    assert f'id="{form}-{name}-error"' in text(response)
    assert offer.current.status == VersionStatus.SUBMITTED
    assert db.session.scalars(select(ReviewNote).where(ReviewNote.offer_id == offer.id)).all() == []


@FUZZ
@given(field=st.sampled_from(["year", "amount"]), control=st.sampled_from(CONTROLS))
def test_a_control_character_in_the_budget_gets_the_german_field_error(reviewer, field, control):
    values = {"year": "2031", "amount": "1.000,00", field: f"20{control}31"}
    response = reviewer.post(BUDGET, data=values)
    assert response.status_code == 200
    assert FIELD_ERROR in text(response)
    assert db.session.get(BudgetYear, 2031) is None


@TEXT_CASES
@FUZZ
@given(typed=lines)
def test_valid_decision_text_round_trips_unchanged(reviewer, provider, browser, submitted, form, name, typed):
    """Saved as typed (a note, a message to the provider, the reason of an override) and shown as typed."""
    offer = submitted()
    assert location(decide(reviewer, offer, form, **TEXTS[form, name], **{name: typed}))
    if form == "approve":  # no budget: the approval overrides it, with the reason
        assert {commitment.override_reason for commitment in commitments_of(offer)} == {typed}
        assert [entry.details for entry in audit_of(offer, "budget_override")] == [typed]
    else:
        [note] = db.session.scalars(select(ReviewNote).where(ReviewNote.offer_id == offer.id))
        assert note.body.endswith(typed)
    assert typed in Page(text(reviewer.get(f"/portal/pruefung/{offer.id}"))).content
    if form != "note":  # an internal note never reaches the provider (tests/review/test_decisions.py)
        assert typed in Page(text(browser(provider).get(f"/portal/angebote/{offer.id}"))).content


@FUZZ
@given(
    year=st.integers(min_value=2000, max_value=2099),
    amount=st.decimals(min_value=0, max_value=Decimal("999999999999.99"), places=2),
)
def test_a_valid_budget_round_trips_unchanged(reviewer, year, amount):
    written = euro(amount).removesuffix(" €")  # 2.500.000,50
    budget = db.session.get(BudgetYear, year)
    version = str(budget.version_id) if budget else ""
    response = reviewer.post(BUDGET, data={"year": str(year), "amount": written, "version": version})
    assert location(response).endswith(BUDGET)
    assert db.session.get(BudgetYear, year, populate_existing=True).amount == amount
    assert euro(amount) in Page(text(reviewer.get(BUDGET))).content
    assert Page(text(reviewer.get(BUDGET, query_string={"jahr": year}))).values["amount"] == written
