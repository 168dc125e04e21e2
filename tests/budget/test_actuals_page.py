"""The page of a year's actuals: figures, the offers that tie up the money, filters, sorting and the exports."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from portal.accounts.models import Role
from tests.accounts.helpers import text
from tests.budget.helpers import committed_offer, release

PAGE = "/portal/budget/2026"


@pytest.fixture
def offers(factories):
    """Three offers of 2026 (budget 100.000 €): Grünpflege of Träger A (12.000 €, 2.000 € released), Hauswirtschaft
    of Träger A (8.000 €), Handwerk of Träger B (5.000 €, 4.500 € released)."""
    factories.budget(2026, 100_000)
    admin = factories.user(Role.ADMIN)
    first, second = factories.organisation(name="Träger A"), factories.organisation(name="Träger B")
    made = [
        committed_offer(factories, admin, {2026: 12_000}, first, title="Parkpflege", field_of_work="gruenpflege"),
        committed_offer(factories, admin, {2026: 8_000}, first, title="Mittagstisch", field_of_work="hauswirtschaft"),
        committed_offer(factories, admin, {2026: 5_000}, second, title="Werkstatt", field_of_work="handwerk"),
    ]
    release(made[0], 2026, 1, 2000)
    release(made[2], 2026, 1, 4500)
    return made


def titles(page: str) -> list[str]:
    """The offers' titles in the order of the table."""
    body = page[page.find("<tbody") :] if "<tbody" in page else ""
    return sorted((name for name in ("Parkpflege", "Mittagstisch", "Werkstatt") if name in body), key=body.index)


def test_the_year_in_figures(browser, staff, offers):
    page = text(browser(staff).get(PAGE))
    assert "Eingliederungsbudget 2026: Ist-Stand" in page
    for label, amount in [
        ("Budget", "100.000,00 €"),
        ("Gebunden durch genehmigte Angebote", "25.000,00 €"),
        ("Davon durch Abrechnungen freigegeben", "6.500,00 €"),
        ("Davon noch gebunden", "18.500,00 €"),
        ("Frei (Budget minus gebunden)", "75.000,00 €"),
    ]:
        assert f'{label}</dt><dd class="kern-description-list-item__value kern-preline">{amount}</dd>' in page
    assert "<caption>3 Angebote binden Geld im Jahr 2026</caption>" in page


def test_the_index_links_each_year_with_its_released_money(browser, staff, offers):
    page = text(browser(staff).get("/portal/budget/"))
    assert 'href="/portal/budget/2026"' in page
    assert "6.500,00 €" in page


def test_sorted_by_what_is_still_bound_by_default(browser, staff, offers):
    page = text(browser(staff).get(PAGE))
    assert titles(page) == ["Parkpflege", "Mittagstisch", "Werkstatt"]  # 10.000, 8.000, 500 € still bound
    assert 'aria-sort="descending"' in page
    assert page.count("aria-sort=") == 1


@pytest.mark.parametrize(
    ("query", "order", "sort"),
    [
        ("sortierung=angebot&richtung=auf", ["Mittagstisch", "Parkpflege", "Werkstatt"], "ascending"),
        ("sortierung=angebot&richtung=ab", ["Werkstatt", "Parkpflege", "Mittagstisch"], "descending"),
        ("sortierung=freigegeben&richtung=ab", ["Werkstatt", "Parkpflege", "Mittagstisch"], "descending"),
        ("sortierung=gebunden&richtung=auf", ["Werkstatt", "Mittagstisch", "Parkpflege"], "ascending"),
        ("sortierung=traeger&richtung=ab", ["Werkstatt", "Parkpflege", "Mittagstisch"], "descending"),
        ("sortierung=unbekannt&richtung=quer", ["Parkpflege", "Mittagstisch", "Werkstatt"], "descending"),
    ],
)
def test_sorting_by_column(browser, staff, offers, query, order, sort):
    page = text(browser(staff).get(f"{PAGE}?{query}"))
    assert titles(page) == order
    assert f'aria-sort="{sort}"' in page


def test_a_column_link_turns_the_order_and_keeps_the_filters(browser, staff, offers):
    page = text(browser(staff).get(f"{PAGE}?bereich=gruenpflege&sortierung=angebot&richtung=auf"))
    assert "/portal/budget/2026?bereich=gruenpflege&amp;sortierung=angebot&amp;richtung=ab" in page
    assert "absteigend sortieren" in page


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("bereich=handwerk", ["Werkstatt"]),
        ("suche=tisch", ["Mittagstisch"]),
        ("suche=tr%C3%A4ger+b", ["Werkstatt"]),
        ("suche=100%25", []),
        ("bereich=unbekannt&traeger=abc", ["Parkpflege", "Mittagstisch", "Werkstatt"]),
    ],
)
def test_filters(browser, staff, offers, query, shown):
    page = text(browser(staff).get(f"{PAGE}?{query}"))
    assert titles(page) == shown
    if not shown:
        assert "Keine Angebote gefunden, die zu den Filtern passen." in page


def test_filter_by_provider(browser, staff, offers):
    organisation_id = offers[0].organisation_id
    page = text(browser(staff).get(f"{PAGE}?traeger={organisation_id}"))
    assert titles(page) == ["Parkpflege", "Mittagstisch"]
    assert f'<option selected value="{organisation_id}">Träger A</option>' in page


def test_a_too_long_search_is_refused_at_its_field(browser, staff, offers):
    page = text(browser(staff).get(f"{PAGE}?suche={'x' * 101}"))
    assert "Bitte geben Sie höchstens 100 Zeichen ein." in page
    assert titles(page) == ["Parkpflege", "Mittagstisch", "Werkstatt"]


def test_csv_export_as_filtered_and_sorted(browser, staff, offers):
    response = browser(staff).get(
        f"{PAGE}/angebote.csv?traeger={offers[0].organisation_id}&sortierung=angebot&richtung=auf"
    )
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "eingliederungsbudget-2026-angebote.csv" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig")), delimiter=";"))
    header = ["Angebot Nr.", "Angebot", "Träger", "Arbeitsfeld", "Stand", "Gebunden", "Freigegeben", "Noch gebunden"]
    assert rows[0] == header
    assert rows[1][1:5] == ["Mittagstisch", "Träger A", "Hauswirtschaft", "Genehmigt (veröffentlicht)"]
    assert rows[1][5:] == ["8000,00", "0,00", "8000,00"]
    assert rows[2][1:4] == ["Parkpflege", "Träger A", "Grünpflege"]
    assert rows[2][5:] == ["12000,00", "2000,00", "10000,00"]
    assert rows[3] == ["Summe", "", "", "", "", "20000,00", "2000,00", "18000,00"]
    assert len(rows) == 4


def test_xlsx_export(browser, staff, offers):
    response = browser(staff).get(f"{PAGE}/angebote.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    assert sheet.title == "Budget 2026"
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[1][1] == "Parkpflege"
    assert values[-1][0] == "Summe"
    assert [Decimal(str(value)) for value in values[-1][5:]] == [Decimal(25000), Decimal(6500), Decimal(18500)]


def test_unknown_year_and_format(browser, staff, offers):
    client = browser(staff)
    assert client.get("/portal/budget/2019").status_code == 404
    assert client.get("/portal/budget/2019/angebote.csv").status_code == 404
    assert client.get(f"{PAGE}/angebote.pdf").status_code == 404


def test_providers_may_not_see_it(browser, provider, offers):
    client = browser(provider)
    assert client.get(PAGE).status_code == 403
    assert client.get(f"{PAGE}/angebote.csv").status_code == 403
