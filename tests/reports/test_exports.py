"""Payment exports: the CSV and XLSX files read back to the documents' totals, and no text becomes a formula."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from portal.reports.exports import (
    PAYMENT_HEADER,
    SUMMARY_HEADER,
    PaymentRow,
    export_filename,
    payment_rows,
    provider_summary,
    summary_csv,
    to_csv,
    to_xlsx,
)
from portal.text import clean

PROPERTIES = settings(max_examples=60, deadline=None)
CARITAS = "Caritasverband Musterstadt e. V."
DIAKONIE = "Diakonie Musterstadt gGmbH"
AWO = "AWO Kreisverband Musterstadt e. V."
INJECTIONS = ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\t=1+1", "\r=1+1", '=cmd|" /C calc"!A0']

# (Kundennummer, initials, days present, hours, MAE, MKP)
Line = tuple[str, str, int, str, str, str]


def document(
    provider: str,
    offer_id: int,
    title: str,
    lines: Sequence[Line],
    report_id: int | None = None,
    version: int = 1,
) -> dict[str, Any]:
    """A frozen report document (schema version 1) of October 2026 with the totals the portal computes."""
    participants = [
        {
            "customer_number": number,
            "initials": initials,
            "totals": {"days_present": days, "hours_worked": hours, "mae_payable": mae, "mkp_claim": mkp},
        }
        for number, initials, days, hours, mae, mkp in lines
    ]
    return {
        "schema_version": 1,
        "provider": {"name": provider},
        "offer": {"id": offer_id, "title": title, "type": "Arbeitsgelegenheit", "legal_basis": "§ 16d SGB II"},
        "period": {"year": 2026, "month": 10, "label": "Oktober 2026", "days_in_month": 31},
        # Frozen at submission: the status in the document stays "Eingereicht" after the approval.
        "report": {"id": report_id or offer_id + 100, "version": version, "status": "Eingereicht"},
        "participants": participants,
        "totals": {
            "participants": len(lines),
            "days_present": sum(line[2] for line in lines),
            "hours_worked": str(sum((Decimal(line[3]) for line in lines), Decimal("0.00"))),
            "mae_payable": str(sum((Decimal(line[4]) for line in lines), Decimal("0.00"))),
            "mkp_claim": str(sum((Decimal(line[5]) for line in lines), Decimal("0.00"))),
        },
    }


def october() -> list[dict[str, Any]]:
    """Four approved reports of three providers; the MKP of a place is shared out in thirds of a cent."""
    return [
        document(
            CARITAS,
            12,
            "Stadtteilgarten Nord",
            [
                ("345C678901", "J. W.", 9, "36.00", "72.10", "83.34"),
                ("123A456789", "M. K.", 18, "72.00", "144.00", "83.33"),
                ("234B567890", "A. S.", 20, "80.00", "160.20", "83.33"),
            ],
            report_id=5,
            version=2,
        ),
        document(
            CARITAS,
            7,
            "Fahrradwerkstatt Süd",
            [
                ("456D789012", "Ö. Y.", 21, "63.50", "127.00", "250.00"),
                ("567E890123", "L. B.", 3, "9.00", "18.00", "33.33"),
            ],
        ),
        document(DIAKONIE, 30, "Möbelbörse", [("678F901234", "K. T.", 19, "57.00", "85.50", "241.67")]),
        document(AWO, 41, "Kantine am Markt", [("789G012345", "R. P.", 20, "80.00", "0.10", "0.20")]),
    ]


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def number(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))


def document_sum(documents: Sequence[dict[str, Any]], key: str) -> Decimal:
    return sum((Decimal(doc["totals"][key]) for doc in documents), Decimal(0))


def exported(documents: Sequence[dict[str, Any]]) -> tuple[list[PaymentRow], bytes, bytes]:
    rows = payment_rows(documents)
    summary = provider_summary(rows)
    return rows, to_csv(rows, summary), to_xlsx(rows, summary, 2026, 10)


# --- rows and sums -------------------------------------------------------------------------------------------


def test_rows_are_sorted_by_provider_offer_and_customer_number() -> None:
    rows = payment_rows(october())
    assert [(row.provider, row.offer_title, row.customer_number) for row in rows] == [
        (AWO, "Kantine am Markt", "789G012345"),
        (CARITAS, "Fahrradwerkstatt Süd", "456D789012"),
        (CARITAS, "Fahrradwerkstatt Süd", "567E890123"),
        (CARITAS, "Stadtteilgarten Nord", "123A456789"),
        (CARITAS, "Stadtteilgarten Nord", "234B567890"),
        (CARITAS, "Stadtteilgarten Nord", "345C678901"),
        (DIAKONIE, "Möbelbörse", "678F901234"),
    ]
    garden = rows[3]
    assert (garden.offer_id, garden.report_id, garden.report_version, garden.initials) == (12, 5, 2, "M. K.")
    assert (garden.days_present, garden.hours, garden.mae, garden.mkp) == (
        18,
        Decimal(72),
        Decimal(144),
        Decimal("83.33"),
    )


def test_the_summary_adds_up_per_provider_and_in_total() -> None:
    summary = provider_summary(payment_rows(october()))
    assert [total.provider for total in summary.providers] == [AWO, CARITAS, DIAKONIE]
    caritas = summary.providers[1]
    assert (caritas.reports, caritas.participants, caritas.days_present) == (2, 5, 71)
    assert (caritas.hours, caritas.mae, caritas.mkp) == (Decimal("260.50"), Decimal("521.30"), Decimal("533.33"))
    assert caritas.total == Decimal("1054.63")
    total = summary.total
    assert (total.provider, total.reports, total.participants) == ("Summe", 4, 7)
    assert (total.mae, total.mkp, total.total) == (Decimal("606.90"), Decimal("775.20"), Decimal("1382.10"))
    assert total.mkp == document_sum(october(), "mkp_claim")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda doc: doc.update(schema_version=2), "unknown schema version 2"),
        (lambda doc: doc["totals"].update(mkp_claim="250.01"), "mkp_claim do not add up"),
        (lambda doc: doc["totals"].update(mae_payable="376.29"), "mae_payable do not add up"),
        (lambda doc: doc["participants"][0]["totals"].update(hours_worked="36.001"), "not an amount in cents"),
        (lambda doc: doc["participants"][0]["totals"].update(mae_payable="NaN"), "not an amount in cents"),
    ],
)
def test_inconsistent_documents_are_refused(change: Any, message: str) -> None:
    documents = october()
    change(documents[0])
    with pytest.raises(ValueError, match=message):
        payment_rows(documents)


def test_two_reports_of_one_offer_and_month_are_refused() -> None:
    documents = october()
    second = document(CARITAS, 12, "Stadtteilgarten Nord", [("123A456789", "M. K.", 1, "4.00", "8.00", "1.00")], 6)
    with pytest.raises(ValueError, match=r"more than one report .*\(12, 2026, 10\)"):
        payment_rows([*documents, second])


# --- CSV -----------------------------------------------------------------------------------------------------


def test_csv_reads_back_to_the_documents_totals() -> None:
    _rows, data, _xlsx = exported(october())
    header, *body, total = read_csv(data)
    assert header == list(PAYMENT_HEADER)
    offer = [CARITAS, "Fahrradwerkstatt Süd", "7", "107", "1"]
    assert body[1] == [*offer, "456D789012", "Ö. Y.", "21", "63,50", "127,00", "250,00"]
    assert total == ["Summe", "", "", "", "", "", "", "110", "397,50", "606,90", "775,20"]
    for column, key in ((8, "hours_worked"), (9, "mae_payable"), (10, "mkp_claim")):
        assert sum(number(row[column]) for row in body) == number(total[column]) == document_sum(october(), key)


def test_summary_csv_has_one_row_per_provider_and_the_grand_total() -> None:
    header, *body, total = read_csv(summary_csv(provider_summary(payment_rows(october()))))
    assert header == list(SUMMARY_HEADER)
    assert [row[0] for row in body] == [AWO, CARITAS, DIAKONIE]
    assert body[1] == [CARITAS, "2", "5", "71", "260,50", "521,30", "533,33", "1054,63"]
    assert total == ["Summe", "4", "7", "110", "397,50", "606,90", "775,20", "1382,10"]


def test_an_empty_month_gives_header_only_csv_files() -> None:
    summary = provider_summary([])
    assert to_csv([], summary).decode("utf-8-sig") == ";".join(PAYMENT_HEADER) + "\r\n"
    assert summary_csv(summary).decode("utf-8-sig") == ";".join(SUMMARY_HEADER) + "\r\n"


@pytest.mark.parametrize("payload", INJECTIONS)
def test_csv_text_that_looks_like_a_formula_gets_an_apostrophe(payload: str) -> None:
    injected = document(payload, 50, payload, [("890H123456", payload, 1, "4.00", "8.00", "1.00")])
    _rows, data, _xlsx = exported([injected])
    row = read_csv(data)[1]
    text = clean(payload, keep_newlines=False)  # a leading tab or carriage return is dropped, the rest stays
    assert [row[0], row[1], row[6]] == ["'" + text] * 3
    summary_row = read_csv(summary_csv(provider_summary(payment_rows([injected]))))[1]
    assert summary_row[0] == "'" + text


def test_csv_keeps_separators_and_quotes_inside_names() -> None:
    name = 'Verein "Hand; in Hand"\ne. V.'
    _rows, data, _xlsx = exported(
        [document(name, 3, "Café; Treff", [("901J234567", "Ä. Ü.", 1, "1.00", "2.00", "3.00")])]
    )
    assert read_csv(data)[1][:2] == ['Verein "Hand; in Hand" e. V.', "Café; Treff"]


# --- XLSX ----------------------------------------------------------------------------------------------------


def test_xlsx_has_the_same_numbers_and_sums() -> None:
    rows, _csv, data = exported(october())
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["Zahlungen", "Summen je Träger"]
    assert (workbook.properties.title, workbook.properties.creator) == ("Zahlungen Oktober 2026", "ARGE-Partnerportal")
    sheet = workbook["Zahlungen"]
    header, *body, total = [list(values) for values in sheet.iter_rows(values_only=True)]
    assert header == list(PAYMENT_HEADER)
    assert [values[5] for values in body] == [row.customer_number for row in rows]
    assert body[1][:9] == [CARITAS, "Fahrradwerkstatt Süd", 7, 107, 1, "456D789012", "Ö. Y.", 21, 63.5]
    for column, key in ((8, "hours_worked"), (9, "mae_payable"), (10, "mkp_claim")):
        cents = [as_cents(values[column]) for values in body]
        assert sum(cents) == as_cents(total[column]) == document_sum(october(), key)
    assert total[:8] == ["Summe", None, None, None, None, None, None, 110]


def test_xlsx_is_formatted_for_reading_and_filtering() -> None:
    sheet = load_workbook(io.BytesIO(exported(october())[2]))["Zahlungen"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:K8"  # header and body, not the totals row
    assert all(cell.font.bold for cell in sheet[1])
    assert all(cell.font.bold for cell in sheet[9])
    assert not sheet["A2"].font.bold
    assert {sheet.cell(2, column).number_format for column in (9, 10, 11)} == {"#,##0.00"}
    assert sheet["K9"].number_format == "#,##0.00"
    assert sheet.column_dimensions["A"].width == 40


def test_xlsx_summary_sheet_has_the_sums_per_provider() -> None:
    sheet = load_workbook(io.BytesIO(exported(october())[2]))["Summen je Träger"]
    header, *body, total = [list(values) for values in sheet.iter_rows(values_only=True)]
    assert header == list(SUMMARY_HEADER)
    assert [values[:4] for values in body] == [[AWO, 1, 1, 20], [CARITAS, 2, 5, 71], [DIAKONIE, 1, 1, 19]]
    assert [as_cents(value) for value in body[1][4:]] == [Decimal(v) for v in ("260.50", "521.30", "533.33", "1054.63")]
    assert total[:4] == ["Summe", 4, 7, 110]
    assert as_cents(total[7]) == Decimal("1382.10")
    assert sheet.auto_filter.ref == "A1:H4"


def test_an_empty_month_gives_a_valid_workbook_with_headers_only() -> None:
    data = to_xlsx([], provider_summary([]), 2026, 2)
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.properties.title == "Zahlungen Februar 2026"
    for name, header in (("Zahlungen", PAYMENT_HEADER), ("Summen je Träger", SUMMARY_HEADER)):
        assert list(workbook[name].iter_rows(values_only=True)) == [header]


@pytest.mark.parametrize("payload", INJECTIONS)
def test_xlsx_text_that_looks_like_a_formula_stays_text(payload: str) -> None:
    injected = document(payload, 50, payload, [("890H123456", payload, 1, "4.00", "8.00", "1.00")])
    data = exported([injected])[2]
    text = clean(payload, keep_newlines=False)
    workbook = load_workbook(io.BytesIO(data))
    for cell in (workbook["Zahlungen"]["A2"], workbook["Zahlungen"]["B2"], workbook["Summen je Träger"]["A2"]):
        assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)
    assert "<f>" not in sheet_xml(data)


def sheet_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = [name for name in archive.namelist() if name.startswith("xl/worksheets/")]
        return "".join(archive.read(name).decode() for name in names)


def as_cents(value: float) -> Decimal:
    """A number read back from XLSX (a float) as the cent amount that was written."""
    return Decimal(str(value)).quantize(Decimal("0.01"))


def test_file_names() -> None:
    assert export_filename(2026, 10, "csv") == "zahlungen-2026-10.csv"
    assert export_filename(2026, 3, "xlsx") == "zahlungen-2026-03.xlsx"
    assert export_filename(2026, 3, "csv", summary=True) == "zahlungen-je-traeger-2026-03.csv"


# --- properties ----------------------------------------------------------------------------------------------

cents = st.integers(min_value=0, max_value=10**8).map(lambda value: str(Decimal(value).scaleb(-2)))
line = st.tuples(
    st.from_regex(r"[0-9]{3}[A-Z][0-9]{6}", fullmatch=True),
    st.text(max_size=6),
    st.integers(min_value=0, max_value=31),
    cents,
    cents,
    cents,
)


@st.composite
def month_of_documents(draw: st.DrawFn) -> list[dict[str, Any]]:
    count = draw(st.integers(min_value=0, max_value=6))
    providers = st.sampled_from([CARITAS, "=1+1", "Träger; mit Semikolon"]) | st.text(max_size=20)
    return [
        document(draw(providers), offer_id, draw(st.text(max_size=20)), draw(st.lists(line, max_size=5)))
        for offer_id in range(1, count + 1)
    ]


@PROPERTIES
@given(month_of_documents())
def test_csv_total_equals_the_sum_of_the_documents_totals(documents: list[dict[str, Any]]) -> None:
    rows = payment_rows(documents)
    parsed = read_csv(to_csv(rows, provider_summary(rows)))[1:]
    if not rows:
        assert parsed == []
        return
    *body, total = parsed
    assert len(body) == sum(len(doc["participants"]) for doc in documents)
    for column, key in ((8, "hours_worked"), (9, "mae_payable"), (10, "mkp_claim")):
        assert sum((number(row[column]) for row in body), Decimal(0)) == document_sum(documents, key)
        assert number(total[column]) == document_sum(documents, key)


@settings(max_examples=20, deadline=None)
@given(month_of_documents())
def test_xlsx_keeps_every_text_and_total(documents: list[dict[str, Any]]) -> None:
    rows, _csv, data = exported(documents)
    sheet = load_workbook(io.BytesIO(data))["Zahlungen"]
    values = [list(cells) for cells in sheet.iter_rows(min_row=2, max_row=len(rows) + 1, values_only=True)]
    assert [row[:2] for row in values] == [[row.provider or None, row.offer_title or None] for row in rows]
    if rows:
        assert as_cents(sheet.cell(len(rows) + 2, 11).value) == document_sum(documents, "mkp_claim")
