"""The budget page: total, committed and remaining per year; the team lead sets a year's budget."""

from __future__ import annotations

from decimal import Decimal

import pytest

from portal.budget.forms import parse_euro
from portal.budget.models import BudgetYear
from portal.budget.services import euro, overview
from portal.extensions import db
from portal.offers.models import VersionStatus
from portal.offers.services import costs_of
from tests.accounts.helpers import audit, text
from tests.review.helpers import budget_for, decide

PAGE = "/portal/budget/"


def row(page: str, year: int) -> str:
    """The table row of one year."""
    start = page.index(f'">{year}<span class="kern-sr-only">: Ist-Stand und Angebote</span></a></th>')
    return page[start : page.index("</tr>", start)]


def test_page_adds_up_after_approvals(browser, staff, submitted):
    offers = [submitted(title="Eins"), submitted(title="Zwei", places_total=4)]
    budget_for(offers[0].current, amount=1_000_000)
    client = browser(staff)
    for offer in offers:
        assert decide(client, offer, "approve").status_code == 302
    page = text(client.get(PAGE))
    assert "<caption>Eingliederungsbudget je Jahr: festgelegt, gebunden, freigegeben und frei</caption>" in page
    lines = overview()
    assert lines
    for line in lines:
        shares = [costs_of(offer.live_version).per_year.get(line.year, Decimal(0)) for offer in offers]
        assert line.committed == sum(shares, Decimal(0)) > 0
        assert line.total - line.committed == line.remaining
        cells = row(page, line.year)
        assert "1.000.000,00 €" in cells
        assert euro(line.committed) in cells
        assert euro(line.remaining) in cells


def test_staff_see_numbers_but_no_form(browser, staff, factories):
    factories.budget(2031, Decimal("1234.5"))
    page = text(browser(staff).get(PAGE))
    assert "1.234,50 €" in row(page, 2031)
    assert "Budget für ein Jahr festlegen" not in page
    assert "ändern" not in row(page, 2031)


def test_empty_page(browser, staff):
    assert "Es ist noch für kein Jahr ein Eingliederungsbudget festgelegt." in text(browser(staff).get(PAGE))


def test_years_with_commitments_but_no_budget_show_as_overdrawn(browser, staff, approver, submitted):
    offer = submitted()
    assert decide(browser(approver), offer, "approve", override_reason="Ausnahme").status_code == 302
    page = text(browser(staff).get(PAGE))
    assert "überschritten" in page


def test_approver_sets_a_new_year_with_a_german_amount(browser, approver):
    client = browser(approver)
    page = text(client.get(PAGE))
    assert 'for="year"' in page
    assert 'for="amount"' in page
    assert "<legend" in page
    response = client.post(PAGE, data={"year": "2031", "amount": "2.500.000,50 €", "version": ""})
    assert response.status_code == 302
    assert "Das Eingliederungsbudget für 2031 ist gespeichert: 2.500.000,50 €." in text(client.get(PAGE))
    assert db.session.get(BudgetYear, 2031).amount == Decimal("2500000.50")


def test_approver_changes_a_year_through_its_link(browser, approver, factories):
    factories.budget(2032, 1000)
    db.session.commit()
    client = browser(approver)
    assert 'href="/portal/budget/?jahr=2032#year"' in text(client.get(PAGE))
    page = text(client.get(PAGE, query_string={"jahr": "2032"}))
    assert 'value="1.000,00"' in page
    assert 'name="version" type="hidden" value="1"' in page
    assert client.post(PAGE, data={"year": "2032", "amount": "1500", "version": "1"}).status_code == 302
    assert db.session.get(BudgetYear, 2032).amount == Decimal(1500)
    assert [entry.details for entry in audit("budget_set")] == ["2032: 1000.00 → 1500"]


def test_a_stale_budget_form_is_a_conflict(browser, approver, factories):
    factories.budget(2033, 1000)
    db.session.commit()
    client = browser(approver)
    assert client.post(PAGE, data={"year": "2033", "amount": "2000", "version": "1"}).status_code == 302
    response = client.post(PAGE, data={"year": "2033", "amount": "3000", "version": "1"})
    assert "Jemand anderes hat diese Daten inzwischen geändert." in text(response)
    assert db.session.get(BudgetYear, 2033).amount == Decimal(2000)


@pytest.mark.parametrize(
    ("year", "amount", "message"),
    [
        ("", "100", "Bitte geben Sie das Jahr an."),
        ("31", "100", "Bitte geben Sie das Jahr mit vier Ziffern an"),
        ("2031", "", "Bitte geben Sie den Betrag an."),
        ("2031", "zehn", "Bitte geben Sie einen Betrag in Euro an"),
        ("2031", "1234.50", "Bitte geben Sie einen Betrag in Euro an"),
        ("2031", "-5", "Bitte geben Sie einen Betrag in Euro an"),
        ("2031", "1000000000000", "Der Betrag ist zu groß."),
    ],
)
def test_invalid_input_is_explained_at_the_field(browser, approver, year, amount, message):
    response = browser(approver).post(PAGE, data={"year": year, "amount": amount})
    assert response.status_code == 200
    page = text(response)
    assert message in page
    assert "Bitte korrigieren Sie die folgende Angabe" in page
    assert db.session.get(BudgetYear, 2031) is None


def test_unknown_year_in_the_link_gives_an_empty_form(browser, approver):
    for value in ("1999", "abc", "99999999999999999999"):
        page = text(browser(approver).get(PAGE, query_string={"jahr": value}))
        assert 'name="year" required type="text" value=""' in page


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("2.500.000,50", Decimal("2500000.50")),
        ("2500000,5", Decimal("2500000.5")),
        ("1.234", Decimal(1234)),
        ("12 345,00 €", Decimal("12345.00")),
        ("0", Decimal(0)),
        ("1234.50", None),
        ("1,2,3", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_euro(written, value):
    assert parse_euro(written) == value


def test_who_may_do_what(browser, provider, staff, submitted):
    offer = submitted()
    provider_client, staff_client = browser(provider), browser(staff)
    paths = [("get", "/portal/pruefung/"), ("get", f"/portal/pruefung/{offer.id}"), ("get", PAGE), ("post", PAGE)]
    paths += [
        ("post", f"/portal/pruefung/{offer.id}/{action}")
        for action in ("uebernehmen", "genehmigen", "aenderungen", "ablehnen", "notiz")
    ]
    for method, path in paths:
        assert getattr(provider_client, method)(path).status_code == 403, path
    assert staff_client.post(PAGE, data={"year": "2031", "amount": "1"}).status_code == 403
    assert db.session.get(BudgetYear, 2031) is None
    assert offer.current.status == VersionStatus.SUBMITTED
