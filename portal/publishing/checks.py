"""The check of the built site before it goes online (SECURITY.md 15): every HTML file is parsed with html.parser.

It fails on anything a strict Content Security Policy would block or that could run code or reach another host:
event-handler attributes (on…), style attributes and <style> elements, javascript:/vbscript:/data: URLs, inline
scripts (except JSON data blocks), scripts other than the theme's and our own asset files, embedding elements
(iframe, object …), <base>, meta refresh, and resources (script, link, img …) from another host. Plain links
(<a href>) to other hosts are allowed: providers' websites, the licence.
"""

from __future__ import annotations

import importlib.util
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
        path = _site_path(self.page, values["src"])
        if path not in self.allowed_scripts:
            self.problem(f"Skript, das nicht vom Theme oder aus site/assets stammt: {values['src'][:80]}")


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
        self._read: dict[Path, tuple[int, int]] = {}
        self._problems: dict[Path, list[Problem]] = {}

    def check_new(self) -> int:
        """Check every HTML file that is new or changed since it was read; returns how many were checked."""
        checked = 0
        for path in self.root.rglob("*.html") if self.root.is_dir() else ():
            try:
                stat = path.stat()  # before reading: a later change shows in the next pass
            except FileNotFoundError:
                continue
            if self._read.get(path) == (stat.st_size, stat.st_mtime_ns):
                continue
            self._read[path] = (stat.st_size, stat.st_mtime_ns)
            html = path.read_text(encoding="utf-8", errors="replace")
            self._problems[path] = check_page(path.relative_to(self.root).as_posix(), html, self.scripts, self.own_host)
            checked += 1
        return checked

    @property
    def problems(self) -> list[Problem]:
        return [problem for path in sorted(self._problems) for problem in self._problems[path]]


def check_site(root: Path, scripts: frozenset[str], own_host: str | None = None) -> list[Problem]:
    """The problems of every HTML file below `root`."""
    checker = SiteChecker(root, scripts, own_host)
    checker.check_new()
    return checker.problems
