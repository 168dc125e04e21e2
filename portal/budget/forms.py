"""Forms of the budget domain: a year's integration budget, with amounts as Germans write them, and the filter of
the offers that tie up a year's money (GET, no JavaScript needed)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Regexp, ValidationError

from portal.budget.queries import DEFAULT_SORT, SORTS, OfferFilter
from portal.forms import PortalForm, strip
from portal.offers.models import FIELDS_OF_WORK

# 2.500.000,50 or 2500000,5 or 2500000: a point only between groups of three digits, a comma before the cents.
_EURO = re.compile(r"(\d{1,3}(\.\d{3})+|\d+)(,\d{1,2})?")
LIMIT = Decimal(10) ** 12  # the column holds twelve digits before the comma


def parse_euro(text: str | None) -> Decimal | None:
    """'2.500.000,50 €' → Decimal('2500000.50'); None if it is no amount in German notation."""
    cleaned = re.sub(r"\s", "", text or "").removesuffix("€")
    if not _EURO.fullmatch(cleaned):
        return None
    return Decimal(cleaned.replace(".", "").replace(",", "."))


def validate_euro(_form: Any, field: Any) -> None:
    amount = parse_euro(field.data)
    if amount is None:
        raise ValidationError("Bitte geben Sie einen Betrag in Euro an, zum Beispiel 2.500.000,00.")
    if amount >= LIMIT:
        raise ValidationError("Der Betrag ist zu groß.")


class BudgetForm(PortalForm):
    year = StringField(
        "Jahr",
        filters=[strip],
        validators=[
            DataRequired("Bitte geben Sie das Jahr an."),
            Regexp(r"^20\d{2}$", message="Bitte geben Sie das Jahr mit vier Ziffern an, zum Beispiel 2027."),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    amount = StringField(
        "Eingliederungsbudget in Euro",
        filters=[strip],
        description="Zum Beispiel 2.500.000,00. Die Cent trennen Sie mit einem Komma ab.",
        validators=[DataRequired("Bitte geben Sie den Betrag an."), validate_euro],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    version = HiddenField()

    def expected(self) -> int | None:
        """The version counter of the year the form was opened for; none for a year not set before."""
        value = self.version.data or ""
        if not value.isdecimal():
            return None
        return int(value) if len(value) <= 9 else 0  # an absurd counter is an outdated one

    def amount_value(self) -> Decimal:
        return parse_euro(self.amount.data) or Decimal(0)


ALL = {"": "Alle"}
TEXT_LIMIT = 100


class OffersFilterForm(PortalForm):
    """Read from the query string; the field names are the (German) parameter names. Anything unknown in the
    address line means "no filter", never an error; a too long search text is refused at its field."""

    class Meta:
        csrf = False

    traeger = SelectField("Träger", choices=ALL, validate_choice=False)
    bereich = SelectField("Arbeitsfeld", choices={**ALL, **FIELDS_OF_WORK}, validate_choice=False)
    suche = StringField(
        "Angebot oder Träger enthält",
        filters=[strip],
        validators=[Length(max=TEXT_LIMIT, message=f"Bitte geben Sie höchstens {TEXT_LIMIT} Zeichen ein.")],
    )
    sortierung = HiddenField(default=DEFAULT_SORT)
    richtung = HiddenField(default="ab")

    def set_providers(self, providers: dict[str, str]) -> None:
        self.traeger.choices = {**ALL, **providers}

    def query(self) -> dict[str, str]:
        """The filter and sort parameters as given, for the column links and the export."""
        return {field.name: field.raw_data[0] for field in self if field.raw_data and field.raw_data[0]}

    def criteria(self, year: int, valid: bool) -> OfferFilter:
        provider = self.traeger.data or ""
        return OfferFilter(
            year=year,
            organisation_id=int(provider) if provider.isdecimal() and len(provider) <= 9 else None,
            field_of_work=self.bereich.data if self.bereich.data in FIELDS_OF_WORK else None,
            text=(self.suche.data or "") if valid else "",
            sort=self.sortierung.data if self.sortierung.data in SORTS else DEFAULT_SORT,
            descending=self.richtung.data != "auf",
        )
