"""The generated Markdown pages of the catalogue, written from the snapshot into the staging docs folder.

Pages: one per offer (angebote/<id>/), an overview and one page per value for each grouping (field of work,
district, target group), and generated sections appended to the hand-written catalogue start page and filter page.
Every provider string goes through portal.publishing.text: escaped inside raw HTML blocks, or as a sanitized
front-matter title. Offer pages are not in `nav` (mkdocs.yml `not_in_nav`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from portal.publishing.errors import PublishError
from portal.publishing.snapshot import Snapshot
from portal.publishing.text import front_matter, paragraphs, relative_url, slugify, sort_key, text, web_link
from portal.publishing.wording import count_text, hours, period, places, places_here, yes_no
from portal.templating import de_date, de_datetime

Offer = dict[str, Any]
CATALOGUE_URL = "angebote/"
FILTER_URL = "angebote/filtern/"
HOURS_CHOICES = (10, 15, 20, 25, 30)
UNINDEXED = '<span data-search-exclude="true">{}</span>'  # shown, but kept out of the search index
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}")
HOW_TO_JOIN = (
    "<p>Sie möchten mitmachen? Sprechen Sie mit Ihrer Ansprechpartnerin oder Ihrem Ansprechpartner bei der ARGE. "
    "Die ARGE klärt mit Ihnen, ob das Angebot passt, und meldet Sie beim Träger an.</p>"
)


@dataclass(frozen=True)
class Grouping:
    """A way to list offers: by field of work, district or target group."""

    folder: str  # below angebote/
    title: str  # of the overview page
    heading: str  # of the section on the catalogue start page
    one: str  # title of one group's page; {} is the group's label
    values: Callable[[Offer], list[tuple[str, str]]]  # (key, label) pairs of an offer
    filter_name: str = ""  # query parameter of the filter page, if it can filter by this grouping


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    url: str
    offers: list[Offer]


FIELDS = Grouping(
    "einsatzfelder",
    "Angebote nach Einsatzfeld",
    "Nach Einsatzfeld",
    "Angebote im Einsatzfeld {}",
    lambda offer: [(offer["field_of_work"], offer["field_of_work_label"])] if offer["field_of_work"] else [],
    "einsatzfeld",
)
DISTRICTS = Grouping(
    "stadtteile",
    "Angebote nach Stadtteil",
    "Nach Stadtteil",
    "Angebote im Stadtteil {}",
    lambda offer: [(district, district) for district in offer["districts"]],
    "stadtteil",
)
TARGET_GROUPS = Grouping(
    "zielgruppen",
    "Angebote nach Zielgruppe",
    "Nach Zielgruppe",
    "Angebote für die Zielgruppe {}",
    lambda offer: list(zip(offer["target_groups"], offer["target_group_labels"], strict=True)),
)
GROUPINGS = (FIELDS, DISTRICTS, TARGET_GROUPS)


class Catalogue:
    """The offers of a snapshot with their groups; every group has a stable, unique URL."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.offers: list[Offer] = snapshot["offers"]
        self.generated = datetime.fromisoformat(snapshot["generated"])
        self.groups = {grouping.folder: _groups(grouping, self.offers) for grouping in GROUPINGS}
        self._urls = {(folder, group.key): group.url for folder, groups in self.groups.items() for group in groups}
        self._items: dict[tuple[int, str], str] = {}

    def url(self, grouping: Grouping, key: str) -> str:
        return self._urls[(grouping.folder, key)]

    def item(self, offer: Offer, prefix: str) -> str:
        """An offer's list item, written once per link prefix: an offer is listed on up to a dozen pages."""
        key = (offer["id"], prefix)
        if key not in self._items:
            self._items[key] = _offer_item(offer, self, prefix)
        return self._items[key]

    def slug(self, grouping: Grouping, key: str) -> str:
        return self.url(grouping, key).rstrip("/").rsplit("/", 1)[-1]


def _groups(grouping: Grouping, offers: list[Offer]) -> list[Group]:
    members: dict[str, list[Offer]] = {}
    labels: dict[str, str] = {}
    for offer in offers:
        for key, label in dict.fromkeys(grouping.values(offer)):
            members.setdefault(key, []).append(offer)
            labels[key] = label
    slugs = unique_slugs(members)
    groups = [Group(key, labels[key], f"angebote/{grouping.folder}/{slugs[key]}/", members[key]) for key in members]
    return sorted(groups, key=lambda group: sort_key(group.label))


def unique_slugs(keys: Iterable[str]) -> dict[str, str]:
    """A slug per key; keys whose slugs collide get -2, -3 … in sorted order, so URLs are stable."""
    slugs: dict[str, str] = {}
    for key in sorted(keys):
        base = slug = slugify(key)
        number = 2
        while slug in slugs.values():
            slug, number = f"{base}-{number}", number + 1
        slugs[key] = slug
    return slugs


# --- writing -------------------------------------------------------------------------------------------------------


def write_catalogue(snapshot: Snapshot, docs: Path) -> int:
    """Write every generated page into `docs`; returns the number of pages written."""
    catalogue = Catalogue(snapshot)
    pages = {offer["url"] + "index.md": offer_page(offer, catalogue) for offer in catalogue.offers}
    for grouping in GROUPINGS:
        pages[f"angebote/{grouping.folder}/index.md"] = group_overview(grouping, catalogue)
        for group in catalogue.groups[grouping.folder]:
            pages[group.url + "index.md"] = group_page(grouping, group, catalogue)
    for path, content in pages.items():
        target = docs / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    _append(docs / "angebote" / "index.md", catalogue_overview(catalogue))
    _append(docs / "angebote" / "filtern.md", filter_section(catalogue))
    return len(pages)


def _append(path: Path, markdown: str) -> None:
    with path.open("a", encoding="utf-8") as output:
        output.write("\n\n" + markdown)


def fill_placeholders(docs: Path, values: Mapping[str, Any]) -> None:
    """Replace {{ operator.name }} and the like in the staged hand-written pages with values from mkdocs.yml extra."""
    for path in sorted(docs.rglob("*.md")):
        source = path.read_text(encoding="utf-8")
        try:
            filled = PLACEHOLDER.sub(lambda match: _placeholder(values, match.group(1)), source)
        except KeyError as error:
            raise PublishError(
                f"{path.name}: Der Platzhalter {{{{ {error.args[0]} }}}} fehlt in mkdocs.yml unter „extra:“."
            ) from None
        if filled != source:
            path.write_text(filled, encoding="utf-8")


def _placeholder(values: Mapping[str, Any], name: str) -> str:
    value: Any = values
    for part in name.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    if not isinstance(value, str | int | float):
        raise KeyError(name)
    return html.escape(str(value), quote=False)


def _raw_block(parts: Iterable[str]) -> str:
    """Raw HTML lines with a blank line before and after: Python-Markdown passes them through untouched."""
    return "\n" + "\n".join(part for part in parts if part) + "\n"


# --- one offer -------------------------------------------------------------------------------------------------------


def offer_page(offer: Offer, catalogue: Catalogue) -> str:
    """The page of one offer; only the title, provider and tasks are indexed for the search."""
    parts = [
        '<div class="offer">',
        f'<h1 data-search-exclude="true">{text(offer["title"])}</h1>',
        f'<p class="offer-lead">{UNINDEXED.format("Ein Angebot von")} <strong>{text(offer["provider"])}</strong></p>',
        _facts(offer, catalogue),
        _section(UNINDEXED.format("Ihre Aufgaben"), paragraphs(offer["tasks"])),
        '<div data-search-exclude="true">',
        _section("Ziel des Angebots", paragraphs(offer["goal"])),
        _section("Einsatzstellen", _sites(offer["sites"])),
        _section("Arbeitszeiten", paragraphs(offer["hours_distribution"])),
        _section("Voraussetzungen", paragraphs(offer["requirements"])),
        _section("Barrierefreiheit", _barrier_free(offer)),
        _section("Kontakt und Anmeldung", _contact(offer)),
        _updated(offer, catalogue.generated),
        _links(offer["url"]),
        "</div>",
        "</div>",
    ]
    return front_matter(offer["title"]) + _raw_block(parts)


def _section(heading: str, content: str) -> str:
    return f"<h2>{heading}</h2>{content}" if content else ""


def _facts(offer: Offer, catalogue: Catalogue) -> str:
    url = offer["url"]
    rows = [
        ("Art des Angebots", text(offer["type_label"] or "–")),
        ("Rechtsgrundlage", text(offer["legal_basis"] or "–")),
        ("Einsatzfeld", _group_links(FIELDS, offer, catalogue, url)),
        ("Stadtteile", _group_links(DISTRICTS, offer, catalogue, url)),
        ("Zeitraum", text(period(offer["start"], offer["end"]))),
        ("Wochenstunden", text(hours(offer["hours_per_week"]))),
        ("Freie Plätze", text(places(offer["places_free"], offer["places_total"]))),
        ("Zielgruppen", _group_links(TARGET_GROUPS, offer, catalogue, url)),
        ("Barrierefrei", text(yes_no(offer["barrier_free"]))),
    ]
    items = "".join(f"<dt>{term}</dt><dd>{value}</dd>" for term, value in rows)
    return f'<div data-search-exclude="true"><h2>Auf einen Blick</h2><dl class="offer-facts">{items}</dl></div>'


def _group_links(grouping: Grouping, offer: Offer, catalogue: Catalogue, from_url: str) -> str:
    links = [
        f'<a href="{relative_url(from_url, catalogue.url(grouping, key))}">{text(label)}</a>'
        for key, label in dict.fromkeys(grouping.values(offer))
    ]
    return ", ".join(links) or "–"


def _sites(sites: list[dict[str, Any]]) -> str:
    items = "".join(
        f"<li><strong>{text(site['name'])}</strong><br>{text(site['street'])}, {text(site['postal_code'])} "
        f"{text(site['district'])}<br>{text(places_here(site['places']))}</li>"
        for site in sites
    )
    return f'<ul class="offer-sites">{items}</ul>' if items else ""


def _barrier_free(offer: Offer) -> str:
    statement = {
        True: "Der Träger gibt an: Das Angebot ist barrierefrei.",
        False: "Der Träger gibt an: Das Angebot ist nicht barrierefrei.",
        None: "Der Träger hat keine Angabe zur Barrierefreiheit gemacht.",
    }[offer["barrier_free"]]
    return f"<p>{statement}</p>{paragraphs(offer['barrier_free_notes'])}"


def _contact(offer: Offer) -> str:
    website = offer["provider_website"].strip()
    parts = [
        f"<p><strong>{text(offer['provider'])}</strong></p>",
        paragraphs(offer["provider_contact"]),
        f"<p>Website: {web_link(website)}</p>" if website else "",
        HOW_TO_JOIN,
    ]
    return "".join(parts)


def _updated(offer: Offer, generated: datetime) -> str:
    approved = datetime.fromisoformat(offer["updated"])
    return (
        f'<p class="offer-updated">Angaben freigegeben am {de_date(approved)}. '
        f"Freie Plätze: Stand {de_datetime(generated)}.</p>"
    )


def _links(from_url: str) -> str:
    catalogue, filters = relative_url(from_url, CATALOGUE_URL), relative_url(from_url, FILTER_URL)
    return f'<p><a href="{catalogue}">Alle Angebote</a> · <a href="{filters}">Angebote filtern</a></p>'


# --- lists ---------------------------------------------------------------------------------------------------------


def offer_list(offers: list[Offer], catalogue: Catalogue, from_url: str) -> str:
    """The offers as list items that the filter script understands (data-*); not indexed for the search."""
    if not offers:
        return "<p>Zurzeit sind keine Angebote veröffentlicht.</p>"
    prefix = relative_url(from_url, CATALOGUE_URL)  # offer URLs are angebote/<id>/
    items = "".join(catalogue.item(offer, prefix) for offer in offers)
    return f'<ul class="offer-list" data-offer-list data-search-exclude="true">{items}</ul>'


def _offer_item(offer: Offer, catalogue: Catalogue, prefix: str) -> str:
    data = {
        "field": " ".join(catalogue.slug(FIELDS, key) for key, _ in FIELDS.values(offer)),
        "districts": " ".join(catalogue.slug(DISTRICTS, key) for key, _ in DISTRICTS.values(offer)),
        "hours": "" if offer["hours_per_week"] is None else offer["hours_per_week"],
        "free": offer["places_free"],
        "barrier-free": "1" if offer["barrier_free"] else "0",
    }
    attributes = " ".join(f'data-{name}="{html.escape(str(value), quote=True)}"' for name, value in data.items())
    facts = [
        offer["field_of_work_label"],
        ", ".join(offer["districts"]),
        hours(offer["hours_per_week"]) if offer["hours_per_week"] is not None else "",
        places(offer["places_free"], offer["places_total"]),
        "barrierefrei" if offer["barrier_free"] else "",
    ]
    return (
        f'<li {attributes}><a class="offer-item__title" href="{prefix}{offer["id"]}/">'
        f"{text(offer['title'])}</a>"
        f'<span class="offer-item__meta">{text(offer["provider"])}</span>'
        f'<span class="offer-item__meta">{text(" · ".join(fact for fact in facts if fact))}</span></li>'
    )


def group_list(grouping: Grouping, catalogue: Catalogue, from_url: str) -> str:
    groups = catalogue.groups[grouping.folder]
    if not groups:
        return _raw_block(["<p>Zurzeit gibt es hier keine Angebote.</p>"])
    items = "".join(
        f'<li><a href="{relative_url(from_url, group.url)}">{text(group.label)}</a> ({len(group.offers)})</li>'
        for group in groups
    )
    return _raw_block([f'<ul class="group-list" data-search-exclude="true">{items}</ul>'])


def group_overview(grouping: Grouping, catalogue: Catalogue) -> str:
    url = f"angebote/{grouping.folder}/"
    intro = f"# {grouping.title}\n\n[Zur Übersicht aller Angebote](../index.md)\n"
    return front_matter(grouping.title) + intro + group_list(grouping, catalogue, url)


def group_page(grouping: Grouping, group: Group, catalogue: Catalogue) -> str:
    title = grouping.one.format(group.label)
    links = [f'<a href="{relative_url(group.url, f"angebote/{grouping.folder}/")}">{grouping.title}</a>']
    if grouping.filter_name:
        query = f"?{grouping.filter_name}={catalogue.slug(grouping, group.key)}"
        links.append(f'<a href="{relative_url(group.url, FILTER_URL)}{query}">Diese Angebote weiter filtern</a>')
    parts = [
        '<div class="offer-group" data-search-exclude="true">',
        f"<h1>{text(title)}</h1>",
        f"<p>{count_text(len(group.offers))} · {' · '.join(links)}</p>",
        offer_list(group.offers, catalogue, group.url),
        "</div>",
    ]
    return front_matter(title) + _raw_block(parts)


def catalogue_overview(catalogue: Catalogue) -> str:
    """Appended to the hand-written angebote/index.md: the count and the three groupings."""
    lines = [f"Zurzeit gibt es **{count_text(len(catalogue.offers))}**. [Alle Angebote filtern](filtern.md)\n"]
    for grouping in GROUPINGS:
        lines.append(f"## {grouping.heading}\n" + group_list(grouping, catalogue, CATALOGUE_URL))
    return "\n".join(lines)


def filter_section(catalogue: Catalogue) -> str:
    """Appended to the hand-written angebote/filtern.md: the (hidden until scripted) form and the full list."""
    count = f'<p class="offer-count" data-offer-count role="status">{count_text(len(catalogue.offers))}</p>'
    parts = [
        '<div class="offer-filter-page" data-search-exclude="true">',
        _filter_form(catalogue),
        count,
        offer_list(catalogue.offers, catalogue, FILTER_URL),
        "</div>",
    ]
    return _raw_block(parts)


def _filter_form(catalogue: Catalogue) -> str:
    def options(grouping: Grouping) -> list[tuple[str, str]]:
        return [(catalogue.slug(grouping, group.key), group.label) for group in catalogue.groups[grouping.folder]]

    hour_options = [(str(value), f"bis {value} Stunden") for value in HOURS_CHOICES]
    return (
        '<form class="offer-filter" data-offer-filter hidden aria-label="Angebote filtern">'
        + _select("stadtteil", "Stadtteil", "Alle Stadtteile", options(DISTRICTS))
        + _select("einsatzfeld", "Einsatzfeld", "Alle Einsatzfelder", options(FIELDS))
        + _select("stunden", "Wochenstunden", "Beliebig viele", hour_options)
        + _checkbox("frei", "Nur mit freien Plätzen")
        + _checkbox("barrierefrei", "Nur barrierefreie Angebote")
        + '<button type="reset" class="offer-filter__reset">Auswahl zurücksetzen</button>'
        + "</form>"
    )


def _select(name: str, label: str, any_label: str, options: list[tuple[str, str]]) -> str:
    choices = "".join(f'<option value="{text(value)}">{text(title)}</option>' for value, title in options)
    return (
        f'<div><label for="filter-{name}">{label}</label>'
        f'<select id="filter-{name}" name="{name}"><option value="">{any_label}</option>{choices}</select></div>'
    )


def _checkbox(name: str, label: str) -> str:
    return (
        f'<div class="offer-filter__check"><input type="checkbox" id="filter-{name}" name="{name}" value="1">'
        f'<label for="filter-{name}">{label}</label></div>'
    )
