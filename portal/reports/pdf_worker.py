"""Renders the portal's documents as tagged PDF/A-3 in a long-lived process of its own (started by `pdf.PdfPool`).

Runs as `python -I pdf_worker.py MEMORY_BYTES`: it limits its own address space first, so a runaway layout can only kill
this process, never the portal. Requests and answers travel as frames over standard input and output: a 4-byte
big-endian length, then the payload. A request is JSON, `{"kind": "report" or "settlement", "document": {...}, "status":
{"label": ..., "since": ...}}` or `{"kind": "minimal"}`; an answer is one status byte, then the PDF (OK) or the type and
place of the error (FAILED), never document data, which is social data. When ready (libraries loaded, one page rendered
to warm the caches) the worker sends an empty frame; at the end of its input it exits.

The print template of the kind gets the plain document dict and the current status (the document keeps the status it was
frozen with), escaped by Jinja; WeasyPrint may fetch only the files inside `print/` (stylesheet and fonts), any other
URL stops the rendering (docs/security.md 20). The PDF is tagged (PDF/A-3u with a structure tree: headings, paragraphs,
real tables with header cells), and `finish_pdf` repairs what the installed WeasyPrint writes wrong in it. The document
is embedded as JSON, unchanged. This module imports nothing from `portal` (`pdf.py` imports the protocol from it) and
WeasyPrint and Jinja only inside functions, so importing it is cheap.
"""

from __future__ import annotations

import itertools
import json
import mimetypes
import os
import resource
import struct
import sys
import traceback
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit
from urllib.request import url2pathname
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
PRINT_DIR = HERE / "print"
PDF_VARIANT = "pdf/a-3u"
LOCAL_TIME = ZoneInfo("Europe/Berlin")
ABSENCE_CODES = ("E", "UE", "K", "KK", "U")
COMPRESSION = 6  # zlib level of the PDF's streams: as small as level 9 within 1 %, in half the time

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


@dataclass(frozen=True)
class Kind:
    """A kind of document: its print template, the name and description of its JSON attachment, its title."""

    template: str
    attachment: str
    description: str
    title: Callable[[dict[str, Any]], str]


KINDS = {
    "report": Kind(
        "report.html",
        "teilnahmebericht.json",
        "Teilnahmebericht (JSON)",
        lambda doc: f"Teilnahmebericht {doc['period']['label']} – {doc['offer']['title']}",
    ),
    "settlement": Kind(
        "settlement.html",
        "abrechnung.json",
        "Abrechnung (JSON)",
        lambda doc: f"Abrechnung {doc['period']['label']} – {doc['provider']['name']}",
    ),
}


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


def add_up(amounts: Sequence[str]) -> str:
    """The sum of amounts given as decimal strings, as a decimal string: ["1.50", "2"] → "3.50"."""
    return str(sum((Decimal(amount) for amount in amounts), Decimal("0.00")))


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


def status_line(status: dict[str, str]) -> str:
    """The current status and the local day it was reached: "Genehmigt am 05.11.2026"."""
    since = datetime.fromisoformat(status["since"])
    if since.tzinfo is None:  # the portal stores points in time as naive UTC
        since = since.replace(tzinfo=UTC)
    return f"{status['label']} am {since.astimezone(LOCAL_TIME):%d.%m.%Y}"


def absences(counts: dict[str, int]) -> str:
    """The days absent by code, "E 1 · UE 2", or "keine"."""
    return " · ".join(f"{code}\xa0{counts[code]}" for code in ABSENCE_CODES if counts.get(code)) or "keine"


def free_day(day: dict[str, Any]) -> bool:
    """A weekend day or a holiday: its column in the grid is shaded."""
    return bool(day["weekend"] or day["holiday"])


def environment() -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(
        loader=FileSystemLoader(PRINT_DIR),
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
        status_line=status_line,
        add_up=add_up,
    )
    return env


def document_html(env: Any, kind: Kind, document: dict[str, Any], status: dict[str, str]) -> str:
    return str(env.get_template(kind.template).render(doc=document, status=status, title=kind.title(document)))


def attachment_json(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=2).encode()


# The newest WeasyPrint whose output the repairs below were measured on. A later version gets none of them: the tests
# check the structure tree of every PDF and notice whether that version still needs a repair (tests/reports/test_pdf).
REPAIRED_UP_TO = (70, 0)


def version_of(text: str) -> tuple[int, ...]:
    """A version string as numbers to compare: "69.0" → (69, 0), "71.0b1" → (71, 0)."""
    numbers = []
    for part in text.split(".")[:2]:
        digits = "".join(itertools.takewhile(str.isdigit, part))
        numbers.append(int(digits or 0))
    return tuple(numbers)


def needs_repairs(version: str) -> bool:
    return version_of(version) <= REPAIRED_UP_TO


def finish_pdf(_document: Any, pdf: Any) -> None:
    """Repairs the structure tree of WeasyPrint up to 70.0 and compresses every stream once (a WeasyPrint finisher).

    Measured on the bytes of 69.0 and 70.0: header cells get an identifier (`/ID`) that the data cells name in their
    `/Headers`, but the structure tree has no `/IDTree`, so a reader cannot resolve the names (PDF 1.7, 14.7.2); and
    a header cell says neither in 69.0 nor in 70.0 whether it heads a column or a row (`/Scope`, which PDF/UA
    asks for). `structure_repairs` adds both.

    pydyf compresses a stream (at level 9) each time it serializes it, and a PDF with a file identifier, as PDF/A
    requires, is serialized twice: the identifier is a hash of all objects. Compressed here once, a stream is written
    as it is.
    """
    import pydyf
    import weasyprint

    if needs_repairs(weasyprint.__version__):
        structure_repairs(pdf)
    serialize = getattr(pydyf, "_to_bytes", None)
    for item in pdf.objects:
        if isinstance(item, pydyf.Stream) and item.compress and serialize is not None:
            data = b"\n".join(serialize(operation) for operation in item.stream)
            item.stream, item.compress = [zlib.compress(data, COMPRESSION)], False
            item.extra["Filter"] = "/FlateDecode"


def structure_repairs(pdf: Any) -> None:
    """The structure tree's `/IDTree`, and the `/Scope` of every header cell: a column's in a table head, a row's
    in a table body."""
    import pydyf

    by_reference = {item.reference: item for item in pdf.objects if isinstance(item, pydyf.Dictionary)}
    roots = [item for item in by_reference.values() if item.get("Type") == "/StructTreeRoot"]
    identified = []
    for element in by_reference.values():
        if element.get("Type") != "/StructElem":
            continue
        if "ID" in element:
            identified.append(element)
        if element.get("S") == "/TH":
            row = by_reference[element["P"]]
            group = by_reference[row["P"]].get("S")
            attributes = element.setdefault("A", pydyf.Dictionary({"O": "/Table"}))
            attributes.setdefault("Scope", "/Column" if group == "/THead" else "/Row")
    if roots and identified and "IDTree" not in roots[0]:
        names = pydyf.Array()
        for element in sorted(identified, key=lambda item: item["ID"].data):
            names.extend([element["ID"], element.reference])
        roots[0]["IDTree"] = pydyf.Dictionary({"Names": names})


def write_pdf(
    html: str, attachment: bytes, kind: Kind = KINDS["report"], url_fetcher: Callable[[str], Any] = fetch_asset
) -> bytes:
    """The tagged PDF/A-3u of the page, with the attachment embedded as the kind's JSON file."""
    from weasyprint import HTML, Attachment
    from weasyprint.urls import FatalURLFetchingError

    now = datetime.now(UTC)  # WeasyPrint writes the attachment's dates as UTC
    data = Attachment(
        string=attachment,
        name=kind.attachment,
        description=kind.description,
        created=now,
        modified=now,
        relationship="Data",
    )
    page = HTML(string=html, base_url=PRINT_DIR.as_uri() + "/", url_fetcher=url_fetcher)
    try:
        return bytes(page.write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True, attachments=[data], finisher=finish_pdf))
    except FatalURLFetchingError as refused:  # a BaseException: turned into an ordinary error here
        raise RefusedURLError(str(refused)) from refused


def render(env: Any, request: dict[str, Any]) -> bytes:
    if request["kind"] == "minimal":
        return write_pdf(MINIMAL_HTML, MINIMAL_ATTACHMENT)
    kind, document = KINDS[request["kind"]], request["document"]
    return write_pdf(document_html(env, kind, document, request["status"]), attachment_json(document), kind)


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
