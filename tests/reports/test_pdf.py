"""The official report PDF: real renderings in real worker processes, read back with pypdf (docs/security.md 20)."""

from __future__ import annotations

import gc
import json
import logging
import os
import re
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from pypdf import PageObject, PdfReader
from pypdf.generic import ContentStream
from weasyprint.urls import FatalURLFetchingError

from portal.reports import pdf, pdf_worker
from portal.reports.pdf import (
    RENDER_FAILED,
    PdfPool,
    PdfRenderError,
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
from tests.reports.documents import example_document

SCHEMA = Path(pdf_worker.__file__).with_name("schema") / "teilnahmebericht-v1.json"
TITLE = "Teilnahmebericht Oktober 2026 – Stadtteilgarten Nord"
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
def reader(pool: PdfPool, document: dict[str, Any]) -> PdfReader:
    return PdfReader(BytesIO(render_report(document, pool)))


def page_texts(reader: PdfReader) -> list[str]:
    return [page.extract_text().replace("\xa0", " ") for page in reader.pages]


def de(amount: str) -> str:
    return german_number(amount)


def days_header(document: dict[str, Any]) -> str:
    """The two lines of the grid's header row as text: the days of the month, then their weekdays."""
    numbers = " ".join(str(day["day"]) for day in document["days"])
    weekdays = " ".join(day["weekday"] for day in document["days"])
    return f"Nr. Kundennummer Kürzel {numbers} Tage Std.\n{weekdays}\n"


# --- Where the text is: each run of characters of a page with its position -----------------------------------------


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


def runs(page: PageObject) -> list[tuple[float, float, str]]:
    """Each run of visible characters as (y, x, text), in text space: what a reader sees as one word or number.
    Follows the text matrix and the glyph advances and offsets of every TJ array, as a viewer draws them."""
    fonts = {name: font.get_object() for name, font in page["/Resources"]["/Font"].items()}
    glyphs = {name: (unicode_of(font), widths_of(font)) for name, font in fonts.items()}
    found: list[tuple[float, float, str]] = []
    font, size, x, y = None, 0.0, 0.0, 0.0
    for operands, operator in ContentStream(page.get_contents(), page.pdf).operations:
        if operator == b"Tf":
            font, size = operands[0], float(operands[1])
        elif operator == b"Tm":
            x, y = float(operands[4]), float(operands[5])
        elif operator == b"TJ":
            text_of, width_of = glyphs[font]
            run, start = "", x
            for item in operands[0]:
                if isinstance(item, int | float):
                    shift = -float(item) / 1000 * size
                    x += shift
                    if run and shift > 1:  # more than kerning: a tab
                        found.append((round(y, 1), start, run))
                        run = ""
                    continue
                raw = item.original_bytes
                for offset in range(0, len(raw), 2):
                    glyph = int.from_bytes(raw[offset : offset + 2], "big")
                    if text_of.get(glyph, "?").strip():
                        start, run = (x, text_of[glyph]) if not run else (start, run + text_of[glyph])
                    elif run:
                        found.append((round(y, 1), start, run))
                        run = ""
                    x += width_of.get(glyph, 0) / 1000 * size
            if run:
                found.append((round(y, 1), start, run))
    return found


def lines_of(page: PageObject) -> dict[float, list[tuple[float, str]]]:
    """The runs of each line of the page, by its y, as (x, text) from left to right."""
    lines: dict[float, list[tuple[float, str]]] = {}
    for y, x, text in runs(page):
        lines.setdefault(y, []).append((x, text))
    return {y: sorted(line) for y, line in lines.items()}


def columns_of(page: PageObject, first: str) -> list[list[tuple[float, str]]]:
    """The lines of the page that start with the run `first`, as (x, text) of their runs."""
    return [line for line in lines_of(page).values() if line[0][1] == first]


def assert_days_line_up(page: PageObject, document: dict[str, Any], numbers: range) -> None:
    """Every participant numbered in `numbers` has their entry for a day under that day's number and weekday."""
    (head,) = columns_of(page, "Nr.")[:1]
    day_x = {text: x for x, text in head if text.isdigit()}
    assert len(day_x) == len(document["days"])
    (weekdays,) = [line for line in columns_of(page, document["days"][0]["weekday"]) if len(line) == len(day_x)][:1]
    assert all(abs(x - day) < 0.5 for (x, _), day in zip(weekdays, day_x.values(), strict=True))
    for number in numbers:
        line = columns_of(page, str(number))[0]  # the grid's row comes before the one in the table of participants
        for day, cell in zip(document["days"], document["participants"][number - 1]["days"], strict=True):
            x = day_x[str(day["day"])]
            drawn = [text for cell_x, text in line if abs(cell_x - x) < 0.5]
            assert drawn == ([pdf_worker.grid_cell(cell)] if cell else []), (number, day["day"])


# --- What the PDF says -----------------------------------------------------------------------------------------------


def test_every_calendar_day_is_a_column_with_its_weekday(reader: PdfReader, document: dict[str, Any]) -> None:
    assert days_header(document) in page_texts(reader)[0]


def test_every_entry_is_drawn_under_its_day(reader: PdfReader, document: dict[str, Any]) -> None:
    assert_days_line_up(reader.pages[0], document, range(1, len(document["participants"]) + 1))


def test_every_participant_has_a_grid_row_with_their_totals(reader: PdfReader, document: dict[str, Any]) -> None:
    text = "\n".join(page_texts(reader))
    for number, person in enumerate(document["participants"], start=1):
        totals = person["totals"]
        start = rf"(?m)^{number} {person['customer_number']} {re.escape(person['initials'])} "
        assert re.search(start + rf".* {totals['days_present']} {de(totals['hours_worked'])}$", text)
        money = rf"{de(totals['mae_payable'])} € {de(totals['place_months'])} {de(totals['mkp_claim'])} €$"
        assert re.search(start + re.escape(person["site"]) + ".* " + money, text)


def test_the_grid_shows_hours_and_codes(reader: PdfReader, document: dict[str, Any]) -> None:
    number, person = next((n, p) for n, p in enumerate(document["participants"], start=1) if "4,5" in p["days"])
    row = next(
        line for line in page_texts(reader)[0].splitlines() if line.startswith(f"{number} {person['customer_number']}")
    )
    totals = [str(person["totals"]["days_present"]), de(person["totals"]["hours_worked"])]
    assert row.split()[4:] == [cell for cell in person["days"] if cell] + totals


def test_the_offer_totals(reader: PdfReader, document: dict[str, Any]) -> None:
    totals = document["totals"]
    text = "\n".join(page_texts(reader))
    for line in [
        f"Teilnehmende {totals['participants']}",
        f"Anwesenheitstage {totals['days_present']}",
        f"Geleistete Stunden {de(totals['hours_worked'])}",
        f"Mehraufwandsentschädigung (MAE) {de(totals['mae_payable'])} €",
        f"Belegte Platzmonate {de(totals['place_months'])}",
        f"Maßnahmekostenpauschale (MKP) je Platzmonat {de(totals['mkp_per_place_month'])} €",
        f"MKP brutto {de(totals['mkp_gross'])} €",
        f"Kürzung für unentschuldigte Fehltage − {de(totals['mkp_reduction'])} €",
        f"MKP-Anspruch {de(totals['mkp_claim'])} €",
    ]:
        assert line in text


def test_events_legend_declaration_and_signature_lines(reader: PdfReader, document: dict[str, Any]) -> None:
    text = "\n".join(page_texts(reader))
    assert "14.10.2026 101A457802 B. L. Abbruch Umzug in einen anderen Landkreis" in text
    for code, label in document["codes"].items():
        assert f"{'Zahl' if code == 'A' else code} {label}" in text
    assert "Feiertage: 03.10.2026 Tag der Deutschen Einheit" in text
    assert document["declaration"] in text.replace("\n", " ")
    assert "Im Partnerportal bestätigt von Erika Beispiel am 03.11.2026, 10:12 Uhr." in text
    assert "Ort, Datum Unterschrift der vertretungsberechtigten Person Stempel des Trägers" in text


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


def test_long_values_wrap_inside_their_column(pool: PdfPool) -> None:
    document = example_document(participants=3)
    site = "Tafel Musterstadt e. V., Ausgabestelle Nord im Gemeindezentrum an der Hauptstraße, Hinterhaus"
    reason = "Umzug in einen anderen Landkreis; die neue Anschrift liegt dem Träger vor. " * 4
    document["participants"][1]["site"] = site
    document["events"][0]["reason"] = reason.strip()
    document["provider"]["name"] = (
        "Caritasverband für die Stadt und den Landkreis Musterstadt e. V., Fachbereich Arbeit"
    )
    reader = PdfReader(BytesIO(render_report(document, pool)))
    page = reader.pages[0]
    text = "\n".join(page_texts(reader))
    assert re.search(r"(?m)^2 101A457802 B\. L\. Tafel Musterstadt e\. V\., .* 250,00 €$", text)
    assert " ".join(reason.split()) in " ".join(text.split())
    assert_days_line_up(page, document, range(1, 4))
    # In the table of participants, the site takes several lines in its column, and the other columns stay put.
    people = [columns_of(page, number)[1] for number in "123"]  # each one's grid row comes first
    site_x = next(x for x, text in columns_of(page, "Nr.")[1] if text == "Einsatzstelle")
    assert [text for x, text in people[1] if abs(x - site_x) < 0.5] == ["Tafel"]
    for column in (-5, -3, -2):  # MAE, Platzmonate, MKP
        assert people[0][column][0] == pytest.approx(people[1][column][0], abs=0.5)
        assert people[0][column][0] == pytest.approx(people[2][column][0], abs=0.5)
    lines = lines_of(page)
    second, third = ([y for y, line in lines.items() if line[0][1] == number][1] for number in "23")
    continued = [line for y, line in lines.items() if second < y < third]
    assert len(continued) >= 2
    for line in continued:
        assert line[0][0] == pytest.approx(site_x, abs=0.5)
    assert " ".join(text for line in continued for _, text in line).endswith("Hinterhaus")


def test_data_cannot_break_the_columns_or_the_markup() -> None:
    grid = pdf_worker.columns(7, 12, 26, [1, 3, 2])
    assert grid.row([1, "100A\t45\n6789", "<b>X</b>"]) == "1\t100A 45 6789\t&lt;b&gt;X&lt;/b&gt;"
    assert "\t" not in grid.row(["", "", "A.\u2028K."]).strip("\t")


def test_a_tab_goes_to_the_next_stop_after_the_text() -> None:
    metrics = pdf_worker.font_metrics()
    wide = pdf_worker.columns(7, 12, 26, [4, 1])
    value = "100A456789"  # 2 stops wide: the first tab goes to the third stop, the second to the fifth
    assert 52 < metrics.width(value, 7) < 78
    assert wide.row([value, "x"]) == f"{value}\t\tx"
    bold = pdf_worker.columns(8.5, 15, 16, [17, 8])
    assert bold.row(["MKP-Anspruch", "1,00 €"], bold=[0]) == "<b>MKP-Anspruch\t\t\t\t\t\t\t\t\t\t\t\t</b>1,00 €"


def test_rows_of_as_many_lines_are_one_block() -> None:
    table = pdf_worker.columns(7, 12, 26, [1, 2])
    long = "ein Wert, der mehrere Zeilen braucht"
    lines = table.row([3, long]).count("\n") + 1
    assert lines > 1
    blocks = table.blocks([[1, "kurz"], [2, "kurz"], [3, long], [4, "kurz"]])
    assert [(block.lines, block.text.count("\n") + 1) for block in blocks] == [(1, 2), (lines, lines), (1, 1)]


def test_gradients_name_their_colour_space(reader: PdfReader) -> None:
    """WeasyPrint 69.0 names the output intent's resource key there; Poppler and Acrobat then draw no rules."""
    spaces = []
    pending = [page["/Resources"] for page in reader.pages]
    seen = set()
    while pending:
        item = pending.pop()
        item = item.get_object() if hasattr(item, "get_object") else item
        if id(item) in seen or not isinstance(item, dict | list):
            continue
        seen.add(id(item))
        if isinstance(item, dict):
            if "/ShadingType" in item:
                spaces.append(item["/ColorSpace"])
            if item.get("/S") == "/Transparency":
                spaces.append(item["/CS"])
        pending.extend(item.values() if isinstance(item, dict) else item)
    assert spaces
    assert {str(space) for space in spaces} <= {"/DeviceRGB", "/DeviceGray"}


# --- PDF/A-3 with the data embedded ---------------------------------------------------------------------------------


def test_xmp_declares_pdf_a_3(reader: PdfReader) -> None:
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r'pdfaid:part(="|>)3', xmp)
    assert re.search(r'pdfaid:conformance(="|>)B', xmp)
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
    reader = PdfReader(BytesIO(render_report(document, pool)))
    pages = len(reader.pages)
    assert pages >= 8
    grid_pages = []  # read only up to the end of the grid: extracting text is slow
    for page in reader.pages:
        grid_pages.append(page.extract_text())
        if "Zeichenerklärung" in grid_pages[-1]:
            break
    assert len(grid_pages) >= 4
    for text in grid_pages:  # the header row with the days repeats on every page of the grid
        assert days_header(document) in text
    for person in document["participants"]:
        assert person["customer_number"] in "\n".join(grid_pages)
    # On a page the grid continues on, its header row is in the page header, and lines up with the rows.
    second = grid_pages[1].split("\n")
    numbers = [int(line.split()[0]) for line in second if re.match(r"\d+ \d{3}[A-Z]\d{6} ", line)]
    assert_days_line_up(reader.pages[1], document, range(numbers[0], numbers[-1] + 1))
    # The table of participants repeats its header row too, and the grid's is gone.
    texts = [page.extract_text() for page in reader.pages[len(grid_pages) - 1 :]]
    people = texts[: next(index for index, text in enumerate(texts) if "Summen des Angebots" in text) + 1]
    assert len(people) >= 3
    for text in people:
        assert "Nr. Kundennummer Kürzel Einsatzstelle Zuweisung Wochen- MAE je Anwesen- Stunden Fehltage MAE" in text
    assert not any(days_header(document) in text for text in people[1:])
    assert texts[-1].endswith(f"Seite {pages} von {pages}")


def test_a_minimal_pdf_comes_from_the_same_workers(pool: PdfPool) -> None:
    reader = PdfReader(BytesIO(render_minimal(pool)))
    assert len(reader.pages) == 1
    assert "Probeseite" in reader.pages[0].extract_text()
    assert list(reader.attachments) == ["teilnahmebericht.json"]


def test_only_schema_version_1_is_rendered(document: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="schema version 1"):
        render_report({**document, "schema_version": 2}, PdfPool())


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
    text = "\n".join(page_texts(PdfReader(BytesIO(render_report(changed, pool)))))
    assert hostile in text
    assert style in text
    with pytest.raises(BlockingIOError):
        listener.accept()


@IN_PROCESS
@pytest.mark.usefixtures("in_process")
def test_the_renderer_asks_only_for_its_own_files(document: dict[str, Any], caplog: pytest.LogCaptureFixture) -> None:
    asked: list[str] = []

    def spy(url: str) -> Any:
        asked.append(url)
        return pdf_worker.fetch_asset(url)

    html = pdf_worker.report_html(pdf_worker.environment(), document)
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        assert pdf_worker.write_pdf(html, b"{}", url_fetcher=spy).startswith(b"%PDF-")
    assert caplog.records == []  # the template and stylesheet use only what WeasyPrint supports
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
            render_report(example_document(participants=2000), quick)
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
            render_report(example_document(participants=2000), fragile)
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
        render_report(broken, pool)
    assert re.fullmatch(r"UndefinedError at report\.html:\d+", raised.value.reason)
    assert sorted(pool.worker_pids()) == before


def test_the_reason_never_contains_document_data(pool: PdfPool, document: dict[str, Any]) -> None:
    person = {**document["participants"][0], "mae_rate": "123A456789"}
    with pytest.raises(PdfRenderError) as raised:
        render_report({**document, "participants": [person]}, pool)
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
    for request in [{"kind": "minimal"}, {"kind": "report", "document": document}]:
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
