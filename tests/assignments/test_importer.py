"""The upload of the Jobcenter's export: real CSV and XLSX files, offers in the database, all or nothing."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from openpyxl import Workbook

from portal.assignments import importer
from portal.assignments.importer import ImportProblem, ImportResult, ImportRow, read_assignments
from portal.extensions import db
from portal.offers.models import Offer, OfferType, Site, VersionStatus
from tests.factories import Factories
from tests.strategies import FUZZ, odd_value

SAMPLE = Path(importer.__file__).with_name("sample.csv")
HEADER = "Kundennummer;Initialen;Angebot;Einsatzstelle;Beginn;Ende;Wochenstunden;Wochentage;MAE-Satz"


@pytest.fixture
def clothes(factories: Factories) -> Offer:
    """A live AGH offer from 2026 to mid-2027 with two sites."""
    offer = factories.live_offer(start_date=date(2026, 1, 1), end_date=date(2027, 6, 30))
    assert offer.live_version is not None
    offer.live_version.sites.append(
        Site(
            position=1,
            name="Kleiderkammer Nord",
            street="Nordweg 2",
            postal_code="50670",
            district="Nordstadt",
            places=4,
        )
    )
    db.session.flush()
    return offer


def upload(path: Path) -> ImportResult:
    return read_assignments(path.name, path.read_bytes())


def csv_file(tmp_path: Path, text: str, name: str = "zuweisungen.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def xlsx_file(tmp_path: Path, rows: list[list[Any]], name: str = "zuweisungen.xlsx") -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


def errors(result: ImportResult) -> list[str]:
    assert not result.rows
    return [str(problem) for problem in result.errors]


def test_the_documented_sample_reads(tmp_path: Path, green: Offer, clothes: Offer) -> None:
    text = SAMPLE.read_text(encoding="utf-8").replace(";12;", f";{green.id};").replace(";15;", f";{clothes.id};")
    result = upload(csv_file(tmp_path, text))
    assert result.ok
    # fmt: off
    assert result.rows == (
        ImportRow(
            2, green.id, "Stadtteilzentrum", "123A456789", "M. K.", date(2026, 3, 1), date(2026, 8, 31),
            Decimal(20), "1111100", Decimal("1.50"),
        ),
        ImportRow(
            3, green.id, "Stadtteilzentrum", "234B567890", "A. S.", date(2026, 3, 15), date(2026, 9, 14),
            Decimal(30), "1111100", Decimal("2.00"),
        ),
        ImportRow(
            4, clothes.id, "Kleiderkammer Nord", "345C678901", "J. T.", date(2026, 4, 1), date(2026, 9, 30),
            Decimal("19.5"), "1110000", Decimal("1.50"),
        ),
        ImportRow(
            5, clothes.id, "Stadtteilzentrum", "456D789012", "L. W.", date(2026, 4, 1), date(2027, 3, 31),
            Decimal(24), "1111110", Decimal("1.50"),
        ),
    )
    # fmt: on


def test_windows_1252_with_commas_and_headers_in_any_order(tmp_path: Path, clothes: Offer) -> None:
    text = (
        "  mae satz ,ENDE,beginn,Kundennummer,Initialen,Angebot,Wochenstunden,Einsatzstelle,Bemerkung\r\n"
        f'"1,50",30.09.2026,01.04.2026,123-a-456789,M.K.,Nr. {clothes.id},"19,5",kleiderkammer  nord,für später\r\n'
    )
    result = upload(csv_file(tmp_path, text, encoding="cp1252"))
    [row] = result.rows
    assert (row.customer_number, row.initials, row.site, row.weekdays) == (
        "123A456789",
        "M.K.",
        "Kleiderkammer Nord",
        "1111100",
    )
    assert (row.weekly_hours, row.mae_rate) == (Decimal("19.5"), Decimal("1.50"))


def test_utf8_with_a_byte_order_mark_and_umlauts(tmp_path: Path, factories: Factories) -> None:
    offer = factories.live_offer(start_date=date(2026, 1, 1), end_date=date(2026, 12, 31))
    assert offer.live_version is not None
    offer.live_version.sites[0].name = "Grünanlage Süd"
    text = f"{HEADER}\n123A456789;Ä. Ö.;{offer.id};GRÜNANLAGE SÜD;01.03.2026;31.03.2026;10;Sa, So;1,00\n"
    [row] = upload(csv_file(tmp_path, text, encoding="utf-8-sig")).rows
    assert (row.initials, row.site, row.weekdays) == ("Ä. Ö.", "Grünanlage Süd", "0000011")


def test_a_workbook_with_real_dates_numbers_and_blank_rows(tmp_path: Path, green: Offer) -> None:
    header = ["Angebot", "Kundennummer", "Initialen", "Beginn", "Ende", "Wochenstunden", "MAE-Satz", "Name"]
    path = xlsx_file(
        tmp_path,
        [
            [],
            header,
            [green.id, "123A456789", "M. K.", datetime(2026, 3, 1), date(2026, 8, 31), 20, 1.5, "nicht gelesen"],
            [],
            [float(green.id), "234B567890", "A. S.", 46082, "2026-09-30", 19.5, "2,00"],  # 46082: 1 March 2026
            [None, None, None],
        ],
    )
    first, second = upload(path).rows
    assert (first.row, first.start_date, first.end_date, first.mae_rate) == (
        3,
        date(2026, 3, 1),
        date(2026, 8, 31),
        Decimal("1.5"),
    )
    assert (second.row, second.start_date, second.weekly_hours, second.mae_rate) == (
        5,
        date(2026, 3, 1),
        Decimal("19.5"),
        Decimal("2.00"),
    )
    assert second.site == "Stadtteilzentrum"


def test_every_bad_row_is_named_and_nothing_is_returned(tmp_path: Path, green: Offer) -> None:
    good = f"123A456789;M. K.;{green.id};;01.03.2026;31.08.2026;20;Mo-Fr;1,50"
    lines = [
        HEADER,
        good,
        f"12345;Eva;{green.id};;32.01.2026;31.08.2026;20;;1,50",
        "234B567890;A. S.;999999;;01.03.2026;31.08.2026;20;;1,50",
        f"345C678901;J. T.;{green.id};;01.03.2026;31.08.2026;40;;1,50",
        f"456D789012;L. W.;{green.id};;01.03.2026;31.08.2026;20;;3,00",
        f"567E890123;K. B.;{green.id};;01.03.2026;31.01.2027;20;Mo-So;1,50",
        good,
        f"678F901234;S. R.;{green.id};Rathaus;01.03.2026;31.08.2026;20;Mo;1,50",
        f"789G012345;P. L.;{green.id};;01.03.2026;31.08.2026;20;Mo;1,50",
        f";;{green.id};;;;;Werktags;eins",
        f"890H123456;U. V.;{green.id};;01.03.2026;31.08.2026;20,25;;1,50",
    ]
    result = upload(csv_file(tmp_path, "\n".join(lines)))
    assert errors(result) == [
        "Zeile 3, Spalte „Kundennummer“: Die Kundennummer hat 10 Zeichen: drei Ziffern, einen Buchstaben und sechs "
        "Ziffern, z. B. 123A456789.",
        "Zeile 3, Spalte „Initialen“: Bitte geben Sie nur die Anfangsbuchstaben an (ein bis drei, z. B. „M. K.“), "
        "keinen Namen.",
        "Zeile 3, Spalte „Beginn“: „32.01.2026“ ist kein Datum. Bitte schreiben Sie das Datum als TT.MM.JJJJ, z. B. "
        "01.03.2026.",
        "Zeile 4, Spalte „Angebot“: Ein Angebot Nr. 999999 gibt es nicht.",
        "Zeile 5, Spalte „Wochenstunden“: Die Wochenstunden müssen über 0 und höchstens 30 sein.",
        "Zeile 6, Spalte „MAE-Satz“: Die MAE je Stunde muss zwischen 1,00 € und 2,50 € liegen.",
        "Zeile 7, Spalte „Ende“: Das Ende muss im Zeitraum des Angebots liegen (01.01.2026 bis 31.12.2026).",
        "Zeile 8: Die Kundennummer 123A456789 ist Angebot Nr. "
        f"{green.id} schon in Zeile 2 für einen überschneidenden Zeitraum zugewiesen.",
        f"Zeile 9, Spalte „Einsatzstelle“: Die Einsatzstelle „Rathaus“ gehört nicht zu Angebot Nr. {green.id}. "
        "Seine Einsatzstellen: „Stadtteilzentrum“.",
        "Zeile 10, Spalte „Wochenstunden“: An einem Wochentag (Mo) sind höchstens 10 Stunden in der Woche möglich "
        "(10 Stunden am Tag).",
        "Zeile 11, Spalte „Kundennummer“: Die Angabe fehlt.",
        "Zeile 11, Spalte „Initialen“: Die Angabe fehlt.",
        "Zeile 11, Spalte „Beginn“: Die Angabe fehlt.",
        "Zeile 11, Spalte „Ende“: Die Angabe fehlt.",
        "Zeile 11, Spalte „Wochenstunden“: Die Angabe fehlt.",
        "Zeile 11, Spalte „Wochentage“: „Werktags“ ist kein Wochentag. Bitte schreiben Sie die Tage z. B. als "
        "„Mo–Fr“, „Mo, Di, Mi“ oder „Mo–Sa“.",
        "Zeile 11, Spalte „MAE-Satz“: „eins“ ist keine Zahl. Bitte schreiben Sie sie z. B. als 1,50.",
        "Zeile 12, Spalte „Wochenstunden“: Bitte geben Sie die Zahl mit höchstens einer Nachkommastelle an, z. B. "
        "19,5.",
    ]


def test_the_row_with_a_missing_rate_is_refused_for_an_agh(tmp_path: Path, green: Offer) -> None:
    text = f"{HEADER}\n123A456789;M. K.;{green.id};;01.03.2026;31.08.2026;20;;\n"
    assert errors(upload(csv_file(tmp_path, text))) == [
        "Zeile 2, Spalte „MAE-Satz“: Bei einer Arbeitsgelegenheit mit Mehraufwandsentschädigung ist er anzugeben."
    ]


def test_an_offer_without_mae_takes_no_rate(tmp_path: Path, factories: Factories) -> None:
    other = factories.live_offer(
        start_date=date(2026, 1, 1), end_date=date(2026, 12, 31), offer_type=OfferType.MUNICIPAL, mae_rate=None
    )
    without = f"{HEADER}\n123A456789;M. K.;{other.id};;01.03.2026;31.08.2026;20;;\n"
    assert upload(csv_file(tmp_path, without)).rows[0].mae_rate == 0
    wrong = without.replace(";;\n", ";;1,50\n")
    assert errors(upload(csv_file(tmp_path, wrong))) == [
        f"Zeile 2, Spalte „MAE-Satz“: Angebot Nr. {other.id} ist keine Arbeitsgelegenheit mit "
        "Mehraufwandsentschädigung; bitte lassen Sie den MAE-Satz leer."
    ]


def test_only_live_offers_take_assignments(tmp_path: Path, factories: Factories) -> None:
    draft = factories.offer(status=VersionStatus.SUBMITTED)
    text = f"{HEADER}\n123A456789;M. K.;Angebot Nr. {draft.id};;01.03.2026;31.08.2026;20;;1,50\n"
    assert errors(upload(csv_file(tmp_path, text))) == [
        f"Zeile 2, Spalte „Angebot“: Angebot Nr. {draft.id} ist nicht genehmigt und laufend (Stand: Noch nicht "
        "genehmigt). Zuweisungen sind nur zu genehmigten, laufenden Angeboten möglich."
    ]


def test_an_offer_with_several_sites_needs_one_named(tmp_path: Path, clothes: Offer) -> None:
    text = f"{HEADER}\n123A456789;M. K.;{clothes.id};;01.03.2026;31.08.2026;20;;1,50\n"
    assert errors(upload(csv_file(tmp_path, text))) == [
        f"Zeile 2, Spalte „Einsatzstelle“: Angebot Nr. {clothes.id} hat mehrere Einsatzstellen "
        "(„Stadtteilzentrum“, „Kleiderkammer Nord“); bitte geben Sie eine an."
    ]


def test_an_assignment_stored_already_is_refused(tmp_path: Path, factories: Factories, green: Offer) -> None:
    factories.assignment(green, customer_number="123A456789", start_date=date(2026, 8, 1), end_date=date(2026, 9, 30))
    text = f"{HEADER}\n123A456789;M. K.;{green.id};;01.03.2026;31.08.2026;20;;1,50\n"
    assert errors(upload(csv_file(tmp_path, text))) == [
        f"Zeile 2: Die Kundennummer 123A456789 ist Angebot Nr. {green.id} vom 01.08.2026 bis 30.09.2026 bereits "
        "zugewiesen."
    ]
    one_day = text.replace("01.03.2026;31.08.2026", "30.09.2026;31.12.2026")
    assert "bereits zugewiesen" in errors(upload(csv_file(tmp_path, one_day)))[0]
    day_after = text.replace("01.03.2026;31.08.2026", "01.10.2026;31.12.2026")
    assert upload(csv_file(tmp_path, day_after)).ok


def test_the_same_person_in_two_offers_or_two_periods_is_no_duplicate(
    tmp_path: Path, green: Offer, clothes: Offer
) -> None:
    row = "123A456789;M. K.;{};Stadtteilzentrum;{};15;;1,50"
    lines = [
        row.format(green.id, "01.03.2026;31.08.2026"),
        row.format(clothes.id, "01.03.2026;31.08.2026"),
        row.format(green.id, "01.09.2026;31.12.2026"),
    ]
    assert len(upload(csv_file(tmp_path, "\n".join([HEADER, *lines]))).rows) == 3
    lines.append(row.format(green.id, "31.12.2026;31.12.2026"))
    assert errors(upload(csv_file(tmp_path, "\n".join([HEADER, *lines])))) == [
        f"Zeile 5: Die Kundennummer 123A456789 ist Angebot Nr. {green.id} schon in Zeile 4 für einen "
        "überschneidenden Zeitraum zugewiesen."
    ]


@pytest.mark.parametrize(
    ("key", "cell", "value"),
    [
        ("start_date", "1.3.2026", date(2026, 3, 1)),
        ("start_date", "2026-03-01T00:00:00", date(2026, 3, 1)),
        ("start_date", 46082.75, date(2026, 3, 1)),
        ("end_date", date(2026, 8, 31), date(2026, 8, 31)),
        ("offer", "angebot nr.12", 12),
        ("offer", "Nr 7", 7),
        ("offer", 12.0, 12),
        ("mae_rate", "1,50 €", Decimal("1.50")),
        ("customer_number", " 123 a 456789 ", "123A456789"),
        ("weekdays", "Di-Do", "0111000"),
    ],
)
def test_a_cell_is_read(key: str, cell: Any, value: Any) -> None:
    assert importer.parse_row(2, {key: cell}).values[key] == value


@pytest.mark.parametrize(
    ("key", "cell", "message"),
    [
        ("start_date", "31.02.2026", "„31.02.2026“ ist kein Datum. Bitte schreiben Sie das Datum als TT.MM.JJJJ"),
        ("start_date", "01.03.26", "„01.03.26“ ist kein Datum."),
        ("end_date", "01.01.1999", "Das Datum muss zwischen 01.01.2000 und 31.12.2099 liegen."),
        ("end_date", 12, "„12“ ist kein Datum."),
        ("offer", 0, "„0“ ist keine Angebotsnummer. Bitte geben Sie die Nummer an, unter der das Angebot im Portal"),
        ("offer", 12.5, "„12.5“ ist keine Angebotsnummer."),
        ("mae_rate", "1,505", "Bitte geben Sie die Zahl mit höchstens 2 Nachkommastellen an, z. B. 1,50."),
        ("weekly_hours", "1e400", "„1e400“ ist keine Zahl."),
        ("weekly_hours", True, "„True“ ist keine Zahl."),
        ("initials", "M" * 201, "Der Eintrag ist länger als 200 Zeichen."),
    ],
)
def test_a_cell_is_refused(key: str, cell: Any, message: str) -> None:
    parsed = importer.parse_row(2, {key: cell})
    [problem] = [problem for problem in parsed.problems if problem.column == importer.HEADERS[key]]
    assert problem.message.startswith(message)
    assert key not in parsed.values


def test_a_row_whose_offer_or_site_cannot_be_read_shows_only_that(tmp_path: Path, green: Offer) -> None:
    long_site = "S" * 201
    lines = [
        HEADER,
        "123A456789;M. K.;zwölf;;01.03.2026;31.08.2026;20;;",
        f"234B567890;A. S.;{green.id};{long_site};01.03.2026;31.08.2026;20;;",
    ]
    assert errors(upload(csv_file(tmp_path, "\n".join(lines)))) == [
        "Zeile 2, Spalte „Angebot“: „zwölf“ ist keine Angebotsnummer. Bitte geben Sie die Nummer an, unter der das "
        "Angebot im Portal steht, z. B. 12.",
        "Zeile 3, Spalte „Einsatzstelle“: Der Eintrag ist länger als 200 Zeichen.",
    ]


# --- the file as a whole ----------------------------------------------------------------------------------------


def macro_workbook(tmp_path: Path) -> Path:
    path = xlsx_file(tmp_path, [["Kundennummer"]], name="makro.xlsx")
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("xl/vbaProject.bin", b"\x00macro")
    return path


def bulky_workbook(tmp_path: Path) -> Path:
    path = xlsx_file(tmp_path, [["Kundennummer"]], name="gross.xlsx")
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/leer.bin", bytes(importer.MAX_UNPACKED_BYTES))
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: csv_file(tmp, ""), "Die Datei ist leer."),
        (lambda tmp: csv_file(tmp, "\n ; ;\n"), "Die Datei ist leer."),
        (lambda tmp: csv_file(tmp, HEADER + "\n"), "Die Datei enthält nur die Kopfzeile, aber keine Zuweisungen."),
        (
            lambda tmp: csv_file(tmp, "x" * (importer.MAX_BYTES + 1)),
            "Die Datei ist größer als 2 MB. Bitte teilen Sie sie auf.",
        ),
        (
            lambda tmp: csv_file(tmp, HEADER + "\n1;2;3" * (importer.MAX_ROWS + 1)),
            "Die Datei enthält mehr als 2.000 Zuweisungen. Bitte teilen Sie sie auf.",
        ),
        (
            lambda tmp: csv_file(tmp, "Kundennummer;Name;Angebot;Start\n1;2;3;4"),
            "In der Kopfzeile (erste Zeile) fehlen die Spalten „Initialen“, „Beginn“, „Ende“, „Wochenstunden“. "
            "Erwartet werden: Kundennummer, Initialen, Angebot, Einsatzstelle, Beginn, Ende, Wochenstunden, "
            "Wochentage, MAE-Satz.",
        ),
        (
            lambda tmp: csv_file(tmp, HEADER.replace("Wochentage;", "") + ";Ende\n1"),
            "Die Spalte „Ende“ steht zweimal in der Kopfzeile.",
        ),
        (
            lambda tmp: csv_file(tmp, HEADER, name="zuweisungen.xls"),
            "Das Format .xls können wir nicht lesen. Bitte laden Sie eine CSV-Datei (.csv) oder eine "
            "Excel-Arbeitsmappe (.xlsx) hoch.",
        ),
        (
            lambda tmp: csv_file(tmp, HEADER, name="zuweisungen.xlsm"),
            "Arbeitsmappen mit Makros (.xlsm) nehmen wir nicht an. Bitte speichern Sie sie als .xlsx.",
        ),
        (
            lambda tmp: csv_file(tmp, HEADER, name="zuweisungen"),
            "Bitte laden Sie eine CSV-Datei (.csv) oder eine Excel-Arbeitsmappe (.xlsx) hoch.",
        ),
        (
            macro_workbook,
            "Arbeitsmappen mit Makros nehmen wir nicht an. Bitte speichern Sie sie als .xlsx ohne Makros.",
        ),
        (bulky_workbook, "Die Arbeitsmappe ist entpackt zu groß. Bitte teilen Sie sie auf."),
        (
            lambda tmp: xlsx_file(tmp, [["Kundennummer"]]).rename(tmp / "tarnung.csv"),
            "Die Datei heißt .csv, ist aber keine Textdatei. Bitte laden Sie eine CSV-Datei (.csv) oder eine "
            "Excel-Arbeitsmappe (.xlsx) hoch.",
        ),
        (
            lambda tmp: csv_file(tmp, HEADER, name="text.xlsx"),
            "Die Datei lässt sich nicht als Excel-Arbeitsmappe (.xlsx) lesen.",
        ),
        (
            lambda tmp: csv_file(tmp, "PK\x03\x04 kaputt", name="kaputt.xlsx"),
            "Die Datei lässt sich nicht als Excel-Arbeitsmappe (.xlsx) lesen.",
        ),
        (
            lambda tmp: csv_file(tmp, HEADER + "\n1", encoding="utf-16"),
            "Die Datei ist nicht in UTF-8 oder Windows-1252 gespeichert. Bitte speichern Sie sie als CSV.",
        ),
        (
            lambda tmp: csv_file(tmp, HEADER + "\n\x81", encoding="latin-1"),  # no character in Windows-1252 either
            "Die Datei ist nicht in UTF-8 oder Windows-1252 gespeichert. Bitte speichern Sie sie als CSV.",
        ),
        (
            lambda tmp: csv_file(tmp, HEADER + '\n"' + "x" * 200_000),
            "Die CSV-Datei ist fehlerhaft (z. B. ein Anführungszeichen ohne Gegenstück).",
        ),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_as_a_whole(tmp_path: Path, make: Any, message: str) -> None:
    assert upload(make(tmp_path)).errors == (ImportProblem(message),)


def test_a_damaged_sheet_inside_a_workbook_is_refused(tmp_path: Path) -> None:
    path = xlsx_file(tmp_path, [["Kundennummer"]])
    damaged = tmp_path / "beschaedigt.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(damaged, "w") as target:
        for entry in source.infolist():
            content = source.read(entry)
            target.writestr(entry, b"<worksheet><sheetData><row" if entry.filename.endswith("sheet1.xml") else content)
    assert errors(upload(damaged)) == ["Die Datei lässt sich nicht als Excel-Arbeitsmappe (.xlsx) lesen."]


def test_a_workbook_with_too_many_rows_is_refused_while_read(tmp_path: Path) -> None:
    rows = [["Kundennummer"], *([str(number)] for number in range(importer.MAX_ROWS + 1))]
    assert errors(upload(xlsx_file(tmp_path, rows))) == [
        "Die Datei enthält mehr als 2.000 Zuweisungen. Bitte teilen Sie sie auf."
    ]


def test_the_row_limit_itself_is_allowed(tmp_path: Path, green: Offer) -> None:
    lines = [
        f"{100 + number // 1000:03d}A{number:06d};M. K.;{green.id};;01.03.2026;31.08.2026;20;;1,50"
        for number in range(importer.MAX_ROWS)
    ]
    result = upload(csv_file(tmp_path, "\n".join([HEADER, *lines])))
    assert len(result.rows) == importer.MAX_ROWS


def test_a_result_holds_rows_or_errors() -> None:
    row = ImportRow(
        2, 1, "", "123A456789", "M. K.", date(2026, 1, 1), date(2026, 1, 1), Decimal(1), "1111100", Decimal(1)
    )
    with pytest.raises(ValueError, match="rows or errors"):
        ImportResult(rows=(row,), errors=(ImportProblem("x"),))


# --- whatever a file holds ----------------------------------------------------------------------------------------

cells = st.one_of(
    st.none(),
    odd_value,
    st.integers(),
    st.floats(),
    st.dates(),
    st.datetimes(),
)


@FUZZ
@given(st.dictionaries(st.sampled_from(list(importer.HEADERS)), cells))
@example(dict.fromkeys(importer.HEADERS, float("inf")))
@example(dict.fromkeys(importer.HEADERS, float("nan")))
@example(dict.fromkeys(importer.HEADERS, -1e300))
@example(dict.fromkeys(importer.HEADERS, True))
def test_every_cell_gives_a_value_or_a_problem(row: dict[str, Any]) -> None:
    parsed = importer.parse_row(7, row)
    failed = {problem.column for problem in parsed.problems}
    assert all(problem.row == 7 for problem in parsed.problems)
    assert {importer.HEADERS[key] for key in parsed.values} | failed == set(importer.HEADERS.values())
    assert not {importer.HEADERS[key] for key in parsed.values} & failed


@FUZZ
@given(
    st.one_of(st.binary(max_size=3000), st.binary(max_size=3000).map(importer.ZIP_MAGIC.__add__)),
    st.sampled_from(["a.csv", "a.xlsx"]),
)
def test_any_bytes_are_read_or_refused(content: bytes, name: str) -> None:
    try:
        table = importer.read_table(name, content)
    except importer.Refused:
        return  # anything else escaping fails the test
    assert all(number >= 2 for number, _ in table)


def test_the_documentation_shows_the_sample() -> None:
    documentation = (Path(__file__).parents[2] / "docs" / "assignments-import.md").read_text(encoding="utf-8")
    block = documentation.split("```csv\n", 1)[1].split("```", 1)[0]
    assert block == SAMPLE.read_text(encoding="utf-8")
