"""German wording of numbers, periods and places on the generated pages."""

from __future__ import annotations

from datetime import date


def count_text(count: int) -> str:
    return {0: "keine Angebote", 1: "1 Angebot"}.get(count, f"{count} Angebote")


def de_number(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def hours(value: float | None) -> str:
    return "keine Angabe" if value is None else f"{de_number(value)} Stunden pro Woche"


def places(free: int, total: int) -> str:
    if total <= 0:
        return "keine Angabe"
    if free <= 0:
        return f"zurzeit kein Platz frei (von {total})"
    return f"{free} von {total} {'Platz' if total == 1 else 'Plätzen'} frei"


def places_here(count: int) -> str:
    return "1 Platz" if count == 1 else f"{count} Plätze"


def period(start: str | None, end: str | None) -> str:
    if start and end:
        return f"{_day(start)} bis {_day(end)}"
    return f"ab {_day(start)}" if start else "keine Angabe"


def _day(iso_date: str) -> str:
    return date.fromisoformat(iso_date).strftime("%d.%m.%Y")


def yes_no(value: bool | None) -> str:
    return {True: "ja", False: "nein", None: "keine Angabe"}[value]
