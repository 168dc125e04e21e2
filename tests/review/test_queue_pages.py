"""The review queue in pages: page size, the page navigation, filters kept across pages, odd page numbers."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient

from portal.extensions import db
from portal.offers.models import OfferType, Site
from portal.review.queries import PAGE_SIZE, QueueFilter, review_queue
from tests.accounts.helpers import text

QUEUE = "/portal/pruefung/"
TITLES = [f"Werkstatt {number:02d}" for number in range(PAGE_SIZE + 2)]  # two pages, the second with two rows


@pytest.fixture
def queue(browser, staff, submitted) -> FlaskClient:
    """A queue of two pages whose default order (longest waiting first) is that of TITLES."""
    for number, title in enumerate(TITLES):
        submitted(title=title, waiting=timedelta(days=len(TITLES) - number, hours=1))
    return browser(staff)


def shown(page: str) -> list[str]:
    return [title for title in TITLES if title in page]


def link(page: str, rel: str) -> dict[str, list[str]] | None:
    """The query parameters of the link to the previous ("prev") or next ("next") page, None without one."""
    found = re.search(rf'rel="{rel}" href="([^"]+)"', page)
    if found is None:
        return None
    address = urlsplit(unescape(found.group(1)))
    assert address.path == QUEUE
    return parse_qs(address.query)


def test_first_page_shows_the_first_rows_the_count_and_a_link_to_the_next(queue):
    page = text(queue.get(QUEUE))
    assert shown(page) == TITLES[:PAGE_SIZE]
    assert f"{len(TITLES)} Anträge in der Prüfliste, Seite 1 von 2" in page
    assert '<nav aria-label="Seiten der Prüfliste">' in page
    assert "Seite 1 von 2</li>" in page
    assert link(page, "prev") is None
    assert link(page, "next") == {"seite": ["2"]}
    assert 'aria-label="Nächste Seite (Seite 2 von 2)">Nächste Seite</a>' in page


def test_second_page_shows_the_next_rows_and_a_link_back(queue):
    page = text(queue.get(QUEUE, query_string={"seite": "2"}))
    assert shown(page) == TITLES[PAGE_SIZE:]
    assert f"{len(TITLES)} Anträge in der Prüfliste, Seite 2 von 2" in page
    assert link(page, "next") is None
    assert link(page, "prev") == {}  # the first page has the plain address
    assert 'aria-label="Vorherige Seite (Seite 1 von 2)">Vorherige Seite</a>' in page


def test_links_to_other_pages_keep_filters_and_sorting(queue, submitted):
    submitted(title="Anderer Art", offer_type=OfferType.OTHER)
    query = {"art": "agh_mae", "sortierung": "titel", "bearbeitung": "", "traeger": "abc"}

    page = text(queue.get(QUEUE, query_string=query))

    assert shown(page) == TITLES[:PAGE_SIZE]  # A to Z, without the other type
    assert link(page, "next") == {"art": ["agh_mae"], "sortierung": ["titel"], "traeger": ["abc"], "seite": ["2"]}
    second = text(queue.get(QUEUE, query_string={**query, "seite": "2"}))
    assert shown(second) == TITLES[PAGE_SIZE:]
    assert link(second, "prev") == {"art": ["agh_mae"], "sortierung": ["titel"], "traeger": ["abc"]}


def test_the_filter_form_starts_again_on_the_first_page(queue):
    page = text(queue.get(QUEUE, query_string={"seite": "2"}))
    assert 'name="seite"' not in page


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("0", 1),
        ("-3", 1),
        ("abc", 1),
        ("1.5", 1),
        ("", 1),
        ("3", 2),
        ("99999999999999999999", 2),
        pytest.param("9" * 5000, 1, id="too-long-for-a-number"),
    ],
)
def test_page_numbers_out_of_range_or_invalid_show_the_nearest_page(queue, number, expected):
    response = queue.get(QUEUE, query_string={"seite": number})
    assert response.status_code == 200
    page = text(response)
    assert f"Seite {expected} von 2</li>" in page
    assert shown(page) == (TITLES[:PAGE_SIZE] if expected == 1 else TITLES[PAGE_SIZE:])


def test_one_page_needs_no_page_navigation(browser, staff, submitted):
    submitted(title="Einziger Antrag")
    page = text(browser(staff).get(QUEUE, query_string={"seite": "4"}))
    assert "1 Antrag in der Prüfliste</caption>" in page
    assert "Einziger Antrag" in page
    assert "Seiten der Prüfliste" not in page


def test_empty_queue_on_a_later_page(browser, staff):
    response = browser(staff).get(QUEUE, query_string={"seite": "2"})
    assert response.status_code == 200
    assert "Zurzeit wartet nichts auf eine Entscheidung" in text(response)


def test_query_returns_a_page_with_its_number_and_total(app, staff, submitted):
    for number, title in enumerate(TITLES):
        submitted(title=title, waiting=timedelta(days=len(TITLES) - number, hours=1))

    first, second, beyond = (review_queue(QueueFilter(), staff.id, number) for number in (1, 2, 7))

    assert [item.title for item in first.items] == TITLES[:PAGE_SIZE]
    assert [item.title for item in second.items] == TITLES[PAGE_SIZE:]
    assert (first.number, first.total, first.pages) == (1, len(TITLES), 2)
    assert (beyond.number, beyond.items) == (2, second.items)


def test_districts_of_a_row_are_sorted_and_listed_once(app, staff, submitted, browser):
    offer = submitted(title="Zwei Stadtteile")
    version = offer.current
    for position, district in enumerate(("Hafen", "Altstadt", "Hafen", ""), start=1):
        version.sites.append(
            Site(position=position, name="Ort", street="Weg 1", postal_code="50667", district=district, places=1)
        )
    submitted(title="Ohne Stadtteil").current.sites[0].district = ""
    db.session.commit()

    items = {item.title: item for item in review_queue(QueueFilter(), staff.id).items}

    assert items["Zwei Stadtteile"].districts == ["Altstadt", "Hafen", "Südstadt"]
    assert items["Ohne Stadtteil"].districts == []
    assert "Stadtteil: Altstadt, Hafen, Südstadt" in text(browser(staff).get(QUEUE))
