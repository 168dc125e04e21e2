"""The built site: every page type, open data that matches the offers, provider text as literal text, the checks."""

from __future__ import annotations

import csv
import json
import posixpath
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from portal.publishing import checks
from portal.publishing.checks import allowed_scripts, check_site
from portal.publishing.opendata import csv_cell
from portal.publishing.snapshot import OFFER_FIELDS
from portal.publishing.text import page_title
from tests.site.helpers import SOURCES, read_page
from tests.site.samples import PAYLOADS, UNIQUE_WORD, visible

HAND_WRITTEN = (
    "ueber-uns",
    "traeger",
    "faq",
    "kontakt",
    "leichte-sprache",
    "offene-daten",
    "barrierefreiheit",
    "impressum",
    "datenschutz",
)
PAGE_TYPES = (
    "index.html",
    "404.html",
    "angebote/index.html",
    "angebote/filtern/index.html",
    "angebote/1/index.html",
    "angebote/einsatzfelder/index.html",
    "angebote/einsatzfelder/gruenpflege/index.html",
    "angebote/stadtteile/index.html",
    "angebote/stadtteile/suedstadt/index.html",
    "angebote/zielgruppen/index.html",
    "angebote/zielgruppen/unter-25/index.html",
    *(f"{page}/index.html" for page in HAND_WRITTEN),
)
HOSTILE = [(100 + number, payload) for number, payload in enumerate(PAYLOADS)]


def test_every_page_type_is_built(built_site):
    files = [*PAGE_TYPES, "daten/angebote.json", "daten/angebote.csv", "search/search_index.json"]
    files += ["assets/fonts/fira-sans.css", "assets/fonts/fira-sans/FiraSans-Regular.woff2"]
    assert [path for path in files if not (built_site.root / path).is_file()] == []


def test_the_contributor_docs_stay_out_of_the_site(built_site):
    """docs/ of the project (architecture, domain, security list) is for contributors, not for the public site."""
    contributor_pages = {path.stem for path in (SOURCES.root / "docs").glob("*.md")}
    assert contributor_pages >= {"architecture", "domain", "security"}
    built = {path.relative_to(built_site.root).parts[0] for path in built_site.root.iterdir()}
    assert built.isdisjoint(contributor_pages)
    search_index = (built_site.root / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "Security and reliability requirements" not in search_index


def test_the_served_folder_is_a_link_to_the_run(built_site):
    assert built_site.site_dir.is_symlink()
    assert built_site.root.parent.parent == built_site.site_dir.parent / "publish"


def test_open_data_json_is_the_snapshot(built_site):
    data = json.loads((built_site.root / "daten" / "angebote.json").read_text(encoding="utf-8"))
    assert data == built_site.snapshot
    assert all(tuple(offer) == OFFER_FIELDS for offer in data["offers"])


def test_open_data_csv_has_the_same_rows(built_site):
    with (built_site.root / "daten" / "angebote.csv").open(encoding="utf-8", newline="") as source:
        rows = list(csv.DictReader(source))
    offers = built_site.snapshot["offers"]
    assert len(rows) == len(offers)
    for row, offer in zip(rows, offers, strict=True):
        assert tuple(row) == OFFER_FIELDS
        assert row == {field: csv_cell(offer[field]) for field in OFFER_FIELDS}


def test_every_url_of_the_open_data_resolves(built_site):
    offers = built_site.snapshot["offers"]
    assert [offer["url"] for offer in offers if not (built_site.root / offer["url"] / "index.html").is_file()] == []


def test_the_open_data_page_documents_every_field(built_site):
    page = read_page(built_site.root / "offene-daten" / "index.html").text
    site_fields = ("name", "street", "postal_code", "district", "places")
    fields = ("schema_version", "generated", "offers", *OFFER_FIELDS, *site_fields)
    assert [field for field in fields if field not in page] == []
    assert "Datenlizenz Deutschland – Namensnennung – Version 2.0" in page


def _local_target(root: Path, page: Path, link: str) -> Path | None:
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or link.startswith(("#", "/portal/")) or not parts.path:
        return None
    base = "" if parts.path.startswith("/") else page.parent.relative_to(root).as_posix()
    path = root / posixpath.normpath(posixpath.join(base, parts.path.lstrip("/")))
    return path / "index.html" if parts.path.endswith("/") or path.is_dir() else path


def test_every_link_and_resource_on_every_page_resolves(built_site):
    root = built_site.root
    broken = []
    for page_file in root.rglob("*.html"):
        page = read_page(page_file)
        for link in page.links + page.resources:
            target = _local_target(root, page_file, link)
            if target is not None and not target.is_file():
                broken.append(f"{page_file.relative_to(root)} → {link}")
    assert broken == []


@pytest.mark.parametrize(("offer_id", "payload"), HOSTILE, ids=[f"payload-{number}" for number, _ in HOSTILE])
def test_provider_text_shows_as_literal_text(built_site, offer_id, payload):
    page = read_page(built_site.root / "angebote" / str(offer_id) / "index.html")
    expected = visible(payload)
    # title, provider, contact, goal, tasks, requirements, hours, notes, site name/street/postcode/district, website
    assert page.text.count(expected) >= 12
    assert page.title == f"{page_title(payload)} - Angebote der ARGE"
    assert not set("<>&\"'") & set(page_title(payload))


def test_provider_text_is_literal_in_lists_and_group_pages(built_site):
    listing = read_page(built_site.root / "angebote" / "filtern" / "index.html").text
    assert [payload for _, payload in HOSTILE if visible(payload)[:100] not in listing] == []


def test_provider_text_cannot_add_markup(built_site):
    """No element or attribute from a payload exists in any page: the HTML check finds nothing."""
    assert check_site(built_site.root, allowed_scripts(SOURCES.site / "assets")) == []
    html = "".join(path.read_text(encoding="utf-8") for path in built_site.root.rglob("*.html"))
    assert not re.search(r"<(svg|img|style)\b[^>]*(onload|onerror|display:none)", html)


def test_every_page_is_checked_tag_by_tag(built_site, monkeypatch):
    """The pages are plain markup, payloads and all: none has to be parsed as a whole, which would be slow."""
    parsed_whole: list[str] = []
    monkeypatch.setattr(checks, "check_page", lambda page, *_args: parsed_whole.append(page) or [])
    assert checks.check_site(built_site.root, allowed_scripts(SOURCES.site / "assets")) == []
    assert parsed_whole == []


def test_search_finds_offers_by_words_of_their_description(built_site):
    index = json.loads((built_site.root / "search" / "search_index.json").read_text(encoding="utf-8"))
    offers = {doc["location"]: doc for doc in index["docs"] if re.fullmatch(r"angebote/\d+/", doc["location"])}
    assert UNIQUE_WORD in offers["angebote/2/"]["text"]
    assert len(offers) == len(built_site.snapshot["offers"])  # one entry per offer keeps the index small
    assert not any("Auf einen Blick" in doc["text"] for doc in offers.values())


def test_no_page_or_stylesheet_refers_to_another_host(built_site):
    root = built_site.root
    resources = [link for page in root.rglob("*.html") for link in read_page(page).resources]
    assert [link for link in resources if urlsplit(link).netloc] == []
    stylesheets = "".join(path.read_text(encoding="utf-8") for path in root.rglob("*.css"))
    assert not re.search(r"url\(\s*['\"]?(https?:)?//|@import", stylesheets)


def test_the_accessibility_statement_is_linked_from_every_page(built_site):
    root = built_site.root
    statement = root / "barrierefreiheit" / "index.html"
    missing = [
        page
        for page in root.rglob("*.html")
        if statement not in {_local_target(root, page, link) for link in read_page(page).links}
    ]
    assert missing == []


def test_a_planted_script_fails_the_check(built_site, tmp_path):
    copy = tmp_path / "site"
    shutil.copytree(built_site.root, copy)
    planted = {
        "angebote/1/index.html": "<script>alert(1)</script>",
        "angebote/2/index.html": '<p onclick="alert(1)">x</p>',
        "index.html": '<a href="javascript:alert(1)">x</a>',
        "faq/index.html": '<script src="https://evil.example/x.js"></script>',
    }
    for path, html in planted.items():
        page = copy / path
        page.write_text(page.read_text(encoding="utf-8").replace("</article>", html + "</article>"), encoding="utf-8")
    problems = check_site(copy, allowed_scripts(SOURCES.site / "assets"))
    assert sorted({problem.page for problem in problems}) == sorted(planted)
