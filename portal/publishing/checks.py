"""The check of the built site before it goes online (docs/security.md 15): every HTML file, as html.parser reads it.

It fails on anything a strict Content Security Policy would block or that could run code or reach another host:
event-handler attributes (on…), style attributes and <style> elements, javascript:/vbscript:/data: URLs, inline
scripts (except JSON data blocks), scripts other than the theme's and our own asset files, embedding elements
(iframe, object …), <base>, meta refresh, and resources (script, link, img …) from another host. Plain links
(<a href>) to other hosts are allowed: providers' websites, the licence.

Every rule looks at start tags only, and the pages of a site share most of them (the theme's frame). So a page whose
start tags are all plain (see TAG_OPEN) is not parsed as a whole: each of its distinct start tags is parsed alone,
once per site, with the same parser and rules. Any other page, and any page with a problem, is parsed as a whole, so
that the result, down to the line numbers, is the same as if every page were parsed.
"""

from __future__ import annotations

import importlib.util
import os
import posixpath
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "poster", "background", "data"})
FORBIDDEN_SCHEMES = ("javascript:", "vbscript:", "data:")
FORBIDDEN_ELEMENTS = frozenset({"iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal"})
# Elements whose URL attributes make the browser fetch something (an <a> only does when it is followed).
FETCHING_ELEMENTS = frozenset({"script", "link", "img", "source", "video", "audio", "track", "input", "form", "image"})
SCRIPT_FOLDER = "assets/javascripts"
IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f]+")  # browsers ignore them inside a scheme ("java\tscript:")
# html.parser begins a start tag only at "<" and an ASCII letter (TAG_OPEN). If a plain start tag (ASCII names, quoted
# values without "<") begins at each such place, its start tags are among these, each read as when it is parsed alone.
# It may find fewer (it reads the content of <script>, <style> and comments as text): checking more is only stricter.
TAG_OPEN = re.compile("<[a-zA-Z]")
_SPACE = "[ \t\n\r\f]"
_NAME = "[a-zA-Z][-a-zA-Z0-9_:.]*"
PLAIN_START_TAG = re.compile(f"""<{_NAME}(?:{_SPACE}+{_NAME}(?:="[^"<]*"|='[^'<]*')?)*{_SPACE}*/?>""")


@dataclass(frozen=True)
class Problem:
    page: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.page}, Zeile {self.line}: {self.message}"


class PageChecker(HTMLParser):
    """Collects the problems of one page; `page` is its path relative to the site root."""

    def __init__(self, page: str, allowed_scripts: frozenset[str], own_host: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.allowed_scripts = allowed_scripts
        self.own_host = own_host
        self.problems: list[Problem] = []

    def problem(self, message: str) -> None:
        self.problems.append(Problem(self.page, self.getpos()[0], message))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name, value in values.items():
            self._check_attribute(tag, name, value)
        if tag == "script":
            self._check_script(values)
        elif tag == "style":
            self.problem("<style>-Element (die Content Security Policy blockiert Inline-Stile)")
        elif tag in FORBIDDEN_ELEMENTS:
            self.problem(f"nicht erlaubtes Element <{tag}>")
        elif tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.problem("automatische Weiterleitung (<meta http-equiv=refresh>)")

    def _check_attribute(self, tag: str, name: str, value: str) -> None:
        if name.startswith("on"):
            self.problem(f"Ereignis-Attribut {name} an <{tag}>")
        elif name in ("style", "srcdoc"):
            self.problem(f"{name}-Attribut an <{tag}>")
        elif name in URL_ATTRIBUTES or name == "srcset":
            for url in _urls(name, value):
                self._check_url(tag, name, url)

    def _check_url(self, tag: str, name: str, url: str) -> None:
        if IGNORED_IN_URLS.sub("", url).lower().startswith(FORBIDDEN_SCHEMES):
            self.problem(f"unsichere Adresse in {name} an <{tag}>: {url[:80]}")
        elif tag in FETCHING_ELEMENTS and self._is_foreign(url):
            self.problem(f"Anfrage an einen fremden Server: <{tag} {name}={url[:80]}>")

    def _is_foreign(self, url: str) -> bool:
        try:
            parts = urlsplit(url.strip())
        except ValueError:
            return True
        if not parts.scheme and not parts.netloc:
            return False  # a path on this site
        return parts.scheme not in ("http", "https") or parts.hostname != self.own_host

    def _check_script(self, values: dict[str, str]) -> None:
        if "src" not in values:
            if values.get("type", "").lower() != "application/json":
                self.problem("Inline-Skript (die Content Security Policy blockiert es)")
            return
        self._check_script_source(values["src"])

    def _check_script_source(self, src: str) -> None:
        if _site_path(self.page, src) not in self.allowed_scripts:
            self.problem(f"Skript, das nicht vom Theme oder aus site/assets stammt: {src[:80]}")


class TagChecker(PageChecker):
    """The rules that do not depend on the page; script sources are collected, to be resolved for each page."""

    def __init__(self, allowed_scripts: frozenset[str], own_host: str | None) -> None:
        super().__init__("", allowed_scripts, own_host)
        self.sources: list[str] = []

    def _check_script_source(self, src: str) -> None:
        self.sources.append(src)


def _urls(name: str, value: str) -> list[str]:
    if name != "srcset":
        return [value]
    return [candidate.strip().split(" ")[0] for candidate in value.split(",") if candidate.strip()]


def _site_path(page: str, url: str) -> str | None:
    """The site-relative path a script URL points to, or None if it leaves the site."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return None
    base = "" if parts.path.startswith("/") else posixpath.dirname(page)
    path = posixpath.normpath(posixpath.join(base, parts.path.lstrip("/")))
    return None if path.startswith("..") else path


def allowed_scripts(site_assets: Path) -> frozenset[str]:
    """Script files the site may load: Material's own and those in site/assets/javascripts."""
    spec = importlib.util.find_spec("material")
    if spec is None or spec.origin is None:
        raise RuntimeError("Material for MkDocs is not installed")
    theme = Path(spec.origin).parent / "templates" / "assets" / "javascripts"
    own = site_assets / "javascripts"
    return frozenset(
        f"{SCRIPT_FOLDER}/{path.relative_to(folder).as_posix()}"
        for folder in (theme, own)
        for path in folder.rglob("*.js")
    )


def check_page(page: str, html: str, scripts: frozenset[str], own_host: str | None = None) -> list[Problem]:
    checker = PageChecker(page, scripts, own_host)
    checker.feed(html)
    checker.close()
    return checker.problems


class SiteChecker:
    """Checks the HTML files below `root` as they appear, so that checking can overlap the build.

    A file is checked again whenever its size or modification time changed since it was read; its new result
    replaces the old one (a file read while MkDocs was still writing it is checked again in the final pass).
    """

    def __init__(self, root: Path, scripts: frozenset[str], own_host: str | None = None) -> None:
        self.root = root
        self.scripts = scripts
        self.own_host = own_host
        self.pages: set[str] = set()  # the HTML files found by the last look, relative to root
        self._read: dict[str, tuple[int, int]] = {}
        self._problems: dict[str, list[Problem]] = {}
        self._clean_tags: set[str] = set()  # plain start tags without a problem on any page
        self._script_tags: dict[str, tuple[str, ...]] = {}  # scripts without a problem of their own → their sources

    def check_new(self) -> int:
        """Check every HTML file that is new or changed since it was read; returns how many were checked."""
        return self._check(recheck=True)

    def check_unread(self) -> int:
        """Check the HTML files not read yet (cheaper while MkDocs writes: check_new() then finds changed ones)."""
        return self._check(recheck=False)

    def _check(self, recheck: bool) -> int:
        files = self._html_files()
        self.pages = set(files)
        if not recheck:
            files = {page: path for page, path in files.items() if page not in self._read}
        return sum(self._check_file(page, path) for page, path in files.items())

    def _check_file(self, page: str, path: str) -> bool:
        """Check one file unless it is unchanged since it was read; False if it was not checked."""
        try:
            stat = os.stat(path)  # before reading: a later change shows in the next look
        except FileNotFoundError:
            self.pages.discard(page)
            return False
        if self._read.get(page) == (stat.st_size, stat.st_mtime_ns):
            return False
        self._read[page] = (stat.st_size, stat.st_mtime_ns)
        with open(path, encoding="utf-8", errors="replace") as source:
            html = source.read()
        self._problems[page] = [] if self._is_clean(page, html) else check_page(page, html, self.scripts, self.own_host)
        return True

    def _html_files(self) -> dict[str, str]:
        """The HTML files below root, relative path → path (like rglob: symbolic links to folders are not followed)."""
        files: dict[str, str] = {}
        folders = [str(self.root)] if self.root.is_dir() else []
        start = len(str(self.root)) + 1
        while folders:
            with os.scandir(folders.pop()) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        folders.append(entry.path)
                    elif entry.name.endswith(".html"):
                        files[entry.path[start:].replace(os.sep, "/")] = entry.path
        return files

    def _is_clean(self, page: str, html: str) -> bool:
        """True if the page's start tags are plain and have no problem there; False means: parse it as a whole."""
        tags = PLAIN_START_TAG.findall(html)  # no "<" inside: one match at most per place where a tag begins
        if len(tags) != len(TAG_OPEN.findall(html)):
            return False
        for tag in set(tags) - self._clean_tags:
            sources = self._script_tags.get(tag)
            if sources is None and (sources := self._learn(tag)) is None:
                return False
            if any(_site_path(page, source) not in self.scripts for source in sources):
                return False
        return True

    def _learn(self, tag: str) -> tuple[str, ...] | None:
        """Check a start tag alone: None if it has a problem wherever it stands, else the script sources it loads."""
        checker = TagChecker(self.scripts, self.own_host)
        checker.feed(tag)
        checker.close()
        if checker.problems:
            return None
        sources = tuple(checker.sources)
        if sources:
            self._script_tags[tag] = sources
        else:
            self._clean_tags.add(tag)
        return sources

    @property
    def problems(self) -> list[Problem]:
        pages = sorted(self._problems, key=lambda page: page.split("/"))  # in the order of Path objects
        return [problem for page in pages for problem in self._problems[page]]


def check_site(root: Path, scripts: frozenset[str], own_host: str | None = None) -> list[Problem]:
    """The problems of every HTML file below `root`."""
    checker = SiteChecker(root, scripts, own_host)
    checker.check_new()
    return checker.problems
