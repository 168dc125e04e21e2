"""The upload of assignments exported from the Jobcenter's own system (CSV or XLSX), for ARGE staff.

All or nothing: `read_assignments` returns either every row checked and ready for the create service, or the
errors (German, each with its row and column), never both. The columns are documented in
docs/assignments-import.md. The checks are those of a single assignment (`portal.assignments.rules`), plus what only
an upload can get wrong: the offer named by its number, the site by its name, and the same assignment twice.

Not checked here, because they are warnings for staff or need an access-log entry: the 24 months within 5 years
(`portal.assignments.eligibility`) and assignments beyond the offer's places.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.datetime import from_excel
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.assignments.models import WORKWEEK, Assignment, Participant
from portal.assignments.rules import (
    AssignmentInput,
    assignment_problems,
    check_customer_number,
    check_initials,
    normalise_customer_number,
    normalise_initials,
)
from portal.assignments.weekdays import parse_weekdays, shorten
from portal.extensions import db
from portal.offers.fields import EARLIEST, LATEST, parse_number
from portal.offers.models import Offer, OfferState, OfferVersion

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000  # assignments in one file
MAX_UNPACKED_BYTES = 20 * 1024 * 1024  # an XLSX is a ZIP archive: what it may unpack to
MAX_CELL_LENGTH = 200
ACCEPTED = "Bitte laden Sie eine CSV-Datei (.csv) oder eine Excel-Arbeitsmappe (.xlsx) hoch."
ZIP_MAGIC, OLE_MAGIC = b"PK\x03\x04", b"\xd0\xcf\x11\xe0"  # XLSX, ODS … / the old .xls and other Office files

# A cell as the readers give it: text from a CSV; text, numbers, dates or nothing from a workbook.
Cell = str | int | float | datetime | date | None


@dataclass(frozen=True)
class Column:
    key: str  # the field of AssignmentInput / ImportRow it fills
    header: str  # as documented
    required: bool


COLUMNS = (
    Column("customer_number", "Kundennummer", required=True),
    Column("initials", "Initialen", required=True),
    Column("offer", "Angebot", required=True),
    Column("site", "Einsatzstelle", required=False),
    Column("start_date", "Beginn", required=True),
    Column("end_date", "Ende", required=True),
    Column("weekly_hours", "Wochenstunden", required=True),
    Column("weekdays", "Wochentage", required=False),
    Column("mae_rate", "MAE-Satz", required=False),
)
HEADERS = {column.key: column.header for column in COLUMNS}


def header_key(text: str) -> str:
    """A header as compared: case, spaces, hyphens, dots and underscores do not matter ("mae satz" is MAE-Satz)."""
    return re.sub(r"[\s\-_./]", "", text.casefold())


KEYS = {header_key(column.header): column.key for column in COLUMNS}


@dataclass(frozen=True)
class ImportProblem:
    message: str
    row: int | None = None  # as a spreadsheet program counts: the header is row 1
    column: str | None = None  # the documented header

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        if self.column is None:
            return f"Zeile {self.row}: {self.message}"
        return f"Zeile {self.row}, Spalte „{self.column}“: {self.message}"


@dataclass(frozen=True)
class ImportRow:
    """One checked assignment, ready for the create service."""

    row: int
    offer_id: int
    site: str  # the site's name as the offer spells it
    customer_number: str  # normalised: 123A456789
    initials: str  # normalised: "M. K."
    start_date: date
    end_date: date
    weekly_hours: Decimal
    weekdays: str  # the mask of Assignment.weekdays, e.g. "1111100"
    mae_rate: Decimal  # 0 for offers without Mehraufwandsentschädigung

    def input(self) -> AssignmentInput:
        """The row as a single assignment typed in by staff."""
        return AssignmentInput(
            customer_number=self.customer_number,
            initials=self.initials,
            start_date=self.start_date,
            end_date=self.end_date,
            weekly_hours=self.weekly_hours,
            mae_rate=self.mae_rate,
            site=self.site,
            weekdays=self.weekdays,
        )


@dataclass(frozen=True)
class ImportResult:
    rows: tuple[ImportRow, ...] = ()
    errors: tuple[ImportProblem, ...] = ()

    def __post_init__(self) -> None:
        if self.rows and self.errors:
            raise ValueError("an import result holds rows or errors, not both")

    @property
    def ok(self) -> bool:
        return not self.errors


class Refused(Exception):
    """The file as a whole cannot be read; the message is German."""


class CellError(ValueError):
    """A cell that does not fit its offer; the message is German."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


def read_assignments(filename: str, content: bytes) -> ImportResult:
    """Read and check an upload; needs the app context (limits) and the database (offers, assignments)."""
    try:
        table = read_table(filename, content)
    except Refused as error:
        return ImportResult(errors=(ImportProblem(str(error)),))
    parsed = [parse_row(number, cells) for number, cells in table]
    rows, problems = check_rows(parsed)
    problems = [*(problem for row in parsed for problem in row.problems), *problems]
    if problems:
        return ImportResult(errors=tuple(sorted(problems, key=_problem_order)))
    return ImportResult(rows=tuple(rows))


def _problem_order(problem: ImportProblem) -> tuple[int, int]:
    keys = [column.header for column in COLUMNS]
    return problem.row or 0, keys.index(problem.column) if problem.column in keys else len(keys)


# --- the file: format, size, header ---------------------------------------------------------------------------


def read_table(filename: str, content: bytes) -> list[tuple[int, dict[str, Cell]]]:
    """The file's data rows as (row number, cells by column key); blank rows are left out."""
    if not content:
        raise Refused("Die Datei ist leer.")
    if len(content) > MAX_BYTES:
        raise Refused(f"Die Datei ist größer als {MAX_BYTES // (1024 * 1024)} MB. Bitte teilen Sie sie auf.")
    rows = _rows_of(filename.lower().rsplit(".", 1)[-1] if "." in filename else "", content)
    numbered = [(number, row) for number, row in enumerate(rows, start=1) if not _blank(row)]
    if not numbered:
        raise Refused("Die Datei ist leer.")
    (_, header), data = numbered[0], numbered[1:]
    if not data:
        raise Refused("Die Datei enthält nur die Kopfzeile, aber keine Zuweisungen.")
    if len(data) > MAX_ROWS:
        raise _too_many()
    positions = _columns(header)
    return [(number, {key: _at(row, index) for key, index in positions.items()}) for number, row in data]


def _too_many() -> Refused:
    return Refused(f"Die Datei enthält mehr als {MAX_ROWS:,} Zuweisungen. Bitte teilen Sie sie auf.".replace(",", "."))


def _rows_of(extension: str, content: bytes) -> Sequence[Sequence[Cell]]:
    if extension == "csv":
        return _csv_rows(content)
    if extension == "xlsx":
        return _xlsx_rows(content)
    if extension == "xlsm":
        raise Refused("Arbeitsmappen mit Makros (.xlsm) nehmen wir nicht an. Bitte speichern Sie sie als .xlsx.")
    if extension in {"xls", "xlsb", "ods", "numbers"}:
        raise Refused(f"Das Format .{extension} können wir nicht lesen. {ACCEPTED}")
    raise Refused(ACCEPTED)


def _blank(row: Sequence[Cell]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in row)


def _at(row: Sequence[Cell], index: int) -> Cell:
    return row[index] if index < len(row) else None


def _columns(header: Sequence[Cell]) -> dict[str, int]:
    """Which column holds which field; other columns are ignored (an export may hold more than is needed)."""
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = KEYS.get(header_key(str(cell or "")))
        if key in positions:
            raise Refused(f"Die Spalte „{HEADERS[key]}“ steht zweimal in der Kopfzeile.")
        if key:
            positions[key] = index
    missing = [column.header for column in COLUMNS if column.required and column.key not in positions]
    if missing:
        names = ", ".join(f"„{name}“" for name in missing)
        lacks = "fehlt die Spalte" if len(missing) == 1 else "fehlen die Spalten"
        raise Refused(
            f"In der Kopfzeile (erste Zeile) {lacks} {names}. Erwartet werden: {', '.join(HEADERS.values())}."
        )
    return positions


def _csv_rows(content: bytes) -> list[list[str]]:
    if content.startswith((ZIP_MAGIC, OLE_MAGIC)):
        raise Refused(f"Die Datei heißt .csv, ist aber keine Textdatei. {ACCEPTED}")
    text = _decoded(content)
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)))
    except csv.Error:
        raise Refused("Die CSV-Datei ist fehlerhaft (z. B. ein Anführungszeichen ohne Gegenstück).") from None


def _decoded(content: bytes) -> str:
    """UTF-8 with or without byte order mark, else Windows-1252 (what Excel writes as "CSV (Trennzeichen-getrennt)")."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("cp1252")
        except UnicodeDecodeError:
            text = "\x00"
    if "\x00" in text:
        raise Refused("Die Datei ist nicht in UTF-8 oder Windows-1252 gespeichert. Bitte speichern Sie sie als CSV.")
    return text


def _delimiter(text: str) -> str:
    """The separator that makes the most known column names of the first line: ";" (German Excel), "," or tab."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    return max(
        (";", ",", "\t"),
        key=lambda candidate: sum(header_key(cell) in KEYS for cell in next(csv.reader([first], delimiter=candidate))),
    )


def _xlsx_rows(content: bytes) -> list[tuple[Cell, ...]]:
    """The first worksheet's values (read-only, the values last computed instead of formulas)."""
    _check_archive(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            return list(_limited(workbook.worksheets[0].iter_rows(min_row=1, values_only=True)))
        finally:
            workbook.close()
    except Refused:
        raise
    except Exception:  # a damaged workbook fails anywhere in openpyxl, with any exception
        raise Refused("Die Datei lässt sich nicht als Excel-Arbeitsmappe (.xlsx) lesen.") from None


def _limited(rows: Iterable[tuple[Any, ...]]) -> Iterator[tuple[Cell, ...]]:
    """The rows, refusing a sheet with more than MAX_ROWS non-blank rows before reading it all."""
    filled = 0
    for row in rows:
        filled += not _blank(row)
        if filled > MAX_ROWS + 1:
            raise _too_many()
        yield row


def _check_archive(content: bytes) -> None:
    if not content.startswith(ZIP_MAGIC):
        raise Refused("Die Datei lässt sich nicht als Excel-Arbeitsmappe (.xlsx) lesen.")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
    except zipfile.BadZipFile:
        raise Refused("Die Datei lässt sich nicht als Excel-Arbeitsmappe (.xlsx) lesen.") from None
    if any(entry.filename.lower().endswith("vbaproject.bin") for entry in entries):
        raise Refused("Arbeitsmappen mit Makros nehmen wir nicht an. Bitte speichern Sie sie als .xlsx ohne Makros.")
    if sum(entry.file_size for entry in entries) > MAX_UNPACKED_BYTES:
        raise Refused("Die Arbeitsmappe ist entpackt zu groß. Bitte teilen Sie sie auf.")


# --- a row's cells: what they say -----------------------------------------------------------------------------

DATE_HINT = "Bitte schreiben Sie das Datum als TT.MM.JJJJ, z. B. 01.03.2026."
GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?$")
OFFER_NUMBER = re.compile(r"^(?:angebot\s*)?(?:nr\.?\s*)?(\d{1,9})$")
EXCEL_FIRST, EXCEL_LAST = 36526, 73050  # 1 January 2000 and 31 December 2099 as Excel counts days


@dataclass(frozen=True)
class ParsedRow:
    """A row's cells converted, by column key; a cell that could not be read is missing (its problem is listed)."""

    row: int
    values: dict[str, Any]
    problems: tuple[ImportProblem, ...]

    def failed(self, key: str) -> bool:
        return any(problem.column == HEADERS[key] for problem in self.problems)


REQUIRED = object()  # no default: an empty cell is a problem


def parse_row(number: int, cells: dict[str, Cell]) -> ParsedRow:
    values: dict[str, Any] = {}
    problems: list[ImportProblem] = []
    for key, (parse, default) in PARSERS.items():
        value = cells.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if default is REQUIRED:
                problems.append(ImportProblem("Die Angabe fehlt.", number, HEADERS[key]))
            else:
                values[key] = default
            continue
        try:
            values[key] = parse(value)
        except ValueError as error:
            problems.append(ImportProblem(str(error), number, HEADERS[key]))
    return ParsedRow(number, values, tuple(problems))


def _text(value: Cell) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)  # a number cell of a workbook: 12.0 is 12
    text = " ".join(str(value).split())
    if len(text) > MAX_CELL_LENGTH:
        raise ValueError(f"Der Eintrag ist länger als {MAX_CELL_LENGTH} Zeichen.")
    return text


def _customer_number(value: Cell) -> str:
    number = normalise_customer_number(_text(value))
    message = check_customer_number(number)
    if message:
        raise ValueError(message)
    return number


def _initials(value: Cell) -> str:
    text = _text(value)
    message = check_initials(text)
    if message:
        raise ValueError(message)
    return normalise_initials(text)


def _offer_number(value: Cell) -> int:
    found = OFFER_NUMBER.match(_text(value).casefold()) if not isinstance(value, datetime | date) else None
    if found is None or int(found.group(1)) == 0:
        raise ValueError(
            f"„{shorten(_text(value))}“ ist keine Angebotsnummer. Bitte geben Sie die Nummer an, unter der das "
            "Angebot im Portal steht, z. B. 12."
        )
    return int(found.group(1))


def _date(value: Cell) -> date:
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    elif isinstance(value, int | float) and not isinstance(value, bool) and EXCEL_FIRST <= value < EXCEL_LAST + 1:
        day = from_excel(int(value)).date()
    else:
        day = _date_text(_text(value))
    if not EARLIEST <= day <= LATEST:
        raise ValueError(f"Das Datum muss zwischen {EARLIEST:%d.%m.%Y} und {LATEST:%d.%m.%Y} liegen.")
    return day


def _date_text(text: str) -> date:
    german, iso = GERMAN_DATE.match(text), ISO_DATE.match(text)
    try:
        if german:
            return date(int(german.group(3)), int(german.group(2)), int(german.group(1)))
        if iso:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    except ValueError:
        pass  # 31.02.2026: the same message as for any other text
    raise ValueError(f"„{shorten(text)}“ ist kein Datum. {DATE_HINT}")


def _decimal(value: Cell, places: int) -> Decimal:
    example = "19,5" if places == 1 else "1,50"
    text = _text(value)
    try:
        if isinstance(value, bool | datetime | date):
            raise InvalidOperation(text)
        number = Decimal(repr(value)) if isinstance(value, float) else parse_number(text)
        if not number.is_finite():
            raise InvalidOperation(text)
        exact = number == number.quantize(Decimal(1).scaleb(-places))
    except InvalidOperation:
        raise ValueError(f"„{shorten(text)}“ ist keine Zahl. Bitte schreiben Sie sie z. B. als {example}.") from None
    if not exact:
        digits = "einer Nachkommastelle" if places == 1 else f"{places} Nachkommastellen"
        raise ValueError(f"Bitte geben Sie die Zahl mit höchstens {digits} an, z. B. {example}.")
    return number


# What each column's cell is read as, and its value when empty.
PARSERS: dict[str, tuple[Callable[[Cell], Any], Any]] = {
    "customer_number": (_customer_number, REQUIRED),
    "initials": (_initials, REQUIRED),
    "offer": (_offer_number, REQUIRED),
    "site": (_text, ""),
    "start_date": (_date, REQUIRED),
    "end_date": (_date, REQUIRED),
    "weekly_hours": (lambda value: _decimal(value, places=1), REQUIRED),
    "weekdays": (lambda value: parse_weekdays(_text(value)), WORKWEEK),
    "mae_rate": (lambda value: _decimal(value, places=2), None),
}


# --- the rows together: offers, sites, limits, the same assignment twice ------------------------------------


def check_rows(parsed: Sequence[ParsedRow]) -> tuple[list[ImportRow], list[ImportProblem]]:
    """The rules that need the offers and the other rows; rows with unreadable cells are checked as far as possible.

    The rows are for the caller only when there are no problems at all."""
    offers = _offers({row.values["offer"] for row in parsed if "offer" in row.values})
    stored = _assigned(set(offers))
    rows: list[ImportRow] = []  # every row whose cells could be read, also those refused by a rule
    earlier: dict[tuple[int, str], list[ImportRow]] = defaultdict(list)
    problems: list[ImportProblem] = []
    for item in parsed:
        row, found = _checked(item, offers)
        problems.extend(found)
        if row is not None:
            key = (row.offer_id, row.customer_number)
            problems.extend(_duplicates(row, earlier[key], stored.get(key, [])))
            earlier[key].append(row)
            rows.append(row)
    return rows, problems


def _offers(ids: set[int]) -> dict[int, Offer]:
    query = (
        select(Offer)
        .where(Offer.id.in_(ids))
        .options(selectinload(Offer.live_version).selectinload(OfferVersion.sites))
    )
    return {offer.id: offer for offer in db.session.scalars(query)}


def _assigned(offer_ids: set[int]) -> dict[tuple[int, str], list[tuple[date, date]]]:
    """The periods stored for these offers, by offer and Kundennummer."""
    query = (
        select(Assignment.offer_id, Participant.customer_number, Assignment.start_date, Assignment.end_date)
        .join(Participant, Participant.id == Assignment.participant_id)
        .where(Assignment.offer_id.in_(offer_ids))
    )
    stored: dict[tuple[int, str], list[tuple[date, date]]] = defaultdict(list)
    for offer_id, number, start, end in db.session.execute(query):
        stored[(offer_id, number)].append((start, end))
    return stored


def _checked(item: ParsedRow, offers: dict[int, Offer]) -> tuple[ImportRow | None, list[ImportProblem]]:
    """The row with its offer's site and MAE rate, and the problems of its rules; None while a cell is unreadable."""
    if "offer" not in item.values:
        return None, []
    offer_id = item.values["offer"]
    offer = offers.get(offer_id)
    version = offer.live_version if offer is not None and offer.state == OfferState.LIVE else None
    if offer is None or version is None:
        return None, [ImportProblem(_offer_refusal(offer_id, offer), item.row, HEADERS["offer"])]
    if item.failed("site"):
        return None, []
    try:
        site = _site(item.values["site"], version, offer_id)
        mae_rate = _mae_rate(item, version.is_agh, offer_id)
    except CellError as error:
        return None, [ImportProblem(str(error), item.row, HEADERS[error.key])]
    if item.problems:
        return None, []
    fields = ("customer_number", "initials", "start_date", "end_date", "weekly_hours", "weekdays")
    row = ImportRow(
        row=item.row, offer_id=offer_id, site=site, mae_rate=mae_rate, **{key: item.values[key] for key in fields}
    )
    return row, [ImportProblem(message, item.row, HEADERS[key]) for key, message in _limits(offer, row).items()]


def _offer_refusal(offer_id: int, offer: Offer | None) -> str:
    if offer is None:
        return f"Ein Angebot Nr. {offer_id} gibt es nicht."
    return (
        f"Angebot Nr. {offer_id} ist nicht genehmigt und laufend (Stand: {offer.state_label}). Zuweisungen sind nur "
        "zu genehmigten, laufenden Angeboten möglich."
    )


def _site(text: str, version: OfferVersion, offer_id: int) -> str:
    names = [site.name for site in version.sites]
    listed = ", ".join(f"„{name}“" for name in names)
    if not text:
        if len(names) > 1:
            raise CellError(
                "site", f"Angebot Nr. {offer_id} hat mehrere Einsatzstellen ({listed}); bitte geben Sie eine an."
            )
        return names[0] if names else ""
    for name in names:
        if " ".join(name.split()).casefold() == text.casefold():
            return name
    raise CellError(
        "site",
        f"Die Einsatzstelle „{shorten(text, 40)}“ gehört nicht zu Angebot Nr. {offer_id}. "
        f"Seine Einsatzstellen: {listed}.",
    )


def _mae_rate(item: ParsedRow, is_agh: bool, offer_id: int) -> Decimal:
    """The row's MAE rate: required for an AGH with MAE, none (0) for other offers."""
    rate = item.values.get("mae_rate")
    if is_agh and rate is None and not item.failed("mae_rate"):
        raise CellError("mae_rate", "Bei einer Arbeitsgelegenheit mit Mehraufwandsentschädigung ist er anzugeben.")
    if not is_agh and rate:
        raise CellError(
            "mae_rate",
            f"Angebot Nr. {offer_id} ist keine Arbeitsgelegenheit mit Mehraufwandsentschädigung; bitte lassen Sie "
            "den MAE-Satz leer.",
        )
    return rate if is_agh and rate is not None else Decimal(0)


def _limits(offer: Offer, row: ImportRow) -> dict[str, str]:
    """The rules of a single assignment (portal.assignments.rules), the weekdays' hours among them."""
    return assignment_problems(offer, row.input())


def _duplicates(
    row: ImportRow, earlier: Sequence[ImportRow], stored: Sequence[tuple[date, date]]
) -> list[ImportProblem]:
    """An overlapping period of the same Kundennummer in the same offer: earlier in the file, or stored already."""
    for other in earlier:
        if _overlap(row, other.start_date, other.end_date):
            return [
                ImportProblem(
                    f"Die Kundennummer {row.customer_number} ist Angebot Nr. {row.offer_id} schon in Zeile "
                    f"{other.row} für einen überschneidenden Zeitraum zugewiesen.",
                    row.row,
                )
            ]
    for start, end in stored:
        if _overlap(row, start, end):
            return [
                ImportProblem(
                    f"Die Kundennummer {row.customer_number} ist Angebot Nr. {row.offer_id} vom {start:%d.%m.%Y} bis "
                    f"{end:%d.%m.%Y} bereits zugewiesen.",
                    row.row,
                )
            ]
    return []


def _overlap(row: ImportRow, start: date, end: date) -> bool:
    return row.start_date <= end and start <= row.end_date
