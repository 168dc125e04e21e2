"""Reading a page as a browser builds it (html.parser): what elements and attributes exist, text, form values."""

from __future__ import annotations

from html.parser import HTMLParser

# Attributes a browser follows or loads: a `javascript:` (or similar) URL in one of them runs code.
URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "ping"}
)
# Elements no portal page uses: one of them on a page was made from input.
FOREIGN_ELEMENTS = frozenset(
    {"svg", "img", "iframe", "object", "embed", "math", "base", "frame", "frameset", "audio", "video", "template"}
)
SCRIPT_FOLDER = "/portal/static/"  # the only scripts the portal's own templates load
RUNNABLE_SCHEMES = ("javascript:", "vbscript:", "data:")


class Page(HTMLParser):
    """One parsed page: every element with its attributes, the text, the values of form controls by id."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.texts: list[str] = []
        self.values: dict[str, str] = {}
        self._open_textarea: str | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        self.elements.append((tag, attributes))
        if tag == "input" and "id" in attributes:
            self.values[attributes["id"]] = attributes.get("value", "")
        if tag == "textarea" and "id" in attributes:
            self._open_textarea = attributes["id"]
            self.values[self._open_textarea] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._open_textarea is not None:
            value = self.values[self._open_textarea]
            # the browser drops the line break right after <textarea>
            self.values[self._open_textarea] = value.removeprefix("\r\n").removeprefix("\n")
            self._open_textarea = None

    def handle_data(self, data: str) -> None:
        self.texts.append(data)
        if self._open_textarea is not None:
            self.values[self._open_textarea] += data

    @property
    def content(self) -> str:
        """Everything a reader can see or a control holds: the text and every attribute value."""
        return "\n".join([*self.texts, *(value for _tag, attributes in self.elements for value in attributes.values())])

    def injected(self) -> list[str]:
        """Elements and attributes that the portal's templates never make: they came from input."""
        found = []
        for tag, attributes in self.elements:
            if tag in FOREIGN_ELEMENTS:
                found.append(f"<{tag}>")
            if tag == "script" and not attributes.get("src", "").startswith(SCRIPT_FOLDER):
                found.append(f"<script {attributes}>")
            for name, value in attributes.items():
                if name.startswith("on"):
                    found.append(f"<{tag} {name}>")
                if name in URL_ATTRIBUTES and value.strip().lower().startswith(RUNNABLE_SCHEMES):
                    found.append(f"<{tag} {name}={value!r}>")
        return found


def assert_inert(html: str, *shown: str) -> Page:
    """Nothing on the page was made from input, and each of `shown` is on it as text, exactly as typed."""
    page = Page(html)
    assert page.injected() == []
    content = page.content
    missing = [text[:80] for text in shown if text not in content]
    assert missing == [], "not shown as typed"
    for text in shown:
        if "<" in text:
            assert text not in html, "markup from input in the page's source"
    return page
