"""Renders report documents as PDF/A-3 in a long-lived process of its own (started by `pdf.PdfPool`).

Runs as `python -I pdf_worker.py MEMORY_BYTES`: it limits its own address space first, so a runaway layout can only
kill this process, never the portal. Requests and answers travel as frames over standard input and output: a 4-byte
big-endian length, then the payload. A request is JSON, `{"kind": "report", "document": {...}}` or
`{"kind": "minimal"}`; an answer is one status byte, then the PDF (OK) or the type and place of the error (FAILED),
never document data, which is social data. When ready (libraries loaded, one page rendered to warm the caches) the
worker sends an empty frame; at the end of its input it exits.

The print template gets the plain document dict, escaped by Jinja; WeasyPrint may fetch only the files inside
`print/` (stylesheet and fonts), any other URL stops the rendering (docs/security.md 20). Its tables are lines of
tab-separated text (`Columns`), which WeasyPrint lays out many times faster than table cells, and `finish_pdf`
repairs what WeasyPrint 69.0 writes wrong for them. This module imports nothing
from `portal` (`pdf.py` imports the protocol from it) and WeasyPrint and Jinja only inside functions, so importing
it is cheap.
"""

from __future__ import annotations

import json
import mimetypes
import os
import re
import resource
import struct
import sys
import traceback
import zlib
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urlsplit
from urllib.request import url2pathname
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from markupsafe import Markup

HERE = Path(__file__).resolve().parent
PRINT_DIR = HERE / "print"
TEMPLATE = "report.html"
ATTACHMENT_NAME = "teilnahmebericht.json"
PDF_VARIANT = "pdf/a-3b"
LOCAL_TIME = ZoneInfo("Europe/Berlin")

# The print fonts, regular and bold (report.css declares them); their widths lay text out in tab-aligned columns.
FONT_FILES = {False: "fonts/DejaVuSansCondensed.ttf", True: "fonts/DejaVuSansCondensed-Bold.ttf"}
PX_PER_PT = 4 / 3  # CSS pixels per point
GAP_PX = 3  # between a column's rule and its text (the padding-left of a tab-aligned block)
RULE_PX = 0.5  # the width of the rules between columns and rows
MASK_PX = 4  # the width of what covers a tab stop's rule inside a column (wide enough for coarse screen rendering)
ABSENCE_CODES = ("E", "UE", "K", "KK", "U")
# A decimal number in a TJ array (see finish_pdf), and the factor from Pango units to thousandths of an em.
TAB_ADVANCE = re.compile(rb"(?<=[\[>])-?[0-9]+\.[0-9]+(?:e-?[0-9]+)?(?=<)")
PANGO_UNITS_PER_THOUSANDTH = 1000 / 1024
COMPRESSION = 6  # zlib level of the PDF's streams: as small as level 9 within 1 %, in half the time
BREAKING_SPACE = re.compile(r"[^\S\xa0\u2007\u202f]+")

FRAME_HEADER = struct.Struct(">I")
MAX_FRAME = 256 * 1024 * 1024
OK = b"\x00"
FAILED = b"\x01"

# The floor for benchmarks: one page through the same stylesheet, fonts, PDF/A conversion and attachment.
MINIMAL_HTML = (
    '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Probeseite</title>'
    '<link rel="stylesheet" href="report.css"></head><body><h1>Probeseite</h1>'
    "<p>Diese Seite prüft den Dienst, der Teilnahmeberichte als PDF erzeugt.</p></body></html>"
)
MINIMAL_ATTACHMENT = b"{}"


class FrameError(Exception):
    """A frame that is cut off or longer than MAX_FRAME."""


class RefusedURLError(Exception):
    """The print template asked for something outside its own folder."""


def read_frame(stream: IO[bytes]) -> bytes | None:
    """The next frame, or None at the end of the input."""
    header = stream.read(FRAME_HEADER.size)
    if not header:
        return None
    if len(header) < FRAME_HEADER.size:
        raise FrameError("cut off")
    (length,) = FRAME_HEADER.unpack(header)
    if length > MAX_FRAME:
        raise FrameError("too long")
    payload = stream.read(length)
    if len(payload) < length:
        raise FrameError("cut off")
    return payload


def write_frame(stream: IO[bytes], payload: bytes) -> None:
    stream.write(FRAME_HEADER.pack(len(payload)) + payload)
    stream.flush()


def asset_path(url: str) -> Path | None:
    """The file inside PRINT_DIR that a `file:` URL names, or None for every other URL."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    name = url2pathname(parts.path)  # decodes %xx escapes, so "%2e%2e" and "%00" are seen for what they are
    if "\x00" in name:
        return None
    path = Path(name).resolve()
    return path if path.is_relative_to(PRINT_DIR) and path.is_file() else None


def fetch_asset(url: str) -> Any:
    """WeasyPrint's URL fetcher: the stylesheet and fonts of the print template, nothing else."""
    from weasyprint.urls import FatalURLFetchingError, URLFetcherResponse

    path = asset_path(url)
    if path is None:
        # Fatal: WeasyPrint would otherwise log the refusal and render on without the resource.
        raise FatalURLFetchingError(f"Refused to fetch {url[:200]!r}: only the print template's own files")
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": content_type})


def german_number(value: str | int, places: int = 2) -> str:
    """A decimal string as Germans write it: "1120.5" → "1.120,50"."""
    return f"{Decimal(value):,.{places}f}".translate(str.maketrans(",.", ".,"))


def euro(value: str) -> str:
    """Not `portal.templating.euro`: this process imports nothing from `portal`, gets amounts as strings from the
    frozen document, and keeps amount and sign on one printed line (a no-break space)."""
    return f"{german_number(value)}\u00a0€"


def compact_number(value: str) -> str:
    """Hours without trailing zeros, with a decimal point or comma in the input: "4.50" → "4,5", "20.0" → "20"."""
    return f"{Decimal(value.replace(',', '.')).normalize():f}".replace(".", ",")


def grid_cell(cell: str) -> str:
    """One day of the grid: the hours present ("4,5"), a code as it is, or nothing."""
    return compact_number(cell) if cell[:1].isdigit() else cell


def de_date(value: str) -> str:
    return datetime.fromisoformat(value).strftime("%d.%m.%Y")


def de_datetime(value: str) -> str:
    """An ISO point in time in local time: "2026-11-03T09:12:00+00:00" → "03.11.2026, 10:12 Uhr"."""
    return datetime.fromisoformat(value).astimezone(LOCAL_TIME).strftime("%d.%m.%Y, %H:%M Uhr")


def one_line(text: str) -> str:
    """The text with every run of white space but no-break spaces made one space: a tab or line break in the data
    would shift the columns of a tab-aligned table."""
    return BREAKING_SPACE.sub(" ", text).strip(" ")


def absences(counts: dict[str, int]) -> str:
    """The days absent by code, "E 1 · UE 2", or "keine"."""
    return " · ".join(f"{code}\xa0{counts[code]}" for code in ABSENCE_CODES if counts.get(code)) or "keine"


def legend_entry(entry: tuple[str, str]) -> list[str]:
    """A code and its meaning for the legend; hours present ("A") are shown as a number."""
    code, label = entry
    return ["Zahl" if code == "A" else code, label]


def free_day(day: dict[str, Any]) -> bool:
    """A weekend day or a holiday: its column in the grid is shaded."""
    return bool(day["weekend"] or day["holiday"])


class FontMetrics:
    """The advance widths of the print fonts, in em, by code point. report.css turns kerning and ligatures off, so a
    line of text is as wide as the sum of its characters' advances."""

    def __init__(self) -> None:
        from fontTools.ttLib import TTFont

        self.advances: dict[bool, dict[int, float]] = {}
        for bold, name in FONT_FILES.items():
            with TTFont(PRINT_DIR / name, lazy=True) as font:
                units, metrics = font["head"].unitsPerEm, font["hmtx"]
                self.advances[bold] = {code: metrics[glyph][0] / units for code, glyph in font.getBestCmap().items()}

    def width(self, text: str, size_pt: float, bold: bool = False) -> float:
        """The width of one line of text in CSS pixels; a character the font lacks counts as 1 em."""
        advances = self.advances[bold]
        return sum(advances.get(ord(char), 1.0) for char in text) * size_pt * PX_PER_PT

    @lru_cache(maxsize=4096)  # noqa: B019 - one instance per worker (font_metrics), and most cells repeat
    def fit(self, text: str, size_pt: float, limit_px: float, bold: bool) -> tuple[tuple[str, float], ...]:
        """The text with its white space made single spaces, broken into lines no wider than the limit: each line
        HTML-escaped, with its width."""
        from markupsafe import escape

        lines = self.wrap(one_line(text), size_pt, limit_px, bold)
        return tuple((str(escape(line)), self.width(line, size_pt, bold)) for line in lines)

    def wrap(self, text: str, size_pt: float, limit_px: float, bold: bool = False) -> list[str]:
        """The text broken at spaces into lines no wider than the limit; a word that is too long is cut."""
        if self.width(text, size_pt, bold) <= limit_px:
            return [text]
        lines: list[str] = []
        line = ""
        for word in text.split(" "):
            candidate = f"{line} {word}" if line else word
            if self.width(candidate, size_pt, bold) <= limit_px:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = word
            while len(line) > 1 and self.width(line, size_pt, bold) > limit_px:
                cut = len(line) - 1
                while cut > 1 and self.width(line[:cut], size_pt, bold) > limit_px:
                    cut -= 1
                lines.append(line[:cut])
                line = line[cut:]
        lines.append(line)
        return lines


@cache
def font_metrics() -> FontMetrics:
    return FontMetrics()


@dataclass(frozen=True)
class Rows:
    """Rows of a table of `lines` lines each, as tab-aligned text."""

    lines: int
    text: Markup


@dataclass(frozen=True)
class Columns:
    """Columns of a table that is set as lines of text, its cells separated by tabs: WeasyPrint lays out a line of
    text in a fraction of the time a row of table cells takes (about 0.5 ms against 1 ms per cell). Every column is a
    whole number of tab stops wide; a cell's text is broken into lines that end before the next column, and then its
    row takes several lines. `geometry` and `style` give the block the matching font size, line height, tab size and
    width, and draw rules and shading as background layers that line up with the tab stops.
    """

    size_pt: float
    line_px: int
    unit_px: int
    spans: tuple[int, ...]
    bold: bool = False  # the whole block is bold

    @property
    def width_px(self) -> int:
        return sum(self.spans) * self.unit_px

    def blocks(self, rows: Sequence[Sequence[Any]]) -> list[Rows]:
        """The rows, in runs of rows with the same number of lines: one block of text each, so that a background
        can draw a rule under every row (most tables are a single run of one-line rows)."""
        from markupsafe import Markup

        runs: list[Rows] = []
        for cells in rows:
            text = self.row(cells)
            lines = text.count("\n") + 1
            if runs and runs[-1].lines == lines:
                runs[-1] = Rows(lines, runs[-1].text + Markup("\n") + text)
            else:
                runs.append(Rows(lines, text))
        return runs

    def row(self, cells: Sequence[Any], bold: Collection[int] = ()) -> Markup:
        """One row: a value per column, escaped (a list of values: one line each); the columns numbered in `bold`
        are set in bold."""
        from markupsafe import Markup

        metrics = font_metrics()
        columns: list[tuple[tuple[str, float], ...]] = []  # per column its lines: escaped text and width
        for number, (cell, span) in enumerate(zip(cells, self.spans, strict=True)):
            heavy = self.bold or number in bold
            limit = span * self.unit_px - GAP_PX - 1
            parts = cell if isinstance(cell, list) else [cell]
            fitted = [metrics.fit(str(part), self.size_pt, limit, heavy) for part in parts]
            columns.append(fitted[0] if len(fitted) == 1 else sum(fitted, ()))
        text_lines = []
        for index in range(max(len(lines) for lines in columns)):
            line_cells = [lines[index] if index < len(lines) else ("", 0.0) for lines in columns]
            last = max((number for number, (text, _) in enumerate(line_cells) if text), default=-1)
            line = []
            for number, ((text, width), span) in enumerate(zip(line_cells[: last + 1], self.spans, strict=False)):
                # A tab goes to the next stop after the text: one fewer for every stop the text has passed.
                tabs = "\t" * (span - int(width // self.unit_px)) if number < last else ""
                # WeasyPrint measures the tab stops of a text from where it starts: the tabs after a bold value go
                # inside its element, so that the text after it starts on a stop again.
                line.append(f"<b>{text}{tabs}</b>" if text and number in bold and not self.bold else text + tabs)
            text_lines.append("".join(line))
        return Markup("\n".join(text_lines))  # noqa: S704 - every value is escaped by FontMetrics.fit

    def geometry(self) -> str:
        """The block's font size, line height, tab size and width, and the gap before the first column."""
        return (
            f"font-size: {self.size_pt}pt; line-height: {self.line_px}px; tab-size: {self.unit_px}px; "
            f"width: {self.width_px + RULE_PX - GAP_PX}px; padding-left: {GAP_PX}px"
            + ("; font-weight: bold" if self.bold else "")
        )

    def style(
        self,
        line: str = "#555",
        fill: str = "#fff",
        shade: str = "",
        shaded: Sequence[bool] = (),
        rows: str = "",
        row_lines: int = 1,
        band: str = "100%",
        inner: bool = True,
    ) -> str:
        """The geometry and the background: a rule of colour `line` before and after every column, the columns
        filled with `fill` or, where `shaded` is true, with `shade` (as high as `band`), and with `rows` a rule of
        that colour under every row of `row_lines` lines (see `blocks`). Without `inner`, only the outer rules.

        Few large background layers: a rule repeated at every tab stop, covered where a column spans several, and
        one rectangle per run of shaded columns. WeasyPrint draws a repeated layer as one pattern, but a gradient
        with a colour stop for every rule as a function per stop, on every page, which costs more than the text.
        """
        layers: list[tuple[str, str, str, str]] = []  # image, size, position, repeat; the first one on top
        if rows:
            height = self.line_px * row_lines
            rule = height - RULE_PX
            layers.append(
                (f"linear-gradient(transparent {rule}px, {rows} {rule}px)", f"100% {height}px", "0 0", "repeat-y")
            )
        stops = [0]
        for span in self.spans:
            stops.append(stops[-1] + span)
        inside = sorted(set(range(stops[-1])) - set(stops))  # the tab stops inside a column
        if not inner:
            stops = [stops[0], stops[-1]]
        if line and len(inside) + 1 < len(stops):
            for stop in inside:
                layers.append(
                    (
                        f"linear-gradient({fill})",
                        f"{MASK_PX}px 100%",
                        f"{stop * self.unit_px - MASK_PX / 2}px 0",
                        "no-repeat",
                    )
                )
            layers.append(
                (
                    f"linear-gradient(to right, {line} {RULE_PX}px, transparent {RULE_PX}px)",
                    f"{self.unit_px}px 100%",
                    "0 0",
                    "repeat-x",
                )
            )
        elif line:
            for stop in stops:
                layers.append(
                    (f"linear-gradient({line})", f"{RULE_PX}px 100%", f"{stop * self.unit_px}px 0", "no-repeat")
                )
        index = 0
        while index < len(self.spans):
            if index < len(shaded) and shaded[index]:
                first = index
                while index + 1 < len(self.spans) and index + 1 < len(shaded) and shaded[index + 1]:
                    index += 1
                left, right = stops[first] * self.unit_px, stops[index + 1] * self.unit_px
                layers.append((f"linear-gradient({shade})", f"{right - left}px {band}", f"{left}px 0", "no-repeat"))
            index += 1
        if not layers:
            return f"{self.geometry()}; background-color: {fill}"
        images, sizes, positions, repeats = (", ".join(parts) for parts in zip(*layers, strict=True))
        return (
            f"{self.geometry()}; background-color: {fill}; background-image: {images}; background-size: {sizes}; "
            f"background-position: {positions}; background-repeat: {repeats}"
        )


def columns(size_pt: float, line_px: int, unit_px: int, spans: Sequence[int], bold: bool = False) -> Columns:
    return Columns(size_pt, line_px, unit_px, tuple(spans), bold)


def title(document: dict[str, Any]) -> str:
    return f"Teilnahmebericht {document['period']['label']} – {document['offer']['title']}"


def environment() -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(
        loader=FileSystemLoader(PRINT_DIR),
        extensions=["jinja2.ext.do"],
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        number=german_number,
        compact=compact_number,
        euro=euro,
        cell=grid_cell,
        de_date=de_date,
        de_datetime=de_datetime,
        free=free_day,
        absences=absences,
        legend_entry=legend_entry,
    )
    env.globals.update(columns=columns)
    font_metrics()  # loaded once per worker, before the first timed request
    return env


def report_html(env: Any, document: dict[str, Any]) -> str:
    return str(env.get_template(TEMPLATE).render(doc=document, title=title(document)))


def attachment_json(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=2).encode()


def finish_pdf(_document: Any, pdf: Any) -> None:
    """Repairs two faults of WeasyPrint 69.0 and compresses every stream once (a WeasyPrint finisher).

    Gradients and transparency groups name the sRGB output intent by its resource key (`/ColorSpace /srgb`), which
    only a content stream may: Poppler, Acrobat, pdfium and PDFBox leave out the grid's rules and shading (fixed
    upstream in Kozea/WeasyPrint#2872). They get DeviceRGB, which WeasyPrint 68 wrote and the text colours use; PDF/A
    allows it with the sRGB output intent. And the advance of a tab in a TJ array lacks the factor 1000/1024 from
    Pango units to thousandths of an em (weasyprint/draw/text.py, "zero-width empty glyph"): every tab is drawn 2.4 %
    too wide, and the cells of a tab-aligned row drift to the right of their column. Those advances are the only
    decimal fractions in TJ arrays (kerning is written as whole numbers), and are scaled. Other versions are left
    alone; the tests notice if their tabs or gradients are wrong.

    pydyf compresses a stream (at level 9) each time it serializes it, and a PDF with a file identifier, as PDF/A
    requires, is serialized twice: the identifier is a hash of all objects. Compressed here once, a stream is written
    as it is.
    """
    import pydyf
    import weasyprint

    repair = weasyprint.__version__ == "69.0"
    serialize = getattr(pydyf, "_to_bytes", None)
    seen: set[int] = set()
    pending: list[Any] = list(pdf.objects)
    while pending:
        item = pending.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, pydyf.Stream):
            if repair:
                item.stream = [repair_text(operation) for operation in item.stream]
            if item.compress and serialize is not None:
                data = b"\n".join(serialize(operation) for operation in item.stream)
                item.stream, item.compress = [zlib.compress(data, COMPRESSION)], False
                item.extra["Filter"] = "/FlateDecode"
            pending.append(item.extra)
        elif isinstance(item, dict):
            if repair and "ShadingType" in item and item.get("ColorSpace") == "/srgb":
                item["ColorSpace"] = "/DeviceRGB"
            if repair and item.get("S") == "/Transparency" and item.get("CS") == "/srgb":
                item["CS"] = "/DeviceRGB"
            pending.extend(value for value in item.values() if isinstance(value, dict | list | pydyf.Stream))
        elif isinstance(item, list):
            pending.extend(value for value in item if isinstance(value, dict | list | pydyf.Stream))


def repair_text(operation: Any) -> Any:
    """A TJ operation with its tab advances in thousandths of an em; any other operation as it is."""
    if not (isinstance(operation, bytes) and operation.endswith(b"] TJ") and b"." in operation):
        return operation
    return TAB_ADVANCE.sub(lambda match: b"%.3f" % (float(match[0]) * PANGO_UNITS_PER_THOUSANDTH), operation)


def write_pdf(html: str, attachment: bytes, url_fetcher: Callable[[str], Any] = fetch_asset) -> bytes:
    from weasyprint import HTML, Attachment
    from weasyprint.urls import FatalURLFetchingError

    now = datetime.now(UTC)  # WeasyPrint writes the attachment's dates as UTC
    data = Attachment(
        string=attachment,
        name=ATTACHMENT_NAME,
        description="Teilnahmebericht (JSON)",
        created=now,
        modified=now,
        relationship="Data",
    )
    page = HTML(string=html, base_url=PRINT_DIR.as_uri() + "/", url_fetcher=url_fetcher)
    try:
        return bytes(page.write_pdf(pdf_variant=PDF_VARIANT, attachments=[data], finisher=finish_pdf))
    except FatalURLFetchingError as refused:  # a BaseException: turned into an ordinary error here
        raise RefusedURLError(str(refused)) from refused


def render(env: Any, request: dict[str, Any]) -> bytes:
    if request["kind"] == "minimal":
        return write_pdf(MINIMAL_HTML, MINIMAL_ATTACHMENT)
    document = request["document"]
    return write_pdf(report_html(env, document), attachment_json(document))


def answer(env: Any, request: bytes) -> bytes:
    """OK and the PDF, or FAILED and what went wrong where (no values: they may be participant data)."""
    try:
        return OK + render(env, json.loads(request))
    except Exception as error:
        return FAILED + f"{type(error).__name__} at {error_place(error)}".encode()


def error_place(error: Exception) -> str:
    """The innermost line of this module or the template that the error passed through."""
    ours = [frame for frame in traceback.extract_tb(error.__traceback__) if Path(frame.filename).is_relative_to(HERE)]
    return f"{Path(ours[-1].filename).name}:{ours[-1].lineno}"


def limit_memory(memory_bytes: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))


def frame_streams() -> tuple[IO[bytes], IO[bytes]]:
    """Standard input, and a private copy of standard output: what libraries print goes to standard error."""
    frames_out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    return sys.stdin.buffer, frames_out


def serve(env: Any, frames_in: IO[bytes], frames_out: IO[bytes]) -> None:
    write_pdf(MINIMAL_HTML, MINIMAL_ATTACHMENT)  # warms fonts and caches before the first timed request
    write_frame(frames_out, b"")
    while (request := read_frame(frames_in)) is not None:
        write_frame(frames_out, answer(env, request))


def main(argv: Sequence[str]) -> None:
    limit_memory(int(argv[0]))
    serve(environment(), *frame_streams())


if __name__ == "__main__":  # pragma: no cover - the tests call main() in-process; PdfPool runs this in a child
    main(sys.argv[1:])
