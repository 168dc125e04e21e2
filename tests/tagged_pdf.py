"""Reads back what a tagged PDF says to a screen reader, with pypdf: the structure tree, each element with its text
(from the marked content its MCIDs name), the header cells a data cell names (through the `/IDTree`), and where the
text of a cell is drawn (to check that numbers are right-aligned)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from pypdf import PageObject, PdfReader
from pypdf.generic import ContentStream, DictionaryObject


@dataclass
class Element:
    """A structure element: its type ("Table", "TH"…), its own text, its children, its attributes."""

    tag: str
    attributes: dict[str, Any]
    children: list[Element] = field(default_factory=list)
    own_text: str = ""
    identifier: str = ""
    headers: list[str] = field(default_factory=list)  # the identifiers of the header cells a data cell names

    @property
    def text(self) -> str:
        return " ".join(part for part in [self.own_text, *(child.text for child in self.children)] if part)

    def find(self, tag: str) -> list[Element]:
        """Every element of this type below this one, in reading order."""
        found = []
        for child in self.children:
            if child.tag == tag:
                found.append(child)
            found.extend(child.find(tag))
        return found

    def rows(self) -> list[list[Element]]:
        """A table's rows, each a list of its cells (TH and TD)."""
        return [[cell for cell in row.children if cell.tag in ("TH", "TD")] for row in self.find("TR")]


@dataclass
class TaggedPdf:
    reader: PdfReader
    document: Element
    ids: dict[str, Element]
    # The text of each marked-content sequence, by page number and MCID, with where it starts and ends on the line.
    marked: dict[tuple[int, int], tuple[str, float, float]]

    def tables(self) -> list[Element]:
        return self.document.find("Table")

    def header_texts(self, cell: Element) -> list[str]:
        return [self.ids[name].text for name in cell.headers]

    def right_edge(self, element: Element) -> float:
        """Where the element's text ends (x on its page, in points)."""
        return max(end for page, mcid in element.attributes["_mcids"] for _, _, end in [self.marked[(page, mcid)]])


def read(data: bytes) -> TaggedPdf:
    reader = PdfReader(BytesIO(data))
    pages = {page.indirect_reference.idnum: number for number, page in enumerate(reader.pages)}  # type: ignore[union-attr]
    marked = {}
    for number, page in enumerate(reader.pages):
        for mcid, run in marked_content(page).items():
            marked[(number, mcid)] = run
    root = reader.trailer["/Root"]["/StructTreeRoot"]
    ids: dict[str, Element] = {}
    document = Element("StructTreeRoot", {})
    for kid in as_list(root["/K"]):
        document.children.append(element(kid.get_object(), pages, marked, ids, None))
    names = root.get("/IDTree", {}).get("/Names", [])
    assert {str(names[index]) for index in range(0, len(names), 2)} == set(ids), "the IDTree names every header"
    return TaggedPdf(reader, document, ids, marked)


def as_list(value: Any) -> list[Any]:
    value = value.get_object() if hasattr(value, "get_object") else value
    return list(value) if isinstance(value, list) else [value]


def element(
    node: DictionaryObject,
    pages: dict[int, int],
    marked: dict[tuple[int, int], tuple[str, float, float]],
    ids: dict[str, Element],
    page: int | None,
) -> Element:
    page = pages[node.raw_get("/Pg").idnum] if "/Pg" in node else page
    made = Element(str(node["/S"])[1:], {"_mcids": []})
    attributes = node.get("/A")
    if attributes is not None:
        attributes = attributes.get_object()
        made.attributes.update({str(key)[1:]: value for key, value in attributes.items() if key != "/Headers"})
        made.headers = [str(name) for name in attributes.get("/Headers", [])]
    if "/ID" in node:
        made.identifier = str(node["/ID"])
        ids[made.identifier] = made
    texts = []
    for kid in as_list(node.get("/K", [])):
        if isinstance(kid, int):
            assert page is not None
            texts.append(marked[(page, kid)][0])
            made.attributes["_mcids"].append((page, kid))
        elif isinstance(kid.get_object(), DictionaryObject) and "/S" in kid.get_object():
            child = element(kid.get_object(), pages, marked, ids, page)
            made.children.append(child)
            made.attributes["_mcids"].extend(child.attributes["_mcids"])
    made.own_text = "".join(texts).replace("\xa0", " ").strip()
    return made


def unicode_of(font: Any) -> dict[int, str]:
    """Glyph id → text, from the font's ToUnicode map (WeasyPrint writes bfchar and bfrange entries)."""
    cmap = font["/ToUnicode"].get_object().get_data().decode()
    glyphs = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.DOTALL):
        for glyph, text in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            glyphs[int(glyph, 16)] = bytes.fromhex(text).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.DOTALL):
        for first, last, text in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            for glyph in range(int(first, 16), int(last, 16) + 1):
                glyphs[glyph] = chr(int(text, 16) + glyph - int(first, 16))
    return glyphs


def widths_of(font: Any) -> dict[int, float]:
    """Glyph id → advance in thousandths of the font size, from the W array of the font's descendant."""
    spec, widths, index = font["/DescendantFonts"][0].get_object().get("/W", []), {}, 0
    while index < len(spec):
        first, then = int(spec[index]), spec[index + 1]
        if isinstance(then, list):
            widths.update({first + offset: float(width) for offset, width in enumerate(then)})
            index += 2
        else:
            widths.update(dict.fromkeys(range(first, int(then) + 1), float(spec[index + 2])))
            index += 3
    return widths


def marked_content(page: PageObject) -> dict[int, tuple[str, float, float]]:
    """The text of each marked-content sequence of the page by its MCID, with the x where its text starts and ends
    (following the text matrix and the glyph advances of every TJ array, as a viewer draws them)."""
    fonts = {name: font.get_object() for name, font in page["/Resources"]["/Font"].items()}
    glyphs = {name: (unicode_of(font), widths_of(font)) for name, font in fonts.items()}
    found: dict[int, tuple[str, float, float]] = {}
    current: int | None = None
    text, start, end = "", 0.0, 0.0
    font, size, x = None, 0.0, 0.0
    for operands, operator in ContentStream(page.get_contents(), page.pdf).operations:
        if operator == b"BDC" and isinstance(operands[1], DictionaryObject) and "/MCID" in operands[1]:
            current, text, start, end = int(operands[1]["/MCID"]), "", 0.0, 0.0
        elif operator == b"EMC" and current is not None:
            found[current] = (text, start, end)
            current = None
        elif operator == b"Tf":
            font, size = operands[0], float(operands[1])
        elif operator == b"Tm":
            x = float(operands[4])
        elif operator == b"TJ" and current is not None:
            text_of, width_of = glyphs[font]
            for item in operands[0]:
                if isinstance(item, int | float):
                    x -= float(item) / 1000 * size
                    continue
                raw = item.original_bytes
                for offset in range(0, len(raw), 2):
                    glyph = int.from_bytes(raw[offset : offset + 2], "big")
                    char = text_of.get(glyph, "")
                    if not text:
                        start = x
                    text += char
                    x += width_of.get(glyph, 0) / 1000 * size
                    if char.strip():
                        end = x
    return found
