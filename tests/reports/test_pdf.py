"""The official PDFs: real renderings in real worker processes, read back with pypdf (docs/security.md 20): what
the report says, its structure tree (tables with header cells, as a screen reader reads them), PDF/A-3u with the
document attached, and the repairs of the structure tree, measured on the bytes of each WeasyPrint at hand."""

from __future__ import annotations

import gc
import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from pypdf import PdfReader
from weasyprint.urls import FatalURLFetchingError

from portal.reports import pdf, pdf_worker
from portal.reports.pdf import (
    RENDER_FAILED,
    PdfPool,
    PdfRenderError,
    Status,
    close_default_pool,
    default_pool,
    pool_settings,
    render_minimal,
    render_report,
)
from portal.reports.pdf_worker import (
    FAILED,
    MAX_FRAME,
    OK,
    PRINT_DIR,
    FrameError,
    RefusedURLError,
    german_number,
    read_frame,
    write_frame,
)
from tests import tagged_pdf
from tests.reports.documents import example_document
from tests.settlements.documents import example_settlement
from tests.tagged_pdf import Element, TaggedPdf

SCHEMA = Path(pdf_worker.__file__).with_name("schema") / "teilnahmebericht-v1.json"
TITLE = "Teilnahmebericht Oktober 2026 – Stadtteilgarten Nord"
STATUS = Status("Genehmigt", datetime(2026, 11, 5, 23, 30, tzinfo=UTC))  # 6 November in Germany
STATUS_REQUEST = {"label": STATUS.label, "since": STATUS.since.isoformat()}  # as the worker gets it
# WeasyPrint leaves the sRGB profile it embeds for PDF/A to the garbage collector. Harmless in the worker; in this
# process the tests that render collect it themselves (fixture `in_process`) with the warning silenced.
IN_PROCESS = pytest.mark.filterwarnings("ignore:unclosed file .*sRGB2014\\.icc:ResourceWarning")


@pytest.fixture
def in_process() -> Iterator[None]:
    yield
    gc.collect()


@pytest.fixture(scope="module")
def pool() -> Iterator[PdfPool]:
    shared = PdfPool(size=2)
    yield shared
    shared.close()


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return example_document(participants=8, year=2026, month=10)


@pytest.fixture(scope="module")
def rendered(pool: PdfPool, document: dict[str, Any]) -> bytes:
    return render_report(document, STATUS, pool)


@pytest.fixture(scope="module")
def reader(rendered: bytes) -> PdfReader:
    return PdfReader(BytesIO(rendered))


@pytest.fixture(scope="module")
def tagged(rendered: bytes) -> TaggedPdf:
    return tagged_pdf.read(rendered)


def page_texts(reader: PdfReader) -> list[str]:
    return [page.extract_text().replace("\xa0", " ") for page in reader.pages]


def de(amount: str) -> str:
    return german_number(amount)


def day_headers(document: dict[str, Any]) -> list[str]:
    """The header cells of the grid: a day's number and weekday in each day's column."""
    days = [f"{day['day']} {day['weekday']}" for day in document["days"]]
    return ["Nr.", "Kundennummer", "Kürzel", *days, "Tage", "Std."]


def texts(cells: list[Element]) -> list[str]:
    return [cell.text for cell in cells]


def grid_rows(tagged: TaggedPdf, document: dict[str, Any]) -> list[list[Element]]:
    """The rows of the grid's body, from every page it takes (each page's part of it is a table)."""
    headers = day_headers(document)
    tables = [table for table in tagged.tables() if texts(table.rows()[0]) == headers]
    assert tables
    return [row for table in tables for row in table.rows()[1:]]


def assert_right_aligned(tagged: TaggedPdf, cells: list[Element]) -> None:
    edges = [tagged.right_edge(cell) for cell in cells]
    assert max(edges) - min(edges) < 0.5, edges


# --- What the PDF says, and what a screen reader finds in it ---------------------------------------------------------


def test_the_pdf_is_tagged(reader: PdfReader, tagged: TaggedPdf) -> None:
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "de"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    headings = [(element.tag, element.text) for element in tagged.document.find("H1") + tagged.document.find("H2")]
    assert headings[:3] == [
        ("H1", "Teilnahmebericht Oktober 2026"),
        ("H2", "Anwesenheit"),
        ("H2", "Teilnehmende und Summen je Person"),
    ]


def test_the_grid_is_a_table_with_a_header_cell_per_day(tagged: TaggedPdf, document: dict[str, Any]) -> None:
    grid = next(table for table in tagged.tables() if table.find("Caption"))
    head = grid.rows()[0]
    assert texts(head) == day_headers(document)
    assert {(cell.tag, str(cell.attributes["Scope"])) for cell in head} == {("TH", "/Column")}
    assert grid.find("Caption")[0].text.startswith("Anwesenheit je Tag")


def test_every_entry_is_in_the_cell_of_its_person_and_day(tagged: TaggedPdf, document: dict[str, Any]) -> None:
    rows = grid_rows(tagged, document)
    assert len(rows) == len(document["participants"])
    for number, (row, person) in enumerate(zip(rows, document["participants"], strict=True), start=1):
        totals = person["totals"]
        cells = [pdf_worker.grid_cell(cell) for cell in person["days"]]
        expected = [str(number), person["customer_number"], person["initials"], *cells]
        assert texts(row) == [*expected, str(totals["days_present"]), de(totals["hours_worked"])]
        assert (row[1].tag, str(row[1].attributes["Scope"])) == ("TH", "/Row")
        for day, cell in zip(document["days"], row[3:-2], strict=True):
            assert tagged.header_texts(cell) == [person["customer_number"], f"{day['day']} {day['weekday']}"]


def test_every_participant_has_a_row_with_their_totals(tagged: TaggedPdf, document: dict[str, Any]) -> None:
    people = [table for table in tagged.tables() if texts(table.rows()[0])[3:4] == ["Einsatzstelle"]]
    rows = [row for table in people for row in table.rows()[1:]]
    assert len(rows) == len(document["participants"])
    for row, person in zip(rows, document["participants"], strict=True):
        totals = person["totals"]
        money = [de(totals["mae_payable"]) + " €", de(totals["place_months"]), de(totals["mkp_claim"]) + " €"]
        assert texts(row)[1:4] == [person["customer_number"], person["initials"], person["site"]]
        assert texts(row)[-3:] == money
        assert tagged.header_texts(row[-1]) == [person["customer_number"], "MKP"]
    for column in (5, 6, 7, 8, 10, 11, 12):  # hours, rates, days and amounts: right-aligned on each page
        for table in people:
            assert_right_aligned(tagged, [row[column] for row in table.rows()])


def test_the_offer_totals(tagged: TaggedPdf, document: dict[str, Any]) -> None:
    totals = document["totals"]
    (sums,) = [table for table in tagged.tables() if texts(table.rows()[0])[:1] == ["Teilnehmende"]]
    assert [texts(row) for row in sums.rows()] == [
        ["Teilnehmende", str(totals["participants"])],
        ["Anwesenheitstage", str(totals["days_present"])],
        ["Geleistete Stunden", de(totals["hours_worked"])],
        ["Mehraufwandsentschädigung (MAE)", f"{de(totals['mae_payable'])} €"],
        ["Belegte Platzmonate", de(totals["place_months"])],
        ["Maßnahmekostenpauschale (MKP) je Platzmonat", f"{de(totals['mkp_per_place_month'])} €"],
        ["MKP brutto", f"{de(totals['mkp_gross'])} €"],
        ["Kürzung für unentschuldigte Fehltage", f"− {de(totals['mkp_reduction'])} €"],
        ["MKP-Anspruch", f"{de(totals['mkp_claim'])} €"],
    ]
    assert_right_aligned(tagged, [row[1] for row in sums.rows()])


def test_events_legend_declaration_and_signature_lines(
    reader: PdfReader, tagged: TaggedPdf, document: dict[str, Any]
) -> None:
    (events,) = [table for table in tagged.tables() if texts(table.rows()[0])[:1] == ["Datum"]]
    assert ["14.10.2026", "101A457802", "B. L.", "Abbruch", "Umzug in einen anderen Landkreis"] in [
        texts(row) for row in events.rows()
    ]
    legend = [item.text for item in tagged.document.find("LI")]
    for code, label in document["codes"].items():
        assert f"{'Zahl' if code == 'A' else code} {label}" in legend
    text = "\n".join(page_texts(reader))
    assert "Feiertage: 03.10.2026 Tag der Deutschen Einheit" in text
    assert document["declaration"] in text.replace("\n", " ")
    assert "Im Partnerportal bestätigt von Erika Beispiel am 03.11.2026, 10:12 Uhr." in text
    for line in ("Ort, Datum", "Unterschrift der vertretungsberechtigten Person", "Stempel des Trägers"):
        assert line in text


def test_the_status_printed_is_the_current_one(reader: PdfReader, tagged: TaggedPdf, document: dict[str, Any]) -> None:
    facts = tagged.tables()[0]
    assert texts(facts.rows()[2])[2:] == ["Status", "Genehmigt am 06.11.2026 (Version 1)"]
    for text in page_texts(reader):
        assert "Stand: Genehmigt am 06.11.2026" in text
    (data,) = reader.attachments["teilnahmebericht.json"]
    assert json.loads(data)["report"]["status"] == document["report"]["status"] == "Eingereicht"


def test_every_page_has_the_header_and_its_number(reader: PdfReader) -> None:
    texts = page_texts(reader)
    assert len(texts) >= 2
    for number, text in enumerate(texts, start=1):
        assert "ARGE Musterstadt – Jobcenter\nTeilnahmebericht Oktober 2026\n" in text
        assert "Träger: Caritasverband Musterstadt e. V. · Angebot Nr. 12: Stadtteilgarten Nord" in text
        assert text.endswith(f"Seite {number} von {len(texts)}")


def test_a4_landscape(reader: PdfReader) -> None:
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (842, 595)


def test_long_values_wrap_inside_their_cell(pool: PdfPool) -> None:
    document = example_document(participants=3)
    site = "Tafel Musterstadt e. V., Ausgabestelle Nord im Gemeindezentrum an der Hauptstraße, Hinterhaus"
    reason = "Umzug in einen anderen Landkreis; die neue Anschrift liegt dem Träger vor. " * 4
    document["participants"][1]["site"] = site
    document["events"][0]["reason"] = reason.strip()
    tagged = tagged_pdf.read(render_report(document, STATUS, pool))
    (people,) = [table for table in tagged.tables() if texts(table.rows()[0])[3:4] == ["Einsatzstelle"]]
    rows = people.rows()[1:]
    assert rows[1][3].text == site
    assert len({tagged.marked[mcid][1] for mcid in rows[1][3].attributes["_mcids"]}) == 1  # one column: one start
    for column in (10, 11, 12):  # MAE, place-months, MKP stay right-aligned
        assert_right_aligned(tagged, [row[column] for row in rows])
    (events,) = [table for table in tagged.tables() if texts(table.rows()[0])[:1] == ["Datum"]]
    assert events.rows()[1][4].text == reason.strip()


def test_markup_and_white_space_in_the_data_stay_text(pool: PdfPool) -> None:
    document = example_document(participants=2)
    document["participants"][0]["initials"] = "<b>X</b>"
    document["participants"][0]["site"] = "Nord\tpark\nHof"
    tagged = tagged_pdf.read(render_report(document, STATUS, pool))
    (people,) = [table for table in tagged.tables() if texts(table.rows()[0])[3:4] == ["Einsatzstelle"]]
    assert texts(people.rows()[1])[2:4] == ["<b>X</b>", "Nord park Hof"]


# --- The repairs of the structure tree, measured on the bytes of each WeasyPrint at hand ----------------------------

# A Python with the other WeasyPrint (69.0 or 70.0) and Jinja, e.g. `python3 -m venv /tmp/wp70 &&
# /tmp/wp70/bin/pip install weasyprint==70.0 jinja2` and PORTAL_TEST_OTHER_WEASYPRINT=/tmp/wp70/bin/python; without
# it only the installed version is tested (docs/architecture.md, data flow 4).
OTHER_WEASYPRINT = os.environ.get("PORTAL_TEST_OTHER_WEASYPRINT", "")
# Renders the request on stdin with the worker module of this checkout, as WeasyPrint writes it and as finish_pdf
# leaves it; prints the version. Run by the interpreter under test, so it imports nothing of the portal.
RAW_AND_REPAIRED = """
import json, sys
sys.path.insert(0, sys.argv[1])
import pdf_worker, weasyprint
request = json.load(sys.stdin)
kind = pdf_worker.KINDS[request["kind"]]
html = pdf_worker.document_html(pdf_worker.environment(), kind, request["document"], request["status"])
page = weasyprint.HTML(string=html, base_url=pdf_worker.PRINT_DIR.as_uri() + "/", url_fetcher=pdf_worker.fetch_asset)
open(sys.argv[2], "wb").write(page.write_pdf(pdf_variant=pdf_worker.PDF_VARIANT, pdf_tags=True))
open(sys.argv[3], "wb").write(pdf_worker.write_pdf(html, b"{}", kind))
print(weasyprint.__version__)
"""


def header_faults(data: bytes) -> tuple[bool, set[str]]:
    """Whether the structure tree has an IDTree, and the Scope values of its header cells ("" for none)."""
    root = PdfReader(BytesIO(data)).trailer["/Root"]["/StructTreeRoot"]
    scopes, pending = set(), list(root["/K"])
    while pending:
        node = pending.pop().get_object()
        if not hasattr(node, "get") or "/S" not in node:
            continue
        if node["/S"] == "/TH":
            scopes.add(str(node.get("/A", {}).get("/Scope", "")))
        kids = node.get("/K", [])
        pending.extend(kids if isinstance(kids, list) else [kids])
    return "/IDTree" in root, scopes


@pytest.mark.parametrize(
    "python",
    [
        pytest.param(sys.executable, id="installed"),
        pytest.param(
            OTHER_WEASYPRINT,
            id="other",
            marks=pytest.mark.skipif(not OTHER_WEASYPRINT, reason="PORTAL_TEST_OTHER_WEASYPRINT is not set"),
        ),
    ],
)
@pytest.mark.parametrize("kind", ["report", "settlement"])
def test_the_repairs_fix_what_the_weasyprint_at_hand_writes_wrong(python: str, kind: str, tmp_path: Path) -> None:
    document = example_document(participants=3) if kind == "report" else example_settlement()
    raw, repaired = tmp_path / "raw.pdf", tmp_path / "repaired.pdf"
    request = json.dumps({"kind": kind, "document": document, "status": STATUS_REQUEST})
    version = subprocess.run(
        [python, "-I", "-c", RAW_AND_REPAIRED, str(PRINT_DIR.parent), str(raw), str(repaired)],
        input=request,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout.strip()
    assert version in ("69.0", "70.0")
    assert pdf_worker.needs_repairs(version)
    # Measured: both versions write header cells without a Scope and name them in /Headers without an IDTree.
    assert header_faults(raw.read_bytes()) == (False, {""})
    assert header_faults(repaired.read_bytes()) == (True, {"/Column", "/Row"})
    tagged = tagged_pdf.read(repaired.read_bytes())  # every header a data cell names resolves to its cell
    cells = [cell for table in tagged.tables() for row in table.rows() for cell in row if cell.tag == "TD"]
    assert cells
    assert all(cell.headers and all(name in tagged.ids for name in cell.headers) for cell in cells)


@pytest.mark.parametrize(
    ("version", "numbers", "repaired"),
    [
        ("69.0", (69, 0), True),
        ("70.0", (70, 0), True),
        ("70.1", (70, 1), False),
        ("71.0b1", (71, 0), False),
        ("68", (68,), True),
    ],
)
def test_the_repairs_are_for_the_versions_they_were_measured_on(
    version: str, numbers: tuple[int, ...], repaired: bool
) -> None:
    assert pdf_worker.version_of(version) == numbers
    assert pdf_worker.needs_repairs(version) is repaired


def test_the_repairs_keep_what_weasyprint_wrote_right() -> None:
    import pydyf

    document = pydyf.PDF()
    root = pydyf.Dictionary({"Type": "/StructTreeRoot"})
    document.add_object(root)
    head = pydyf.Dictionary({"Type": "/StructElem", "S": "/THead"})
    document.add_object(head)
    row = pydyf.Dictionary({"Type": "/StructElem", "S": "/TR", "P": head.reference})
    document.add_object(row)
    given = pydyf.Dictionary({"O": "/Table", "Scope": "/Both"})
    cell = pydyf.Dictionary({"Type": "/StructElem", "S": "/TH", "P": row.reference, "A": given})
    document.add_object(cell)
    plain = pydyf.Dictionary({"Type": "/StructElem", "S": "/TH", "P": row.reference, "ID": pydyf.String("h1")})
    document.add_object(plain)
    pdf_worker.structure_repairs(document)
    assert (cell["A"]["Scope"], plain["A"]["Scope"]) == ("/Both", "/Column")
    assert list(root["IDTree"]["Names"]) == [plain["ID"], plain.reference]
    tree = root["IDTree"]
    pdf_worker.structure_repairs(document)
    assert root["IDTree"] is tree


# --- PDF/A-3u with the data embedded ----------------------------------------------------------------------------------


def test_xmp_declares_pdf_a_3u(reader: PdfReader) -> None:
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r'pdfaid:part(="|>)3', xmp)
    assert re.search(r'pdfaid:conformance(="|>)U', xmp)
    assert TITLE in xmp
    assert "/OutputIntents" in reader.trailer["/Root"]


def test_title_and_language(reader: PdfReader) -> None:
    assert reader.metadata is not None
    assert reader.metadata.title == TITLE
    assert reader.trailer["/Root"]["/Lang"] == "de"


def test_all_fonts_are_embedded(reader: PdfReader) -> None:
    fonts = [font.get_object() for page in reader.pages for font in page["/Resources"]["/Font"].values()]
    assert fonts
    for font in fonts:
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        assert "/FontFile2" in descriptor


def test_the_document_is_attached_as_json(reader: PdfReader, document: dict[str, Any]) -> None:
    (data,) = reader.attachments["teilnahmebericht.json"]
    assert json.loads(data.decode()) == document
    assert data.decode() == json.dumps(document, ensure_ascii=False, indent=2)
    filespec = reader.trailer["/Root"]["/AF"][0].get_object()
    assert filespec["/AFRelationship"] == "/Data"
    assert filespec["/EF"]["/F"].get_object()["/Subtype"] == "/application/json"


def test_200_participants_split_across_pages(pool: PdfPool) -> None:
    document = example_document(participants=200)
    tagged = tagged_pdf.read(render_report(document, STATUS, pool))
    pages = len(tagged.reader.pages)
    assert pages >= 8
    # Each page's part of a table is a table of its own, which starts with the header row again.
    grids = [table for table in tagged.tables() if texts(table.rows()[0]) == day_headers(document)]
    assert len(grids) >= 4
    assert [row[1].text for row in grid_rows(tagged, document)] == [
        person["customer_number"] for person in document["participants"]
    ]
    people = [table for table in tagged.tables() if texts(table.rows()[0])[3:4] == ["Einsatzstelle"]]
    assert len(people) >= 3
    assert sum(len(table.rows()) - 1 for table in people) == 200
    assert tagged.reader.pages[-1].extract_text().endswith(f"Seite {pages} von {pages}")


def test_a_minimal_pdf_comes_from_the_same_workers(pool: PdfPool) -> None:
    reader = PdfReader(BytesIO(render_minimal(pool)))
    assert len(reader.pages) == 1
    assert "Probeseite" in reader.pages[0].extract_text()
    assert list(reader.attachments) == ["teilnahmebericht.json"]


def test_only_schema_version_1_is_rendered(document: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="schema version 1"):
        render_report({**document, "schema_version": 2}, STATUS, PdfPool())


# --- Nothing is fetched from outside (docs/security.md 20) ------------------------------------------------------------


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A loopback port that would see any request the renderer made."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.setblocking(False)
        yield server


def test_markup_in_the_data_is_printed_not_fetched(
    pool: PdfPool, document: dict[str, Any], listener: socket.socket
) -> None:
    port = listener.getsockname()[1]
    hostile = f'<img src="http://127.0.0.1:{port}/x"><link rel="stylesheet" href="file:///etc/passwd">'
    style = f"<style>@import url(http://127.0.0.1:{port}/y.css);</style>"
    changed = {**document, "provider": {"name": hostile}, "offer": {**document["offer"], "title": style}}
    text = "\n".join(page_texts(PdfReader(BytesIO(render_report(changed, STATUS, pool)))))
    assert hostile in text
    assert style in text
    with pytest.raises(BlockingIOError):
        listener.accept()


@IN_PROCESS
@pytest.mark.usefixtures("in_process")
@pytest.mark.parametrize("kind", ["report", "settlement"])
def test_the_renderer_asks_only_for_its_own_files(kind: str, caplog: pytest.LogCaptureFixture) -> None:
    asked: list[str] = []

    def spy(url: str) -> Any:
        asked.append(url)
        return pdf_worker.fetch_asset(url)

    document = example_document() if kind == "report" else example_settlement()
    html = pdf_worker.document_html(pdf_worker.environment(), pdf_worker.KINDS[kind], document, STATUS_REQUEST)
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        assert pdf_worker.write_pdf(html, b"{}", pdf_worker.KINDS[kind], url_fetcher=spy).startswith(b"%PDF-")
    assert caplog.records == []  # the templates and stylesheet use only what WeasyPrint supports
    assert sorted(asked) == [
        (PRINT_DIR / name).as_uri()
        for name in ("fonts/DejaVuSansCondensed-Bold.ttf", "fonts/DejaVuSansCondensed.ttf", "report.css")
    ]


@pytest.mark.parametrize(
    "markup",
    [
        '<img src="file:///etc/passwd">',
        '<link rel="stylesheet" href="http://127.0.0.1:9/x.css">',
        '<img src="data:image/png;base64,iVBORw0KGgo=">',
        "<style>@font-face { font-family: x; src: url(../pdf.py) } p { font-family: x }</style>",
    ],
)
def test_a_template_that_asks_for_more_is_stopped(markup: str) -> None:
    with pytest.raises(RefusedURLError, match="only the print template's own files"):
        pdf_worker.write_pdf(f'<html lang="de"><p>Test</p>{markup}</html>', b"{}")


@pytest.mark.parametrize("name", ["report.css", "fonts/DejaVuSansCondensed.ttf"])
def test_the_fetcher_serves_the_print_folder(name: str) -> None:
    response = pdf_worker.fetch_asset((PRINT_DIR / name).as_uri())
    assert response.read() == (PRINT_DIR / name).read_bytes()
    assert response.content_type == {"report.css": "text/css"}.get(name, "font/ttf")
    response.close()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x",
        "https://fonts.example.org/font.woff2",
        "ftp://example.org/report.css",
        "data:text/css,p{color:red}",
        "javascript:alert(1)",
        "file:///etc/passwd",
        f"file://{PRINT_DIR}/../pdf.py",
        f"file://{PRINT_DIR}/fonts/../../pdf_worker.py",
        f"file://{PRINT_DIR}/%2e%2e/pdf.py",
        f"file://{PRINT_DIR}/..%2F..%2F..%2Fpyproject.toml",
        f"file://example.org{PRINT_DIR}/report.css",
        f"file://{PRINT_DIR}/report.css%00.png",
        f"file://{PRINT_DIR}/fonts/fehlt.ttf",
        f"file://{PRINT_DIR}/fonts",
        "report.css",
        "//example.org/report.css",
    ],
)
def test_the_fetcher_refuses_everything_else(url: str) -> None:
    assert pdf_worker.asset_path(url) is None
    with pytest.raises(FatalURLFetchingError):
        pdf_worker.fetch_asset(url)


# --- The pool: timeouts, crashes, recycling, threads -----------------------------------------------------------------


def still_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_worker_over_time_is_killed_and_the_next_job_gets_a_new_one(caplog: pytest.LogCaptureFixture) -> None:
    quick = PdfPool(size=1, timeout_s=1.0)
    try:
        render_minimal(quick)
        (first,) = quick.worker_pids()
        started = time.monotonic()
        with pytest.raises(PdfRenderError) as raised:
            render_report(example_document(participants=2000), STATUS, quick)
        assert time.monotonic() - started < 5  # killed at the timeout, not when the layout was done
        assert str(raised.value) == RENDER_FAILED
        assert raised.value.reason == "the worker ran over time"
        assert "PDF rendering failed: the worker ran over time" in caplog.text
        assert not still_running(first)
        assert render_minimal(quick).startswith(b"%PDF-")
        assert quick.worker_pids() != [first]
    finally:
        quick.close()


def test_a_worker_that_dies_during_a_job_is_replaced() -> None:
    fragile = PdfPool(size=1)
    try:
        render_minimal(fragile)
        (first,) = fragile.worker_pids()
        threading.Timer(0.5, os.kill, (first, signal.SIGKILL)).start()
        with pytest.raises(PdfRenderError, match=RENDER_FAILED) as raised:
            render_report(example_document(participants=2000), STATUS, fragile)
        assert raised.value.reason == "the worker ended"
        assert render_minimal(fragile).startswith(b"%PDF-")
    finally:
        fragile.close()


def test_a_document_that_cannot_be_printed_fails_without_killing_the_worker(
    pool: PdfPool, document: dict[str, Any]
) -> None:
    render_minimal(pool)
    before = sorted(pool.worker_pids())
    broken = {key: value for key, value in document.items() if key != "totals"}
    with pytest.raises(PdfRenderError, match=RENDER_FAILED) as raised:
        render_report(broken, STATUS, pool)
    assert re.fullmatch(r"UndefinedError at report\.html:\d+", raised.value.reason)
    assert sorted(pool.worker_pids()) == before


def test_the_reason_never_contains_document_data(pool: PdfPool, document: dict[str, Any]) -> None:
    person = {**document["participants"][0], "mae_rate": "123A456789"}
    with pytest.raises(PdfRenderError) as raised:
        render_report({**document, "participants": [person]}, STATUS, pool)
    assert raised.value.reason.startswith("InvalidOperation at pdf_worker.py:")
    assert "123A456789" not in raised.value.reason


def test_workers_are_recycled_after_their_jobs() -> None:
    recycling = PdfPool(size=1, jobs_per_worker=2)
    try:
        render_minimal(recycling)
        first = recycling.worker_pids()
        render_minimal(recycling)
        assert recycling.worker_pids() == first
        render_minimal(recycling)
        assert recycling.worker_pids() != first
        assert not still_running(first[0])
    finally:
        recycling.close()


def test_threads_share_the_workers(pool: PdfPool) -> None:
    with ThreadPoolExecutor(max_workers=6) as threads:
        results = list(threads.map(lambda _: render_minimal(pool), range(6)))
    assert all(result.startswith(b"%PDF-") for result in results)
    assert len(pool.worker_pids()) <= 2


def test_a_job_waits_at_most_one_timeout_for_a_free_worker() -> None:
    busy = PdfPool(size=1, timeout_s=0.2)
    busy.idle.get()  # the only slot is taken
    with pytest.raises(PdfRenderError) as raised:
        render_minimal(busy)
    assert raised.value.reason == "all workers stayed busy"


def test_a_closed_pool_renders_nothing() -> None:
    closed = PdfPool()
    closed.close()
    closed.close()
    with pytest.raises(PdfRenderError) as raised:
        render_minimal(closed)
    assert raised.value.reason == "the pool is closed"


def fake_worker(tmp_path: Path, source: str) -> Path:
    script = tmp_path / "worker.py"
    script.write_text(source)
    return script


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        pytest.param("raise SystemExit(3)", "the worker ended", id="ends-at-once"),
        pytest.param(
            "import sys\nsys.stdout.buffer.write(b'\\0\\0\\0\\0\\xff\\xff\\xff\\xff')\nsys.stdout.flush()\n"
            "sys.stdin.buffer.read()",
            "the worker announced a frame of 4294967295 bytes",
            id="garbage-answer",
        ),
        pytest.param(
            "import sys\nsys.stdout.buffer.write(b'\\0\\0\\0\\0')\nsys.stdout.flush()",
            "the worker ended",
            id="ends-after-ready",
        ),
        pytest.param(
            "import os, sys, time\nos.close(0)\nsys.stdout.buffer.write(b'\\0\\0\\0\\0')\nsys.stdout.flush()\n"
            "time.sleep(60)",
            "the worker ended while reading the request",
            id="stops-reading",
        ),
    ],
)
def test_broken_workers_are_an_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, source: str, reason: str) -> None:
    monkeypatch.setattr(pdf, "WORKER", fake_worker(tmp_path, source))
    broken = PdfPool()
    with pytest.raises(PdfRenderError) as raised:
        render_minimal(broken)
    assert raised.value.reason.startswith(reason)
    broken.close()


def test_the_worker_gets_no_secrets_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SECRET_KEY", "geheim")
    monkeypatch.setenv("DATABASE_URL", "postgresql://portal:geheim@db/portal")
    monkeypatch.setenv("LANG", "C.UTF-8")
    source = "import json, os, sys\nopen(sys.argv[0] + '.env', 'w').write(json.dumps(sorted(os.environ)))"
    script = fake_worker(tmp_path, source)
    monkeypatch.setattr(pdf, "WORKER", script)
    with pytest.raises(PdfRenderError):
        render_minimal(PdfPool())
    names = json.loads(Path(f"{script}.env").read_text())
    assert "LANG" in names
    assert not {"SECRET_KEY", "DATABASE_URL"} & set(names)


def test_a_worker_that_never_gets_ready_is_killed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(pdf, "WORKER", fake_worker(tmp_path, "import time\ntime.sleep(60)"))
    monkeypatch.setattr(pdf, "STARTUP_TIMEOUT_S", 0.3)
    with pytest.raises(PdfRenderError) as raised:
        render_minimal(PdfPool())
    assert raised.value.reason == "the worker ran over time"


# Answers one job slowly, then ignores the end of its input; tells the test its process id once it has the job.
SLOW_WORKER = """
import os, sys, time
sys.stdout.buffer.write(b"\\0\\0\\0\\0")
sys.stdout.flush()
sys.stdin.buffer.read(int.from_bytes(sys.stdin.buffer.read(4), "big"))
open(sys.argv[0] + ".pid", "w").write(str(os.getpid()))
time.sleep(0.5)
sys.stdout.buffer.write(b"\\0\\0\\0\\6\\0%PDF-")
sys.stdout.flush()
time.sleep(60)
"""


def test_closing_lets_a_busy_worker_finish_then_stops_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    script = fake_worker(tmp_path, SLOW_WORKER)
    monkeypatch.setattr(pdf, "WORKER", script)
    monkeypatch.setattr(pdf, "STOP_TIMEOUT_S", 0.2)
    slow = PdfPool()
    with ThreadPoolExecutor(max_workers=1) as thread:
        job = thread.submit(render_minimal, slow)
        marker = Path(f"{script}.pid")
        while not marker.exists():
            time.sleep(0.01)
        slow.close()
        assert job.result() == b"%PDF-"
    assert not still_running(int(marker.read_text()))  # it ignored the end of its input and was killed


# --- The default pool and its configuration -------------------------------------------------------------------------


@pytest.fixture
def no_default_pool() -> Iterator[None]:
    close_default_pool()
    yield
    close_default_pool()


def test_settings_default_outside_an_app() -> None:
    assert pool_settings() == (1, 60.0, 1024)


def test_settings_come_from_the_app_config() -> None:
    app = Flask(__name__)
    app.config.update(PDF_WORKERS="3", PDF_TIMEOUT=30, PDF_MEMORY_MB=768)
    with app.app_context():
        assert pool_settings() == (3, 30.0, 768)


@pytest.mark.usefixtures("no_default_pool")
def test_the_default_pool_is_made_once_from_the_config() -> None:
    app = Flask(__name__)
    app.config.update(PDF_TIMEOUT=45)
    with app.app_context():
        shared = default_pool()
        assert render_minimal().startswith(b"%PDF-")
    assert default_pool() is shared
    assert (shared.size, shared.timeout_s, shared.memory_mb) == (1, 45.0, 1024)
    close_default_pool()
    assert shared.closed
    assert default_pool() is not shared


# --- The worker's parts, in this process ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [("1120.00", "1.120,00"), ("0.5", "0,50"), ("-8.33", "-8,33"), ("1234567.891", "1.234.567,89"), (7, "7,00")],
)
def test_german_numbers(value: str | int, text: str) -> None:
    assert german_number(value) == text


@pytest.mark.parametrize(
    ("cell", "text"),
    [("4", "4"), ("4.50", "4,5"), ("3,5", "3,5"), ("10", "10"), ("UE", "UE"), ("-", "-"), ("", "")],
)
def test_grid_cells(cell: str, text: str) -> None:
    assert pdf_worker.grid_cell(cell) == text


@pytest.mark.parametrize(
    ("function", "value", "text"),
    [
        (pdf_worker.euro, "1120.00", "1.120,00\xa0€"),
        (pdf_worker.compact_number, "20.0", "20"),
        (pdf_worker.de_date, "2026-11-10", "10.11.2026"),
        (pdf_worker.de_datetime, "2026-11-03T09:12:00+00:00", "03.11.2026, 10:12 Uhr"),
        (pdf_worker.de_datetime, "2026-07-01T12:00:00+00:00", "01.07.2026, 14:00 Uhr"),
    ],
)
def test_print_filters(function: Callable[[str], str], value: str, text: str) -> None:
    assert function(value) == text


def test_frames_round_trip() -> None:
    stream = BytesIO()
    write_frame(stream, b"eins")
    write_frame(stream, b"")
    stream.seek(0)
    assert [read_frame(stream), read_frame(stream), read_frame(stream)] == [b"eins", b"", None]


@pytest.mark.parametrize(
    "data",
    [b"\x00\x00", b"\x00\x00\x00\x05abc", (MAX_FRAME + 1).to_bytes(4, "big")],
    ids=["header-cut-off", "payload-cut-off", "too-long"],
)
def test_broken_frames(data: bytes) -> None:
    with pytest.raises(FrameError):
        read_frame(BytesIO(data))


@IN_PROCESS
@pytest.mark.usefixtures("in_process")
def test_the_worker_limits_itself_then_serves_until_its_input_ends(
    monkeypatch: pytest.MonkeyPatch, document: dict[str, Any]
) -> None:
    limits: list[tuple[int, tuple[int, int]]] = []
    monkeypatch.setattr(pdf_worker.resource, "setrlimit", lambda kind, value: limits.append((kind, value)))
    requests, answers = BytesIO(), BytesIO()
    for request in [{"kind": "minimal"}, {"kind": "report", "document": document, "status": STATUS_REQUEST}]:
        write_frame(requests, json.dumps(request).encode())
    write_frame(requests, b"kein JSON")
    requests.seek(0)
    monkeypatch.setattr(pdf_worker, "frame_streams", lambda: (requests, answers))
    pdf_worker.main(["1000000"])
    assert limits == [(pdf_worker.resource.RLIMIT_AS, (1000000, 1000000))]
    answers.seek(0)
    ready, minimal, report, garbage = (read_frame(answers) for _ in range(4))
    assert ready == b""
    assert minimal is not None
    assert minimal.startswith(OK + b"%PDF-")
    assert report is not None
    assert report.startswith(OK + b"%PDF-")
    assert json.loads(PdfReader(BytesIO(report[1:])).attachments["teilnahmebericht.json"][0]) == document
    assert garbage is not None
    assert garbage.startswith(FAILED + b"JSONDecodeError at pdf_worker.py:")
    assert read_frame(answers) is None


def test_what_libraries_print_cannot_corrupt_the_frames(capfd: pytest.CaptureFixture[str]) -> None:
    saved = os.dup(1)
    try:
        _, frames_out = pdf_worker.frame_streams()
        os.write(1, b"Fontconfig warning")
        write_frame(frames_out, b"frame")
        frames_out.close()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    out, err = capfd.readouterr()
    assert out == "\x00\x00\x00\x05frame"
    assert "Fontconfig warning" in err


# --- The schema describes the document -------------------------------------------------------------------------------


TYPES = {"object": dict, "array": list, "string": str, "integer": int, "boolean": bool, "null": type(None)}


def check(value: Any, rule: dict[str, Any], defs: dict[str, Any], where: str = "$") -> None:
    """A small part of JSON Schema: enough to keep the schema file and the document in step."""
    if "$ref" in rule:
        check(value, defs[rule["$ref"].removeprefix("#/$defs/")], defs, where)
    if "anyOf" in rule:
        assert any(matches(value, option, defs) for option in rule["anyOf"]), where
    allowed = rule.get("type", [])
    names = [allowed] if isinstance(allowed, str) else allowed
    assert not names or isinstance(value, tuple(TYPES[name] for name in names)), where
    assert "const" not in rule or value == rule["const"], where
    assert "enum" not in rule or value in rule["enum"], where
    assert "pattern" not in rule or value is None or re.search(rule["pattern"], value), where
    if isinstance(value, dict):
        assert set(rule.get("required", [])) <= set(value), where
        for key, item in value.items():
            item_rule = rule.get("properties", {}).get(key, rule.get("additionalProperties", {}))
            check(item, item_rule, defs, f"{where}.{key}")
    if isinstance(value, list):
        assert rule.get("minItems", 0) <= len(value) <= rule.get("maxItems", len(value)), where
        for index, item in enumerate(value):
            check(item, rule.get("items", {}), defs, f"{where}[{index}]")


def matches(value: Any, rule: dict[str, Any], defs: dict[str, Any]) -> bool:
    try:
        check(value, rule, defs)
    except AssertionError:
        return False
    return True


@pytest.mark.parametrize("month", [2, 10, 12])
def test_the_example_documents_follow_the_schema(month: int) -> None:
    schema = json.loads(SCHEMA.read_text())
    document = example_document(participants=3, year=2027, month=month)
    check(document, schema, schema["$defs"])
    assert document["schema"] == schema["$id"]
    assert all(len(person["days"]) == document["period"]["days_in_month"] for person in document["participants"])


def test_the_schema_check_notices_a_missing_key() -> None:
    schema = json.loads(SCHEMA.read_text())
    document = example_document(participants=1)
    del document["participants"][0]["totals"]["counts"]
    assert not matches(document, schema, schema["$defs"])
