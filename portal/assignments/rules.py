"""The checks of one assignment (Zuweisung), the same for staff typing it in and for an upload: the pseudonym's
format (Kundennummer and initials, never a name), the period inside the offer's, hours and MAE rate within the
limits the ARGE configured (`OFFER_LIMITS`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import current_app

from portal.assignments.models import WORKWEEK
from portal.assignments.weekdays import format_weekdays, max_weekly_hours
from portal.offers.models import Offer

CUSTOMER_NUMBER = re.compile(r"^\d{3}[A-Z]\d{6}$", re.ASCII)  # ASCII: "١٢٣" are digits to Python, not to the jobcentre
INITIALS = re.compile(r"^[A-ZÄÖÜ]\.?(?: ?[A-ZÄÖÜ]\.?){0,2}$")
NAME_LIKE = re.compile(r"[^\W\d_][a-zäöüß]")  # a letter followed by a small one: "Eva" and "Mk" are names


def normalise_customer_number(text: str) -> str:
    return re.sub(r"[\s-]", "", text).upper()


def normalise_initials(text: str) -> str:
    return " ".join(text.upper().split())


def check_customer_number(value: str) -> str | None:
    if CUSTOMER_NUMBER.match(value):
        return None
    return "Die Kundennummer hat 10 Zeichen: drei Ziffern, einen Buchstaben und sechs Ziffern, z. B. 123A456789."


def check_initials(value: str) -> str | None:
    """Initials as typed: "M. K.", "mk" is ambiguous and "Eva" a name, although both look like initials in capitals."""
    if INITIALS.match(normalise_initials(value)) and not NAME_LIKE.search(value):
        return None
    return "Bitte geben Sie nur die Anfangsbuchstaben an (ein bis drei, z. B. „M. K.“), keinen Namen."


@dataclass(frozen=True)
class AssignmentInput:
    customer_number: str
    initials: str
    start_date: date
    end_date: date
    weekly_hours: Decimal
    mae_rate: Decimal
    site: str
    weekdays: str = WORKWEEK


def assignment_problems(offer: Offer, data: AssignmentInput) -> dict[str, str]:
    """Field errors of a new assignment: the pseudonym's format, the period inside the offer's, hours and rate within
    the limits."""
    version, limits = offer.live_version, current_app.config["OFFER_LIMITS"]
    formats = {
        "customer_number": check_customer_number(data.customer_number),
        "initials": check_initials(data.initials),
    }
    errors = {name: message for name, message in formats.items() if message}
    if data.end_date < data.start_date:
        errors["end_date"] = "Das Ende muss nach dem Beginn liegen."
    if version and version.start_date and version.end_date:
        span = period_text(version.start_date, version.end_date)
        if not version.start_date <= data.start_date <= version.end_date:
            errors["start_date"] = f"Der Beginn muss im Zeitraum des Angebots liegen ({span})."
        if not version.start_date <= data.end_date <= version.end_date:
            errors["end_date"] = f"Das Ende muss im Zeitraum des Angebots liegen ({span})."
    if not Decimal(0) < data.weekly_hours <= limits.weekly_hours_cap:
        errors["weekly_hours"] = (
            f"Die Wochenstunden müssen über 0 und höchstens {german(limits.weekly_hours_cap, 'g')} sein."
        )
    elif data.weekly_hours > max_weekly_hours(data.weekdays):
        errors["weekly_hours"] = _weekdays_too_few(data)
    if version and version.is_agh and not limits.mae_min <= data.mae_rate <= limits.mae_max:
        errors["mae_rate"] = (
            f"Die MAE je Stunde muss zwischen {german(limits.mae_min, '.2f')} € und "
            f"{german(limits.mae_max, '.2f')} € liegen."
        )
    return errors


def _weekdays_too_few(data: AssignmentInput) -> str:
    days = data.weekdays.count("1")
    on = "einem Wochentag" if days == 1 else f"{days} Wochentagen"
    return (
        f"An {on} ({format_weekdays(data.weekdays)}) sind höchstens {max_weekly_hours(data.weekdays):g} Stunden "
        "in der Woche möglich (10 Stunden am Tag)."
    )


def period_text(start: date, end: date) -> str:
    return f"{start:%d.%m.%Y} bis {end:%d.%m.%Y}"


def german(value: Decimal, spec: str) -> str:
    """A number with a decimal comma, as every German text writes it."""
    return format(value, spec).replace(".", ",")
