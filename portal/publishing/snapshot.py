"""The snapshot: every live offer as plain data (schema version 1), the same data as the open-data JSON.

It is taken from the database first and written to a file; everything after that (pages, build, checks) reads only
the snapshot, so the public site can be built anywhere. Only the approved live version of a live offer is read,
with an explicit list of public columns: drafts, pending revisions, costs, justifications, internal notes,
contact persons, participant data and IBANs are never even loaded. Of the assignments only their number per offer
is read (the occupied places, `portal.assignments.queries.occupied_places`).
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Row, Select, or_, select
from sqlalchemy.orm import Session

from portal.accounts.models import Organisation, OrgStatus
from portal.assignments.queries import free_places, occupied_places
from portal.models import utcnow
from portal.offers.models import (
    FIELDS_OF_WORK,
    LEGAL_BASIS,
    OFFER_TYPE_LABELS,
    TARGET_GROUPS,
    Offer,
    OfferState,
    OfferVersion,
    Site,
)
from portal.templating import LOCAL_TIME
from portal.text import clean

SCHEMA_VERSION = 1
Query = TypeVar("Query", bound=Select)  # any Select, whatever its columns
Snapshot = dict[str, Any]

OFFER_COLUMNS = (
    Offer.id,
    OfferVersion.id.label("version_id"),
    OfferVersion.title,
    OfferVersion.goal,
    OfferVersion.offer_type,
    OfferVersion.field_of_work,
    OfferVersion.tasks,
    OfferVersion.start_date,
    OfferVersion.end_date,
    OfferVersion.hours_per_week,
    OfferVersion.hours_distribution,
    OfferVersion.places_total,
    OfferVersion.target_groups,
    OfferVersion.requirements,
    OfferVersion.barrier_free,
    OfferVersion.barrier_free_notes,
    OfferVersion.status_changed_at,
    Organisation.name.label("provider"),
    Organisation.public_contact,
    Organisation.website,
)
# The fields of one offer, in the order of the JSON objects and the CSV columns.
OFFER_FIELDS = (
    "id",
    "url",
    "title",
    "provider",
    "provider_contact",
    "provider_website",
    "type",
    "type_label",
    "legal_basis",
    "field_of_work",
    "field_of_work_label",
    "goal",
    "tasks",
    "requirements",
    "districts",
    "sites",
    "places_total",
    "places_free",
    "hours_per_week",
    "hours_distribution",
    "start",
    "end",
    "target_groups",
    "target_group_labels",
    "barrier_free",
    "barrier_free_notes",
    "updated",
)
SITE_COLUMNS = (Site.version_id, Site.name, Site.street, Site.postal_code, Site.district, Site.places)


def take_snapshot(session: Session, now: datetime | None = None) -> Snapshot:
    """All offers the public may see: state LIVE, with a live version that has not ended yet. Three queries.

    The free places are counted from the assignments at the time of the snapshot: every publish takes them anew.
    """
    now = now or utcnow()
    today = now.astimezone(LOCAL_TIME).date()
    rows = session.execute(_public(select(*OFFER_COLUMNS), today).order_by(Offer.id)).all()
    sites = _sites_by_version(session, today)
    occupancy = occupied_places([row.id for row in rows], today, session)
    offers = [offer_data(row, sites.get(row.version_id, []), occupancy.of_offer(row.id)) for row in rows]
    return {"schema_version": SCHEMA_VERSION, "generated": now.isoformat(timespec="seconds"), "offers": offers}


def _public(query: Query, today: date) -> Query:
    """Joins and conditions that select exactly the public offers' live versions."""
    return (
        query.select_from(Offer)
        .join(OfferVersion, OfferVersion.id == Offer.live_version_id)
        .join(Organisation, Organisation.id == Offer.organisation_id)
        .where(Offer.state == OfferState.LIVE)
        .where(Organisation.status != OrgStatus.SUSPENDED)  # a suspended provider's offers leave the catalogue
        .where(or_(OfferVersion.end_date.is_(None), OfferVersion.end_date >= today))
    )


def _sites_by_version(session: Session, today: date) -> dict[int, list[dict[str, Any]]]:
    query = _public(select(*SITE_COLUMNS), today).join(Site, Site.version_id == OfferVersion.id)
    sites: defaultdict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in session.execute(query.order_by(Site.version_id, Site.position, Site.id)):
        sites[row.version_id].append(
            {
                "name": row.name,
                "street": row.street,
                "postal_code": row.postal_code,
                "district": row.district,
                "places": row.places,
            }
        )
    return sites


def offer_data(row: Row[*tuple[Any, ...]], sites: list[dict[str, Any]], occupied: int) -> dict[str, Any]:
    """One offer of the open data (see site/pages/offene-daten.md for every field); text without control characters."""
    offer_type = row.offer_type
    places_total = row.places_total or 0
    return _cleaned(
        {
            "id": row.id,
            "url": f"angebote/{row.id}/",
            "title": row.title,
            "provider": row.provider,
            "provider_contact": row.public_contact or "",
            "provider_website": row.website or "",
            "type": offer_type.value if offer_type else "",
            "type_label": OFFER_TYPE_LABELS[offer_type] if offer_type else "",
            "legal_basis": LEGAL_BASIS[offer_type] if offer_type else "",
            "field_of_work": row.field_of_work,
            "field_of_work_label": FIELDS_OF_WORK.get(row.field_of_work, row.field_of_work),
            "goal": row.goal,
            "tasks": row.tasks,
            "requirements": row.requirements,
            "districts": sorted({site["district"] for site in sites if site["district"]}),
            "sites": sites,
            "places_total": places_total,
            "places_free": free_places(places_total, occupied),
            "hours_per_week": _number(row.hours_per_week),
            "hours_distribution": row.hours_distribution,
            "start": row.start_date.isoformat() if row.start_date else None,
            "end": row.end_date.isoformat() if row.end_date else None,
            "target_groups": list(row.target_groups or []),
            "target_group_labels": [TARGET_GROUPS.get(group, group) for group in row.target_groups or []],
            "barrier_free": row.barrier_free,
            "barrier_free_notes": row.barrier_free_notes,
            "updated": row.status_changed_at.isoformat(timespec="seconds"),
        }
    )


def _cleaned(value: Any) -> Any:
    """Provider text as the public may read it: control characters and bidi overrides removed, all through."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list):
        return [_cleaned(item) for item in value]
    if isinstance(value, dict):
        return {key: _cleaned(item) for key, item in value.items()}
    return value


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def write_snapshot(snapshot: Snapshot, path: Path) -> None:
    path.write_text(json.dumps(snapshot, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def read_snapshot(path: Path) -> Snapshot:
    """Load a snapshot file and refuse any other schema version."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("schema_version") != SCHEMA_VERSION:
        raise ValueError(f"{path}: keine Momentaufnahme im Format {SCHEMA_VERSION}")
    return data
