"""Business rules of an offer application: pure functions returning German messages per field."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from portal.offers.costs import months_between
from portal.templating import euro

# The third AGH criterion (wettbewerbsneutral) became law on 1 April 2012.
COMPETITION_CRITERION_SINCE = date(2012, 4, 1)


@dataclass(frozen=True)
class OfferLimits:
    """Configurable limits (PORTAL_OFFER_* settings)."""

    weekly_hours_cap: Decimal = Decimal(30)
    max_months: int = 36
    mae_min: Decimal = Decimal("1.00")
    mae_max: Decimal = Decimal("2.50")
    mkp_supervision_max: Decimal = Decimal(130)
    mkp_material_max: Decimal = Decimal(100)
    mkp_social_work_max: Decimal = Decimal(160)
    lead_weeks: int = 8


@dataclass
class Findings:
    errors: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def add(self, field_name: str, message: str) -> None:
        self.errors.setdefault(field_name, message)


def criteria_rules_on(day: date) -> str:
    """Which AGH criteria applied on the application date."""
    return "2012" if day >= COMPETITION_CRITERION_SINCE else "2009"


def check_period(data: dict[str, Any], limits: OfferLimits, today: date, found: Findings) -> None:
    start, end = data.get("start_date"), data.get("end_date")
    if start is None or end is None:
        return
    if end < start:
        found.add("end_date", "Das Ende darf nicht vor dem Beginn liegen.")
    elif months_between(start, end) > limits.max_months:
        found.add("end_date", f"Der Zeitraum darf höchstens {limits.max_months} Monate lang sein.")
    if start < today + timedelta(weeks=limits.lead_weeks):
        found.warnings.append(
            f"Anträge sollen etwa {limits.lead_weeks} Wochen vor dem Beginn eingehen. Der Beginn am "
            f"{start:%d.%m.%Y} ist knapp; die Prüfung kann länger dauern."
        )


def check_hours(data: dict[str, Any], limits: OfferLimits, found: Findings) -> None:
    hours = data.get("hours_per_week")
    if hours is not None and data.get("offer_type") == "agh_mae" and hours > limits.weekly_hours_cap:
        found.add(
            "hours_per_week",
            f"Höchstens {limits.weekly_hours_cap:g} Stunden pro Woche einschließlich Qualifizierung sind erlaubt.",
        )


def check_places(data: dict[str, Any], found: Findings) -> None:
    sites = data.get("sites") or []
    total = data.get("places_total")
    if total is None or not sites:
        return
    site_sum = sum(site["places"] or 0 for site in sites)
    if site_sum != total:
        found.add(
            "places_total",
            f"Die Plätze der Einsatzstellen ergeben zusammen {site_sum}, angegeben sind "
            f"{total}. Bitte gleichen Sie die Zahlen an.",
        )


def check_money(data: dict[str, Any], limits: OfferLimits, found: Findings) -> None:
    rate = data.get("mae_rate")
    if data.get("offer_type") == "agh_mae" and rate is not None and not limits.mae_min <= rate <= limits.mae_max:
        found.add(
            "mae_rate",
            f"Die Mehraufwandsentschädigung muss zwischen {euro(limits.mae_min)} und "
            f"{euro(limits.mae_max)} pro Stunde liegen.",
        )
    for name, cap, label in (
        ("mkp_supervision", limits.mkp_supervision_max, "Betreuung und Verwaltung"),
        ("mkp_material", limits.mkp_material_max, "Sachkosten"),
        ("mkp_social_work", limits.mkp_social_work_max, "Sozialpädagogische Begleitung"),
    ):
        value = data.get(name)
        if value is not None and value > cap:
            found.add(name, f"Für {label} sind höchstens {euro(cap)} pro Platz und Monat möglich.")


def check_criteria(data: dict[str, Any], application_day: date, found: Findings) -> None:
    if data.get("offer_type") != "agh_mae":
        return
    required = [
        ("justification_additional", "zusätzlich"),
        ("justification_public_interest", "im öffentlichen Interesse"),
    ]
    if criteria_rules_on(application_day) == "2012":
        required.append(("justification_competition", "wettbewerbsneutral"))
    for name, label in required:
        if not (data.get(name) or "").strip():
            found.add(name, f"Bitte begründen Sie, warum die Arbeit {label} ist.")


def check_application(data: dict[str, Any], limits: OfferLimits, today: date) -> Findings:
    """Every rule that applies to a complete application; used before submitting."""
    found = Findings()
    check_period(data, limits, today, found)
    check_hours(data, limits, found)
    check_places(data, found)
    check_money(data, limits, found)
    check_criteria(data, today, found)
    return found
