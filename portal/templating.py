"""Template filters and globals shared by every page."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask

LOCAL_TIME = ZoneInfo("Europe/Berlin")


def de_datetime(value: datetime | None) -> str:
    """A point in time as Germans write it, in local time: 24.11.2026, 14:05 Uhr."""
    if value is None:
        return "–"
    return value.astimezone(LOCAL_TIME).strftime("%d.%m.%Y, %H:%M Uhr")


def de_date(value: date | datetime | None) -> str:
    """A calendar date (24.11.2026); a point in time is first converted to local time."""
    if value is None:
        return "–"
    if isinstance(value, datetime):
        value = value.astimezone(LOCAL_TIME)
    return value.strftime("%d.%m.%Y")


def de_number(value: Decimal | str, places: int = 2) -> str:
    """A number as Germans write it: 1234.5 → "1.234,50" (also from a document's "1234.50")."""
    return f"{Decimal(value):,.{places}f}".replace(",", "X").replace(".", ",").replace("X", ".")


def euro(value: Decimal | str) -> str:
    """An amount of money: 1234.5 → "1.234,50 €"."""
    return de_number(value) + " €"


def field_attrs(field: Any, css_class: str) -> dict[str, str]:
    """HTML attributes of a form control: KERN classes, hint and error references, invalid state."""
    described = [
        f"{field.id}-{part}" for part, present in (("hint", field.description), ("error", field.errors)) if present
    ]
    attrs = {"class_": css_class + (f" {css_class}--error" if field.errors else "")}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        attrs["aria-invalid"] = "true"
    if field.type == "TextAreaField":
        attrs["rows"] = "5"
    return attrs


def init_templating(app: Flask) -> None:
    app.jinja_env.globals["field_attrs"] = field_attrs
    app.jinja_env.filters["de_datetime"] = de_datetime
    app.jinja_env.filters["de_date"] = de_date
    app.jinja_env.filters["de_number"] = de_number
    app.jinja_env.filters["euro"] = euro
    app.jinja_env.globals["service_name"] = "ARGE-Partnerportal"
