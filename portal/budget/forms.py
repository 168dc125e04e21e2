"""Forms of the budget domain: a year's integration budget, with amounts as Germans write them."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Regexp, ValidationError

from portal.forms import PortalForm, strip

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
