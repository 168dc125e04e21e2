"""Read-only views on offers: lists, labels and display values, the diff of two versions, the timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CompoundSelect, Integer, Select, bindparam, false, literal_column, null, select, union_all
from sqlalchemy.orm import joinedload, selectinload

from portal.accounts.models import User
from portal.audit.models import AuditEntry
from portal.audit.services import ACTION_LABELS
from portal.extensions import db
from portal.offers.models import (
    FIELDS_OF_WORK,
    MUNICIPAL_KIND_LABELS,
    OFFER_TYPE_LABELS,
    TARGET_GROUPS,
    Offer,
    OfferVersion,
    ReviewNote,
)
from portal.queries import built_once
from portal.templating import de_number

FIELD_LABELS = {
    "offer_type": "Art des Angebots",
    "municipal_kind": "Art der kommunalen Leistung",
    "title": "Bezeichnung",
    "goal": "Ziel",
    "field_of_work": "Einsatzfeld",
    "tasks": "Tätigkeiten",
    "start_date": "Beginn",
    "end_date": "Ende",
    "hours_per_week": "Wochenstunden",
    "hours_distribution": "Verteilung der Arbeitszeit",
    "places_total": "Plätze insgesamt",
    "target_groups": "Zielgruppen",
    "requirements": "Voraussetzungen",
    "barrier_free": "Barrierefrei zugänglich",
    "barrier_free_notes": "Hinweise zur Barrierefreiheit",
    "supervision_ratio": "Betreuungsschlüssel",
    "supervisor_qualification": "Qualifikation der Anleitung",
    "social_work_concept": "Sozialpädagogisches Konzept",
    "qualification_percent": "Anteil Qualifizierung (%)",
    "mae_rate": "Mehraufwandsentschädigung je Stunde",
    "mkp_supervision": "Pauschale Betreuung und Verwaltung je Platz und Monat",
    "mkp_material": "Sachkosten je Platz und Monat (höchstens, auf Nachweis)",
    "mkp_social_work": "Sozialpädagogische Begleitung je Platz und Monat (höchstens, auf Nachweis)",
    "criteria_rules": "Geltende Kriterien",
    "justification_additional": "Begründung: zusätzlich",
    "justification_public_interest": "Begründung: im öffentlichen Interesse",
    "justification_competition": "Begründung: wettbewerbsneutral",
    "contact_name": "Ansprechperson",
    "contact_phone": "Telefon der Ansprechperson",
    "contact_email": "E-Mail der Ansprechperson",
    "certificate_name": "Unbedenklichkeitsbescheinigung",
    "sites": "Einsatzstellen",
}
_CHOICES: dict[str, dict[str, str]] = {
    "offer_type": {kind.value: label for kind, label in OFFER_TYPE_LABELS.items()},
    "municipal_kind": {kind.value: label for kind, label in MUNICIPAL_KIND_LABELS.items()},
    "field_of_work": FIELDS_OF_WORK,
    "criteria_rules": {
        "2012": "zusätzlich, öffentliches Interesse, wettbewerbsneutral (seit April 2012)",
        "2009": "zusätzlich, öffentliches Interesse (vor April 2012)",
    },
}


def display(name: str, value: Any) -> str:
    """A field's value as a reader of the portal should see it (German formats)."""
    if value is None or value == "" or value == []:
        return "–"
    if name in _CHOICES:
        return _CHOICES[name].get(str(value), str(value))
    if name == "target_groups":
        return ", ".join(TARGET_GROUPS.get(group, group) for group in value)
    if name == "sites":
        return "; ".join(
            f"{site['name']}, {site['street']}, {site['postal_code']} ({site['district']}): {site['places']} Plätze"
            for site in value
        )
    return _plain(value)


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, date | datetime):
        return f"{value:%d.%m.%Y}"
    if isinstance(value, Decimal):
        return de_number(value)
    return str(value)


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    old: str
    new: str


def diff(old: OfferVersion | None, new: OfferVersion) -> list[Change]:
    """Field-by-field differences between the live version and a revision."""
    before = old.content() if old else {}
    after = new.content()
    return [
        Change(name, FIELD_LABELS.get(name, name), display(name, before.get(name)), display(name, value))
        for name, value in after.items()
        if before.get(name) != value
    ]


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    who: str
    text: str
    internal: bool


def timeline(offer: Offer, include_internal: bool) -> list[TimelineEntry]:
    """Status changes from the audit log and comments, newest first; internal notes only for staff.

    One statement reads both; entries of the same moment keep their order: audit entries first, each as written.
    """
    rows = db.session.execute(_history(include_internal), {"offer_id": offer.id, "object_id": str(offer.id)})
    entries = [
        TimelineEntry(
            row.at,
            row.who or "System",
            f"{ACTION_LABELS.get(row.action, row.action)}: {row.text}" if row.source == 0 else row.text,
            row.internal,
        )
        for row in rows
    ]
    return sorted(entries, key=lambda entry: entry.at, reverse=True)


@built_once
def _history(include_internal: bool) -> CompoundSelect:
    """An offer's audit entries (source 0) and comments with their authors' names (source 1); built once."""
    audit = select(
        AuditEntry.created_at.label("at"),
        AuditEntry.actor_email.label("who"),
        AuditEntry.action.label("action"),
        AuditEntry.details.label("text"),
        false().label("internal"),
        literal_column("0", Integer).label("source"),
        AuditEntry.id.label("id"),
    ).where(AuditEntry.object_type == "Offer", AuditEntry.object_id == bindparam("object_id"))
    shown = () if include_internal else (ReviewNote.internal.is_(False),)
    notes = (
        select(
            ReviewNote.created_at,
            User.name,
            null(),
            ReviewNote.body,
            ReviewNote.internal,
            literal_column("1", Integer),
            ReviewNote.id,
        )
        .join(User, User.id == ReviewNote.author_id)
        .where(ReviewNote.offer_id == bindparam("offer_id"), *shown)
    )
    return union_all(audit, notes).order_by("source", "id")


def offer_for_page(offer_id: int) -> Offer | None:
    """The offer for its page, in one statement: with its organisation and the live version with its sites (a
    revision being worked on is read when needed; joining it too costs the database more than it saves)."""
    return db.session.execute(_offer_page_statement(), {"offer_id": offer_id}).unique().scalar_one_or_none()


@built_once
def _offer_page_statement() -> Select[Offer]:
    """Built once, as the report page's statement (reports.queries.report_with_lines)."""
    return (
        select(Offer)
        .where(Offer.id == bindparam("offer_id"))
        .options(
            joinedload(Offer.organisation, innerjoin=True),
            joinedload(Offer.live_version).joinedload(OfferVersion.sites),
        )
    )


def offers_of(organisation_id: int) -> list[Offer]:
    query = (
        select(Offer)
        .where(Offer.organisation_id == organisation_id)
        .options(selectinload(Offer.live_version), selectinload(Offer.working_version))
        .order_by(Offer.updated_at.desc())
    )
    return list(db.session.scalars(query))


def messages_to_provider(version: OfferVersion) -> list[ReviewNote]:
    """What the ARGE wrote to the provider about this version (change requests, rejection), newest first.

    Internal notes are never part of it.
    """
    query = (
        select(ReviewNote)
        .options(joinedload(ReviewNote.author, innerjoin=True))
        .where(
            ReviewNote.offer_id == version.offer_id,
            ReviewNote.version_number == version.number,
            ReviewNote.internal.is_(False),
        )
        .order_by(ReviewNote.created_at.desc(), ReviewNote.id.desc())
    )
    return list(db.session.scalars(query))
