"""The steps of the offer form and when each is complete (drives the task list and the submission check)."""

from __future__ import annotations

from dataclasses import dataclass

from portal.offers.models import OfferType, OfferVersion


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    required: tuple[str, ...]
    agh_only: bool = False


STEPS = (
    Step("grunddaten", "Art und Bezeichnung", ("offer_type", "title", "goal")),
    Step("taetigkeit", "Tätigkeit und Einsatzfeld", ("field_of_work", "tasks")),
    Step("einsatzstellen", "Einsatzstellen und Plätze", ("places_total", "sites")),
    Step("zeitraum", "Zeitraum und Arbeitszeit", ("start_date", "end_date", "hours_per_week", "hours_distribution")),
    Step("zielgruppen", "Zielgruppen und Voraussetzungen", ("target_groups", "requirements", "barrier_free")),
    Step(
        "betreuung",
        "Betreuung und Qualifizierung",
        ("supervision_ratio", "supervisor_qualification", "social_work_concept", "qualification_percent"),
    ),
    Step("kosten", "Kosten", ("mkp_supervision", "mkp_material", "mkp_social_work")),
    Step(
        "kriterien",
        "Die drei Kriterien für Arbeitsgelegenheiten",
        ("justification_additional", "justification_public_interest", "justification_competition"),
        agh_only=True,
    ),
    Step("kontakt", "Ansprechperson und Anlagen", ("contact_name", "contact_phone", "contact_email")),
)
BY_SLUG = {step.slug: step for step in STEPS}


def applies(step: Step, version: OfferVersion) -> bool:
    return not step.agh_only or version.offer_type == OfferType.AGH_MAE


def steps_for(version: OfferVersion) -> list[Step]:
    return [step for step in STEPS if applies(step, version)]


def _filled(version: OfferVersion, name: str) -> bool:
    value = getattr(version, name)
    if isinstance(value, str | list):
        return bool(value.strip() if isinstance(value, str) else value)
    return value is not None


def required_fields(step: Step, version: OfferVersion) -> list[str]:
    """The fields a step needs before it counts as complete (some depend on the type of offer)."""
    required = list(step.required)
    if step.slug == "grunddaten" and version.offer_type == OfferType.MUNICIPAL:
        required.append("municipal_kind")
    if step.slug == "kosten" and version.is_agh:
        required.append("mae_rate")
    if step.slug == "kriterien" and version.criteria_rules == "2009":
        required.remove("justification_competition")
    return required


def is_complete(step: Step, version: OfferVersion) -> bool:
    if not applies(step, version):
        return True
    return all(_filled(version, name) for name in required_fields(step, version))


def is_started(step: Step, version: OfferVersion) -> bool:
    return any(_filled(version, name) for name in step.required)


def task_status(step: Step, version: OfferVersion) -> str:
    """The status of a step in the task list, as the provider reads it."""
    if is_complete(step, version):
        return "Erledigt"
    return "In Bearbeitung" if is_started(step, version) else "Nicht begonnen"
