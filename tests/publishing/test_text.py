"""Provider text made safe for the generated pages: titles, escaped body text, links, slugs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from mkdocs.utils.meta import get_data

from portal.publishing.text import (
    front_matter,
    page_title,
    paragraphs,
    relative_url,
    slugify,
    sort_key,
    text,
    web_link,
)
from portal.text import clean
from tests.site.samples import PAYLOADS

HTML_SPECIAL = set("<>&\"'`")


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("</title><script>alert(1)</script>", "‹/title›‹script›alert(1)‹/script›"),
        ("<img src=x onerror=alert(1)>", "‹img src=x onerror=alert(1)›"),
        ('"><svg onload=alert(1)>', "”›‹svg onload=alert(1)›"),
        ("javascript:alert(1)", "javascript:alert(1)"),
        ("{{ config }}", "{{ config }}"),
        ("{% raw %}x{% endraw %}", "{% raw %}x{% endraw %}"),
        ("[Klick](javascript:alert(1))", "[Klick](javascript:alert(1))"),
        ("![Bild](https://evil.example/x.png)", "![Bild](https://evil.example/x.png)"),
        ("&lt;script&gt;", "+lt;script+gt;"),
        ("Brot & Rosen 'e. V.'", "Brot + Rosen ’e. V.’"),
        ("Zeile 1\nZeile 2\tEnde\x00\x1b", "Zeile 1 Zeile 2 Ende"),
        ("\u202eevil\u202c עברית \u200b", "evil עברית"),
        ("", "Angebot ohne Titel"),
    ],
)
def test_page_title_has_no_html_syntax(title, expected):
    assert page_title(title) == expected


def test_a_long_title_is_shortened():
    assert page_title("a" * 500) == "a" * 149 + "…"


@given(st.text())
def test_any_title_is_one_safe_line(value):
    title = page_title(value)
    assert not HTML_SPECIAL & set(title)
    assert title == " ".join(title.split())
    assert 0 < len(title) <= 150


@given(st.text())
def test_front_matter_round_trips_through_mkdocs(value):
    """MkDocs reads the title back exactly as sanitized: the JSON string is valid YAML, whatever the input."""
    _body, meta = get_data(front_matter(value) + "Text\n")
    assert meta == {"title": page_title(value)}


@pytest.mark.parametrize("payload", PAYLOADS)
def test_body_text_is_escaped_and_on_one_line(payload):
    escaped = text(payload)
    assert not set("<>\"'") & set(escaped)
    assert not {"\n", "\x00", "\x02", "\x03"} & set(escaped)


def test_paragraphs_keep_line_breaks_without_blank_lines():
    html = paragraphs("Erste Zeile\r\nzweite <Zeile>\n\n\n  Neuer Absatz  ")
    assert html == "<p>Erste Zeile<br>zweite &lt;Zeile&gt;</p><p>Neuer Absatz</p>"
    assert paragraphs(" \n\n ") == ""


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://caritas.example/angebote", '<a href="https://caritas.example/angebote" rel="noopener">'),
        ("HTTP://awo.example", '<a href="HTTP://awo.example" rel="noopener">'),
        ('https://x.example/"onmouseover="alert(1)', '<a href="https://x.example/&quot;onmouseover=&quot;alert(1)"'),
    ],
)
def test_web_addresses_become_links(url, expected):
    assert web_link(url).startswith(expected)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "//evil.example/",
        "www.caritas.example",
        "https://",
        "https://exa mple.org",
        "https://[::1",
    ],
)
def test_anything_else_stays_text(url):
    assert "<a" not in web_link(url)
    assert web_link(url) == text(url)


@pytest.mark.parametrize(
    ("value", "slug"),
    [
        ("Südstadt", "suedstadt"),
        ("Groß-Öhringen am Überberg", "gross-oehringen-am-ueberberg"),
        ("unter_25", "unter-25"),
        ("Crème brûlée", "creme-brulee"),
        ("../../etc", "etc"),
    ],
)
def test_slugs_are_readable(value, slug):
    assert slugify(value) == slug


@given(st.text())
def test_any_slug_is_a_safe_path_segment(value):
    slug = slugify(value)
    assert 0 < len(slug) <= 60
    assert set(slug) <= set("abcdefghijklmnopqrstuvwxyz0123456789-")


@pytest.mark.parametrize(
    ("source", "target", "link"),
    [
        ("angebote/12/", "angebote/stadtteile/nordstadt/", "../stadtteile/nordstadt/"),
        ("angebote/stadtteile/nordstadt/", "angebote/12/", "../../12/"),
        ("angebote/", "angebote/", "./"),
        ("angebote/12/", "", "../../"),
        ("", "angebote/12/", "angebote/12/"),
        ("angebote/12/", "daten/angebote.json", "../../daten/angebote.json"),
    ],
)
def test_relative_urls(source, target, link):
    assert relative_url(source, target) == link


def test_umlauts_sort_with_their_base_letter():
    assert sorted(["Zentrum", "Überall", "Altstadt", "Ufer"], key=sort_key) == [
        "Altstadt",
        "Überall",
        "Ufer",
        "Zentrum",
    ]


def test_clean_keeps_text_and_drops_controls():
    assert clean("a\r\nb\u2028c\x00\u202ed\te") == "a\nb\ncd\te"
