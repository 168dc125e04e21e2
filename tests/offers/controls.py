"""The controls of the offer step forms, read from the forms themselves: what a provider types into each step."""

from __future__ import annotations

from typing import Any

from flask import current_app
from wtforms import Field
from wtforms.validators import Length

from portal.offers.forms import STEP_FORMS

# Controls a person types into (text, numbers, dates); choices and the hidden version counter are not typed.
TYPED = frozenset({"StringField", "TextAreaField", "EmailField", "NumberField", "GermanDateField"})


def max_length(validators: Any) -> int | None:
    """The longest text the validators accept, None without a limit."""
    limits = [validator.max for validator in validators or () if isinstance(validator, Length)]
    return min(limits) if limits else None


def step_controls(slug: str) -> list[Field]:
    """Every typed control of a step (work sites: the first row), as a freshly opened form has them."""
    with current_app.test_request_context():
        form = STEP_FORMS[slug](formdata=None)
    return [field for field in form.flat_fields() if field.type in TYPED]


def typed_controls(slug: str) -> list[str]:
    return [field.name for field in step_controls(slug)]


def free_text_controls(slug: str) -> dict[str, int | None]:
    """The controls of a step that take any text (no format such as a postcode), with their length limit."""
    return {
        field.name: max_length(field.validators)
        for field in step_controls(slug)
        if field.type in ("StringField", "TextAreaField")
        and all(isinstance(validator, Length) for validator in field.validators)
    }


def fit(text: str, limit: int | None) -> str:
    """As much of `text` as a field with this limit takes."""
    return text if limit is None else text[:limit]
