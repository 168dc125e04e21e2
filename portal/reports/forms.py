"""Forms of the reports domain: an immediate event, the report's submission, scan upload, decision.

The attendance grid itself is not a WTForms form: its cells (`c-<line>-<day>`) are read by `grid_cells`, because
their number depends on the month and the participants; the CSRF token and the version counter come from GridForm.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_wtf.file import FileField, FileRequired
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, HiddenField, IntegerField
from wtforms.validators import InputRequired, ValidationError

from portal.assignments.models import EVENT_KIND_LABELS, EventKind
from portal.forms import CONTROL_CHARACTERS, LockedForm, OnceForm, PortalForm
from portal.offers.fields import ChoiceRadioField, GermanDateField, text_area
from portal.pdfcheck import MAX_BYTES

MAX_SCAN_BYTES = MAX_BYTES  # read one byte more, so that an oversized file is refused, not cut


class EventForm(OnceForm):
    kind = ChoiceRadioField(
        "Art der Meldung",
        choices={kind.value: label for kind, label in EVENT_KIND_LABELS.items()},
        coerce=lambda value: EventKind(value) if value else None,
        validators=[InputRequired("Bitte wählen Sie, was Sie melden.")],
    )
    event_date = GermanDateField(
        "Datum",
        description="Bei Abbruch, Arbeits- oder Ausbildungsaufnahme: der letzte Tag in der Maßnahme; "
        "bei Nichtantritt: der geplante erste Tag.",
        validators=[InputRequired("Bitte geben Sie das Datum an.")],
    )
    reason = text_area(
        "Grund oder Erläuterung",
        "Beim Abbruch Pflicht. Bitte keine Diagnosen oder anderen Gesundheitsdaten angeben.",
        1000,
    )


class GridForm(LockedForm):
    """The grid's CSRF token and version counter; `action` says whether to save or go on to submission."""

    action = HiddenField()


class SubmitReportForm(LockedForm):
    confirm = BooleanField("Ich bestätige, dass die Angaben vollständig und richtig sind.")


class ScanForm(OnceForm):
    scan = FileField(
        "Unterschriebener Bericht (PDF)",
        description="Der ausgedruckte, unterschriebene Bericht als PDF, höchstens 20 MB.",
        validators=[FileRequired("Bitte wählen Sie die PDF-Datei des unterschriebenen Berichts aus.")],
    )


def _between(low: int, high: int) -> Callable[[Any, Any], None]:
    """WTForms' NumberRange fails with an error on a huge integer (it asks math.isnan); this only compares."""

    def check(form: Any, field: Any) -> None:
        if field.data is not None and not low <= field.data <= high:  # None: not a number, already an error
            raise ValidationError(f"Bitte geben Sie eine Zahl von {low} bis {high} an.")

    return check


class StartReportForm(PortalForm):
    """Hidden fields; the ranges keep a changed page from reaching the database with an id beyond its columns."""

    offer_id = IntegerField(validators=[InputRequired(), _between(1, 2**31 - 1)])
    year = IntegerField(validators=[InputRequired(), _between(2000, 2100)])
    month = IntegerField(validators=[InputRequired(), _between(1, 12)])


class DecisionForm(LockedForm):
    decision = ChoiceRadioField(
        "Entscheidung",
        choices={"approve": "Genehmigen", "request_correction": "Korrektur erbitten", "reject": "Ablehnen"},
        validators=[InputRequired("Bitte wählen Sie eine Entscheidung.")],
    )
    reason = text_area(
        "Begründung für den Träger", "Pflicht bei einer Korrektur oder Ablehnung. Der Träger sieht diesen Text.", 2000
    )


def grid_cells(form: MultiDict[str, str], line_ids: set[int]) -> dict[tuple[int, int], str]:
    """The typed cells `c-<line>-<day>` of the grid, only for the report's own lines and real days, without
    control characters."""
    cells: dict[tuple[int, int], str] = {}
    for name, value in form.items():
        parts = name.split("-")
        if len(parts) != 3 or parts[0] != "c":
            continue
        line_id, day = _number(parts[1]), _number(parts[2])
        if line_id in line_ids and day is not None and 1 <= day <= 31:
            cells[(line_id, day)] = CONTROL_CHARACTERS.sub("", value)  # a cell is one short line of text
    return cells


def fill_line(form: MultiDict[str, str]) -> int | None:
    """The row whose "all present" button was pressed, if any."""
    return _number(form.get("fill", ""))


def _number(text: str) -> int | None:
    """A row id or day as the page writes it: ASCII digits ("²".isdigit() is true, but int("²") fails)."""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else None
