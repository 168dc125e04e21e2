"""The base form: German messages, and no control characters in any text."""

from __future__ import annotations

import re
from typing import Any

from flask_wtf import FlaskForm
from wtforms import Field, HiddenField, StringField, TextAreaField

from portal.submissions import valid_token

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # C0 without tab and breaks, DEL, C1
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # every C0 (also tab and breaks), DEL, C1
_LINE_BREAK = re.compile(r"[\r\n\t]")


class PortalForm(FlaskForm):
    class Meta:
        locales = ("de_DE", "de")

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators=extra_validators)
        for field in self:
            if _has_forbidden_characters(field):
                field.errors = [*field.errors, "Die Eingabe enthält unzulässige Steuerzeichen."]
                valid = False
        return valid

    def error_fields(self) -> list[Field]:
        return [field for field in self if field.errors]


class LockedForm(PortalForm):
    """A form with the version counter it was rendered from (optimistic locking)."""

    version_id = HiddenField()

    def expected(self) -> int:
        """The version the user saw; anything but a number counts as outdated (a conflict, never a crash)."""
        try:
            return int(self.version_id.data or 0)
        except ValueError:
            return 0


class OnceForm(PortalForm):
    """A form that creates something: its one-time token (`portal.submissions`) is issued when the form is first
    rendered and sent back with it, so that a double click or a resent form creates nothing twice."""

    form_token = HiddenField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.form_token.data = valid_token(self.form_token.data)

    def token(self) -> str:
        return str(self.form_token.data)


def _has_forbidden_characters(field: Field) -> bool:
    if not isinstance(field, StringField) or not isinstance(field.data, str):
        return False
    if _CONTROL.search(field.data):
        return True
    return not isinstance(field, TextAreaField) and bool(_LINE_BREAK.search(field.data))


def strip(value: Any) -> Any:
    """A WTForms filter: trim surrounding white space of text input."""
    return value.strip() if isinstance(value, str) else value
