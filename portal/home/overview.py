"""The charts of the staff overview, built from the figures the page also shows as tables."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from portal.budget.services import YearRow
from portal.home.charts import Bar, Chart, Series
from portal.home.queries import FieldPlaces, ProviderDue, Waiting
from portal.templating import euro


def budget_chart(rows: Sequence[YearRow]) -> Chart:
    """Per year: released, committed but not yet released, and free money, stacked to the year's budget."""
    series = (
        Series("Durch Abrechnungen freigegeben", "solid"),
        Series("Gebunden, noch nicht abgerechnet", "hatched"),
        Series("Frei", "open"),
    )
    bars = tuple(
        Bar(
            f"{row.year}: {euro(row.committed)} von {euro(row.total)} gebunden",
            (row.released, row.bound, max(row.remaining, Decimal(0))),
        )
        for row in rows
    )
    return Chart("budget", "Eingliederungsbudget je Jahr", series, bars)


def places_chart(fields: Sequence[FieldPlaces]) -> Chart:
    series = (Series("Besetzte Plätze", "solid"), Series("Freie Plätze", "open"))
    bars = tuple(
        Bar(f"{field.label}: {field.filled} von {field.places} besetzt", (field.filled, field.free)) for field in fields
    )
    return Chart("plaetze", "Besetzte Plätze je Arbeitsfeld", series, bars)


def due_chart(providers: Sequence[ProviderDue]) -> Chart:
    """Two bars per provider, reports and settlements, each split into overdue and not yet overdue."""
    series = (Series("Überfällig", "alert"), Series("Offen, noch nicht überfällig", "hatched"))
    bars: list[Bar] = []
    for due in providers:
        bars.append(
            Bar(
                f"{due.name}: {_number(due.reports, 'Bericht', 'Berichte')} offen",
                (due.reports_overdue, due.reports - due.reports_overdue),
            )
        )
        bars.append(
            Bar(
                f"{due.name}: {_number(due.settlements, 'Abrechnung', 'Abrechnungen')} offen",
                (due.settlements_overdue, due.settlements - due.settlements_overdue),
            )
        )
    return Chart("faellig", "Offene Berichte und Abrechnungen je Träger", series, tuple(bars))


def waiting_chart(items: Sequence[Waiting]) -> Chart:
    bars = tuple(Bar(f"{item.label}: {item.count}", (item.count,)) for item in items)
    return Chart("wartet", "Was auf Sie wartet", (Series("Anzahl", "solid"),), bars)


def _number(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"
