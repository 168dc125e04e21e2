"""The HTML check of the built site (docs/security.md 15): each rule on a small page."""

from __future__ import annotations

import importlib.util
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from portal.publishing.checks import SiteChecker, allowed_scripts, check_page, check_site
from tests.site.helpers import SOURCES

SCRIPTS = allowed_scripts(SOURCES.site / "assets")
PAGE = "angebote/12/index.html"


def problems(body: str, own_host: str | None = None) -> list[str]:
    return [problem.message for problem in check_page(PAGE, f"<html><body>{body}</body></html>", SCRIPTS, own_host)]


@pytest.mark.parametrize(
    "body",
    [
        '<script src="../../assets/javascripts/bundle.a5f9d56c.min.js"></script>',
        '<script src="/assets/javascripts/scope.js" data-scope="/"></script>',
        '<script src="../../assets/javascripts/filter.js?v=2"></script>',
        '<script id="__config" type="application/json">{"base": ".."}</script>',
        '<a href="https://caritas.example/">Träger</a> <a href="../">zurück</a> <a href="#inhalt">Inhalt</a>',
        '<link rel="stylesheet" href="../../assets/stylesheets/extra.css"><img src="../../assets/images/x.png" alt="">',
        '<link rel="canonical" href="https://www.arge.example/angebote/12/">',
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; javascript:alert(1) onclick=alert(1)</p>",
    ],
)
def test_what_the_theme_and_the_writer_produce_passes(body):
    assert problems(body, own_host="www.arge.example") == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("<script>alert(1)</script>", "Inline-Skript"),
        ('<script type="module">alert(1)</script>', "Inline-Skript"),
        ('<script src="../../assets/javascripts/evil.js"></script>', "nicht vom Theme"),
        ('<script src="../../../../../tmp/assets/javascripts/scope.js"></script>', "nicht vom Theme"),
        ('<script src="https://cdn.example/x.js"></script>', "fremden Server"),
        ('<img src="x" onerror="alert(1)">', "Ereignis-Attribut onerror"),
        ('<svg><g ONLOAD="alert(1)"></g></svg>', "Ereignis-Attribut onload"),
        ('<a href="javascript:alert(1)">x</a>', "unsichere Adresse"),
        ('<a href=" JaVa\tScRiPt:alert(1)">x</a>', "unsichere Adresse"),
        ('<a href="vbscript:msgbox">x</a>', "unsichere Adresse"),
        ('<iframe src="data:text/html,x"></iframe>', "unsichere Adresse"),
        ('<form action="javascript:alert(1)"></form>', "unsichere Adresse"),
        ('<button formaction="javascript:alert(1)">x</button>', "unsichere Adresse"),
        ('<img src="https://tracker.example/pixel.gif" alt="">', "fremden Server"),
        ('<img srcset="a.png 1x, //tracker.example/b.png 2x" alt="">', "fremden Server"),
        ('<img src="http://[::1" alt="">', "fremden Server"),
        ('<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">', "fremden Server"),
        ('<link rel="canonical" href="https://other.example/">', "fremden Server"),
        ("<iframe></iframe>", "nicht erlaubtes Element <iframe>"),
        ("<object></object>", "nicht erlaubtes Element <object>"),
        ('<base href="https://evil.example/">', "nicht erlaubtes Element <base>"),
        ('<meta http-equiv="refresh" content="0;url=https://evil.example/">', "Weiterleitung"),
        ("<style>body{}</style>", "<style>-Element"),
        ('<p style="color:red">x</p>', "style-Attribut"),
    ],
)
def test_anything_else_fails(body, message):
    found = problems(body)
    assert len(found) >= 1
    assert message in found[0]


def test_a_problem_names_page_and_line():
    [problem] = check_page(PAGE, "<p>ok</p>\n<p onclick='x()'>x</p>", SCRIPTS)
    assert str(problem) == "angebote/12/index.html, Zeile 2: Ereignis-Attribut onclick an <p>"


def test_without_the_theme_nothing_is_allowed(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda _name: None)
    with pytest.raises(RuntimeError, match="Material for MkDocs is not installed"):
        allowed_scripts(SOURCES.site / "assets")


def test_the_allowed_scripts_are_the_theme_bundle_and_our_own():
    assert {"assets/javascripts/scope.js", "assets/javascripts/filter.js"} <= SCRIPTS
    assert any(path.startswith("assets/javascripts/bundle.") for path in SCRIPTS)


def test_files_are_checked_again_when_they_change_and_vanished_ones_are_skipped(tmp_path):
    checker = SiteChecker(tmp_path, SCRIPTS)
    page = tmp_path / "index.html"
    page.write_text("<p>halb", encoding="utf-8")  # as if MkDocs were still writing it
    (tmp_path / "weg.html").symlink_to(tmp_path / "gibt-es-nicht.html")  # a file that vanished meanwhile
    assert checker.check_new() == 1
    assert checker.check_new() == 0
    page.write_text("<p>fertig</p><script>alert(1)</script>", encoding="utf-8")
    assert checker.check_unread() == 0  # while MkDocs writes, only new files are read
    assert checker.check_new() == 1
    assert [problem.message for problem in checker.problems] == [
        "Inline-Skript (die Content Security Policy blockiert es)"
    ]
    assert checker.pages == {"index.html"}


# --- pages of plain markup are checked tag by tag: the result must be the same as parsing each page whole ----------

FOLDERS = ("", "faq/", "angebote/12/", "assets/javascripts/")
HOST = "www.arge.example"


def site_problems(root: Path, pages: dict[str, str]) -> list[str]:
    for page, html in pages.items():
        (root / page).parent.mkdir(parents=True, exist_ok=True)
        (root / page).write_text(html, encoding="utf-8")
    return [str(problem) for problem in check_site(root, SCRIPTS, HOST)]


def page_problems(pages: dict[str, str]) -> list[str]:
    ordered = sorted(pages, key=lambda page: page.split("/"))
    return [str(problem) for page in ordered for problem in check_page(page, pages[page], SCRIPTS, HOST)]


def test_a_script_allowed_in_one_folder_is_checked_again_in_another(tmp_path):
    checker = SiteChecker(tmp_path, SCRIPTS)
    script = '<script src="../../assets/javascripts/filter.js"></script>'
    for folder in ("angebote/12", "faq"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "index.html").write_text(f"<p>\n{script}</p>", encoding="utf-8")
        checker.check_new()
    assert [str(problem) for problem in checker.problems] == [
        "faq/index.html, Zeile 2: Skript, das nicht vom Theme oder aus site/assets stammt: "
        "../../assets/javascripts/filter.js"
    ]


VALUES = ["", '="x"', "='javascript:x'", '=" data:x"', '="//evil.example/x"', '="application/json"', '="refresh"']
VALUES += ['="a>b"', '="../../assets/javascripts/filter.js"', '="assets/javascripts/filter.js"', "=x", '="-><a>"']
ATTRIBUTES = st.tuples(
    st.sampled_from(["src", "href", "onclick", "ONLOAD", "type", "http-equiv", "style", "srcset", "class", "title"]),
    st.sampled_from(VALUES),
).map("".join)
TAGS = st.builds(
    lambda name, attributes, end: f"<{name}{''.join(' ' + attribute for attribute in attributes)}{end}",
    st.sampled_from(["a", "img", "script", "SCRIPT", "p", "link", "meta", "iframe", "style", "svg"]),
    st.lists(ATTRIBUTES, max_size=3),
    st.sampled_from([">", "/>", " >", "", "\t>"]),
)
PIECES = st.sampled_from(["<", ">", "/", "=", '"', "'", " ", "\n", "\x0b", "x", "on", "<!--", "-->", "</p>", "<!", "&"])
MARKUP = st.lists(st.one_of(TAGS, PIECES), max_size=8).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bodies=st.lists(MARKUP, min_size=1, max_size=len(FOLDERS)))
@example(bodies=['<a title ="x>y<z" onclick="e">'])  # the onclick belongs to the <a>
@example(bodies=["<a href=x\tonclick=y>"])
@example(bodies=['<IMG src="x"><img src=x onerror=y>'])  # one plain tag too many, one too few
@example(bodies=['<!-- x ><a title="--><img src=x onerror=y>">'])  # html.parser ends the comment in the title
def test_every_page_is_checked_as_if_it_were_parsed_whole(bodies):
    pages = {
        f"{folder}index.html": f"<!doctype html><html><body>\n{body}\n{bodies[0]}</body></html>"
        for folder, body in zip(FOLDERS, bodies, strict=False)
    }
    with tempfile.TemporaryDirectory() as folder:
        assert site_problems(Path(folder), pages) == page_problems(pages)
