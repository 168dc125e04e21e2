"""Form fields for German input: numbers with a decimal comma, dates, choices that may stay empty in a draft."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from wtforms import StringField, TextAreaField
from wtforms.fields import DateField, RadioField, SelectMultipleField
from wtforms.validators import Length, StopValidation
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from portal.forms import strip

PLEASE_CHOOSE = "Bitte wählen"
# The dates an offer may have (GermanDateField).
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)


def empty(value: Any) -> bool:
    """Nothing entered: no value, an empty text or no choice."""
    return value is None or value == "" or value == []


def parse_number(text: str) -> Decimal:
    """A number as Germans write it: 19,5 · 1.234,50 · 130 (without a comma, a dot is a decimal point)."""
    cleaned = text.replace(" ", "").replace("€", "")
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    value = Decimal(cleaned)
    if not value.is_finite():
        raise InvalidOperation(text)
    return value


class NumberField(StringField):
    """A text input for a number in German notation (type=number refuses the comma); `data` is Decimal or int."""

    widget = TextInput()
    data: Any

    def __init__(self, label: str, places: int = 2, **kwargs: Any) -> None:
        kwargs.setdefault("render_kw", {"inputmode": "decimal" if places else "numeric"})
        super().__init__(label, **kwargs)
        self.places = places

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return  # not sent at all: the stored value stays, as with every other field
        self.data = None
        text = str(valuelist[0]).strip()
        if not text:
            return
        try:
            value = parse_number(text)
            if value != value.quantize(Decimal(1).scaleb(-self.places)):
                raise InvalidOperation(text)  # more decimal places than allowed
        except InvalidOperation:
            raise ValueError(self._format_message()) from None
        self.data = int(value) if self.places == 0 else value

    def pre_validate(self, form: Any) -> None:
        if self.process_errors:
            raise StopValidation()  # "not a number" is enough; no range check on nothing

    def _format_message(self) -> str:
        if self.places == 0:
            return "Bitte geben Sie eine ganze Zahl an, zum Beispiel 10."
        example = "19,5" if self.places == 1 else "1,50"
        digits = "einer Nachkommastelle" if self.places == 1 else f"{self.places} Nachkommastellen"
        return f"Bitte geben Sie eine Zahl mit höchstens {digits} an, zum Beispiel {example}."

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        if self.data is None:
            return ""
        if self.places == 0:
            return str(self.data)
        return f"{Decimal(self.data):.{self.places}f}".replace(".", ",")


class GermanDateField(DateField):
    """<input type="date"> (the browser sends 2026-03-01); typed dates like 01.03.2026 are understood too."""

    def __init__(self, label: str, **kwargs: Any) -> None:
        super().__init__(
            label,
            format=["%Y-%m-%d", "%d.%m.%Y"],
            invalid_value_message="Bitte geben Sie ein gültiges Datum an, zum Beispiel 01.03.2026.",
            **kwargs,
        )

    def pre_validate(self, form: Any) -> None:
        """Only years an offer can have: a far-off date would make the period, and with it the cost, absurd."""
        if self.data is not None and not EARLIEST <= self.data <= LATEST:
            raise StopValidation(f"Bitte geben Sie ein Datum zwischen {EARLIEST.year} und {LATEST.year} an.")


class ChoiceRadioField(RadioField):
    """Radio buttons that may stay empty in a draft: "nothing chosen" is checked only to go on."""

    def pre_validate(self, form: Any) -> None:
        if self.data is not None:
            super().pre_validate(form)


class CheckboxListField(SelectMultipleField):
    """Checkboxes, one per choice, rendered in a fieldset by the `radios` macro."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def enum_coerce(enum_class: Any) -> Any:
    def coerce(value: Any) -> Any:
        return value if isinstance(value, enum_class) else enum_class(value)

    return coerce


def yes_no(value: Any) -> bool:
    if value in (True, "ja"):
        return True
    if value in (False, "nein"):
        return False
    raise ValueError(value)


def text_area(label: str, description: str = "", max_length: int = 5000) -> TextAreaField:
    return TextAreaField(
        label,
        filters=[strip],
        description=description,
        validators=[Length(max=max_length, message=f"Bitte fassen Sie sich kürzer (höchstens {max_length} Zeichen).")],
    )


def select_choices(labels: dict[str, str]) -> dict[str, str]:
    return {"": PLEASE_CHOOSE, **labels}
