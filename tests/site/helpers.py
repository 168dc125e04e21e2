"""Helpers of the built-site tests: publishing a sample snapshot, reading built pages."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from portal.config import PROJECT_ROOT
from portal.publishing.build import PublishLock, Result, Sources, Target, publish

KERN_DIR = PROJECT_ROOT / "node_modules" / "@kern-ux" / "native" / "dist"
SOURCES = Sources(PROJECT_ROOT, KERN_DIR)


def publish_sample(site_dir: Path, snapshot: dict[str, Any], sources: Sources = SOURCES, **target: Any) -> Result:
    """Publish a snapshot (no database) into `site_dir`, holding the lock like the real commands do."""
    goal = Target(site_dir, **target)
    lines: list[str] = []
    with PublishLock(goal.publish_dir):
        return publish(lambda: snapshot, sources, goal, lines.append)


class Page(HTMLParser):
    """The parts of a built page the tests look at: title, text of the article, links and resources."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.article: list[str] = []
        self.links: list[str] = []
        self.resources: list[str] = []
        self._stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")
        for name in ("src", "href"):
            if tag != "a" and values.get(name):
                self.resources.append(values[name] or "")
        if tag not in ("br", "img", "input", "link", "meta"):
            self._stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._stack:
            del self._stack[len(self._stack) - 1 - self._stack[::-1].index(tag) :]

    def handle_data(self, data: str) -> None:
        if self._stack and self._stack[-1] == "title":
            self.title += data
        elif "article" in self._stack:
            self.article.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.article).split())


def read_page(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page
