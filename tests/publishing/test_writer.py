"""The Markdown writer and the open data files, without building."""

from __future__ import annotations

import csv
import json

import pytest

from portal.publishing.errors import PublishError
from portal.publishing.opendata import csv_cell, write_open_data
from portal.publishing.snapshot import OFFER_FIELDS, write_snapshot
from portal.publishing.wording import count_text, hours, period, places, yes_no
from portal.publishing.writer import Catalogue, fill_placeholders, offer_page, unique_slugs, write_catalogue
from tests.site.samples import sample_offer, sample_snapshot


def test_colliding_slugs_get_numbers_in_a_stable_order():
    assert unique_slugs(["Süd Stadt", "Süd-Stadt", "Südstadt", "süd stadt"]) == {
        "Süd Stadt": "sued-stadt",
        "Süd-Stadt": "sued-stadt-2",
        "Südstadt": "suedstadt",
        "süd stadt": "sued-stadt-3",
    }


def test_groups_are_sorted_and_counted():
    offers = [
        sample_offer(1, districts=["Überberg", "Altstadt"]),
        sample_offer(2, districts=["Altstadt"], target_groups=[], target_group_labels=[]),
    ]
    catalogue = Catalogue(sample_snapshot(offers))
    districts = catalogue.groups["stadtteile"]
    assert [(group.label, len(group.offers)) for group in districts] == [("Altstadt", 2), ("Überberg", 1)]
    assert districts[1].url == "angebote/stadtteile/ueberberg/"
    assert [group.key for group in catalogue.groups["zielgruppen"]] == ["alleinerziehende", "unter_25"]


def test_the_offer_page_is_front_matter_and_one_raw_html_block():
    page = offer_page(sample_offer(7, title='<b>"Garten"</b>'), Catalogue(sample_snapshot([sample_offer(7)])))
    front, body = page.split("---\n\n", 1)
    assert front == '---\ntitle: "‹b›”Garten”‹/b›"\n'
    assert body.startswith("\n<div")
    assert body.endswith("</div>\n")
    assert "\n\n" not in body.strip()  # a blank line would end the raw block
    assert '<h1 data-search-exclude="true">&lt;b&gt;&quot;Garten&quot;&lt;/b&gt;</h1>' in body


def test_a_catalogue_without_offers_still_has_every_page(tmp_path):
    docs = tmp_path / "docs"
    (docs / "angebote").mkdir(parents=True)
    (docs / "angebote" / "index.md").write_text("# Angebote", encoding="utf-8")
    (docs / "angebote" / "filtern.md").write_text("# Filtern", encoding="utf-8")

    assert write_catalogue(sample_snapshot([]), docs) == 3
    assert "Zurzeit gibt es **keine Angebote**" in (docs / "angebote" / "index.md").read_text(encoding="utf-8")
    assert "keine Angebote veröffentlicht" in (docs / "angebote" / "filtern.md").read_text(encoding="utf-8")
    assert "keine Angebote" in (docs / "angebote" / "stadtteile" / "index.md").read_text(encoding="utf-8")


def test_placeholders_come_from_mkdocs_extra(tmp_path):
    page = tmp_path / "impressum.md"
    page.write_text("{{ operator.name }} – {{operator.city}} – {{ portal_url }}", encoding="utf-8")
    fill_placeholders(
        tmp_path, {"operator": {"name": "ARGE <Musterstadt>", "city": "Musterstadt"}, "portal_url": "/p/"}
    )
    assert page.read_text(encoding="utf-8") == "ARGE &lt;Musterstadt&gt; – Musterstadt – /p/"


@pytest.mark.parametrize("extra", [{}, {"operator": "kein Mapping"}, {"operator": {"name": ["Liste"]}}])
def test_a_missing_placeholder_fails_with_its_name(tmp_path, extra):
    (tmp_path / "kontakt.md").write_text("Name: {{ operator.name }}", encoding="utf-8")
    with pytest.raises(PublishError, match=r"kontakt.md: Der Platzhalter \{\{ operator.name \}\} fehlt"):
        fill_placeholders(tmp_path, extra)


@pytest.mark.parametrize(
    ("function", "arguments", "expected"),
    [
        (count_text, (0,), "keine Angebote"),
        (count_text, (1,), "1 Angebot"),
        (count_text, (12,), "12 Angebote"),
        (hours, (19.5,), "19,5 Stunden pro Woche"),
        (hours, (None,), "keine Angabe"),
        (places, (3, 10), "3 von 10 Plätzen frei"),
        (places, (1, 1), "1 von 1 Platz frei"),
        (places, (0, 8), "zurzeit kein Platz frei (von 8)"),
        (places, (0, 0), "keine Angabe"),
        (period, ("2027-02-01", "2027-07-31"), "01.02.2027 bis 31.07.2027"),
        (period, ("2027-02-01", None), "ab 01.02.2027"),
        (period, (None, None), "keine Angabe"),
        (yes_no, (None,), "keine Angabe"),
    ],
)
def test_german_wording(function, arguments, expected):
    assert function(*arguments) == expected


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (None, ""),
        (True, "true"),
        (False, "false"),
        (19.5, "19.5"),
        (["Nordstadt", "Südstadt"], "Nordstadt; Südstadt"),
        (
            [{"name": "Park", "street": "Weg 1", "postal_code": "50667", "district": "Nord", "places": 2}],
            "Park, Weg 1, 50667 Nord (2)",
        ),
        ('=HYPERLINK("https://evil.example")', '\'=HYPERLINK("https://evil.example")'),
        ("- Rasen mähen", "'- Rasen mähen"),
        (["@SUM(1)"], "'@SUM(1)"),
        ("Text\x00mit\x1bSteuerzeichen", "TextmitSteuerzeichen"),
    ],
)
def test_csv_cells(value, cell):
    assert csv_cell(value) == cell


def test_open_data_files(tmp_path):
    snapshot = sample_snapshot([sample_offer(1), sample_offer(2, tasks="Zeile 1\nZeile 2, mit Komma")])
    write_snapshot(snapshot, tmp_path / "snapshot.json")
    write_open_data(snapshot, tmp_path / "snapshot.json", tmp_path / "daten")
    assert json.loads((tmp_path / "daten" / "angebote.json").read_text(encoding="utf-8")) == snapshot
    with (tmp_path / "daten" / "angebote.csv").open(encoding="utf-8", newline="") as source:
        rows = list(csv.reader(source))
    assert rows[0] == list(OFFER_FIELDS)
    assert rows[2][OFFER_FIELDS.index("tasks")] == "Zeile 1\nZeile 2, mit Komma"
