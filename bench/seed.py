"""Seeding the benchmark database: providers, offers in every state, their audit trail, and reports.

`python -m bench.seed [--providers 300] [--offers 10000] [--reports 100000]` fills the database `bench` (or
BENCH_DATABASE_URL) from scratch in a few minutes: the schema comes from the app's migrations, the rows by COPY.
It writes build/bench/http/targets.json, which the load generator reads (accounts, their offers and reports).
Every provider and staff account has the password BENCH_PASSWORD.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text

from bench import bulk, seed_reports
from bench.bulk import Row
from bench.measure import WORK
from bench.report import grouped
from portal.accounts.models import OrgStatus, Role
from portal.accounts.passwords import hash_password
from portal.models import utcnow
from portal.offers.models import DISTRICTS, FIELDS_OF_WORK, REVIEWABLE, OfferState, OfferType, VersionStatus
from portal.schema import metadata

BENCH_PASSWORD = "Bench-Passwort 2026!"  # noqa: S105 (benchmark accounts in a throw-away database)
TARGETS = WORK / "http" / "targets.json"
STAFF = 5
# How the offers are spread over their states (weights in percent of all offers).
MIX = {"live": 68, "ended": 18, "waiting": 1, "draft": 8, "rejected": 2, "withdrawn": 3}
REVISION_EVERY = 140  # every 140th live offer has a change waiting for review
TARGET_GROUPS = ["unter_25", "alleinerziehende", "sprachfoerderung", "aeltere", "langzeitarbeitslose"]
STATUS = {
    "live": VersionStatus.APPROVED,
    "ended": VersionStatus.APPROVED,
    "draft": VersionStatus.DRAFT,
    "rejected": VersionStatus.REJECTED,
    "withdrawn": VersionStatus.WITHDRAWN,
}
STATE = {
    "live": OfferState.LIVE,
    "ended": OfferState.ENDED,
    "rejected": OfferState.REJECTED,
    "withdrawn": OfferState.WITHDRAWN,
}


@dataclass(frozen=True)
class Seed:
    providers: int
    offers: int
    reports: int

    def describe(self) -> str:
        return f"{self.providers} Träger, {grouped(self.offers, 0)} Angebote, {grouped(self.reports, 0)} Berichte"


@dataclass
class Account:
    email: str
    offers: list[int] = field(default_factory=list)  # live offers, for the offer detail page
    reports: list[int] = field(default_factory=list)  # for the report grid


@dataclass
class Seeded:
    """What the load generator needs to know about the seeded data."""

    providers: list[Account]
    staff: list[str]
    waiting: int = 0  # versions in the review queue

    def save(self, path: Path = TARGETS) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "password": BENCH_PASSWORD,
            "staff": self.staff,
            "providers": [vars(account) for account in self.providers],
            "waiting": self.waiting,
        }
        path.write_text(json.dumps(data), encoding="utf-8")


@dataclass
class Offers:
    """The generated rows of offers, versions, sites and audit entries."""

    offers: list[Row] = field(default_factory=list)
    versions: list[Row] = field(default_factory=list)
    sites: list[Row] = field(default_factory=list)
    audit: list[Row] = field(default_factory=list)
    next_revision_id: int = 0  # revisions get ids after those of the offers' first versions


def seed(size: Seed, url: str = bulk.DATABASE_URL) -> Seeded:
    """Fill a fresh database; returns (and saves) what the load generator needs."""
    engine = bulk.fresh_database(url)
    rng = random.Random(2026)
    seeded = Seeded([Account(f"traeger{number:03d}@bench.example") for number in range(1, size.providers + 1)], [])
    generated = generate_offers(size, seeded, rng)
    with engine.begin() as connection:
        # Foreign keys are consistent by construction; without their checks the tables load in any order.
        connection.execute(text("SET session_replication_role = replica"))
        copy_accounts(connection, size.providers, seeded)
        tables = {"offers": generated.offers, "offer_versions": generated.versions, "sites": generated.sites}
        for table, rows in (tables | {"audit_entries": generated.audit}).items():
            bulk.copy(connection, metadata.tables[table], rows)
        seed_reports.copy_reports(connection, size, seeded, generated, rng)
        connection.execute(text("SET session_replication_role = origin"))
        bulk.move_sequences(connection, metadata.sorted_tables)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        # As autovacuum leaves a running database: statistics, and the visibility map for index-only scans.
        connection.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    seeded.save()
    return seeded


# --- providers and staff ---------------------------------------------------------------------------------------------


def copy_accounts(connection: Connection, providers: int, seeded: Seeded) -> None:
    """One organisation per provider with its admin (user id = organisation id), then the ARGE's staff."""
    password_hash = hash_password(BENCH_PASSWORD)
    now = utcnow()
    organisations = [_organisation(number, now) for number in range(1, providers + 1)]
    users = [
        {
            "id": number,
            "email": seeded.providers[number - 1].email,
            "name": f"Leitung Träger {number:03d}",
            "role": Role.PROVIDER,
            "organisation_id": number,
            "is_org_admin": True,
            "password_hash": password_hash,
            "email_verified_at": now,
        }
        for number in range(1, providers + 1)
    ]
    roles = [Role.STAFF] * STAFF + [Role.APPROVER, Role.ADMIN]
    for offset, role in enumerate(roles, start=1):
        email = f"{role.value}{offset}@arge.bench.example"
        users.append(
            {"id": providers + offset, "email": email, "name": f"{role.value.title()} {offset}", "role": role}
            | {"password_hash": password_hash, "email_verified_at": now}
        )
        if role == Role.STAFF:
            seeded.staff.append(email)
    bulk.copy(connection, metadata.tables["organisations"], organisations)
    bulk.copy(connection, metadata.tables["users"], users)


def _organisation(number: int, now: datetime) -> Row:
    return {
        "id": number,
        "name": f"Träger {number:03d} e. V.",
        "legal_form": "e. V.",
        "umbrella": ["caritas", "diakonie", "awo", "drk", "paritaetischer", "zwst", "other"][number % 7],
        "street": f"Hauptstraße {number}",
        "postal_code": "50667",
        "city": "Musterstadt",
        "phone": "0221 123456",
        "email": f"info{number:03d}@traeger.bench.example",
        "public_contact": "Servicebüro, Telefon 0221 123457",
        "non_profit": True,
        "status": OrgStatus.VERIFIED,
        "created_at": now - timedelta(days=900),
        "verified_at": now - timedelta(days=890),
    }


# --- offers ----------------------------------------------------------------------------------------------------------


def generate_offers(size: Seed, seeded: Seeded, rng: random.Random) -> Offers:
    generated = Offers(next_revision_id=size.offers + 1)
    staff_ids = [size.providers + offset for offset in range(1, STAFF + 1)]
    kinds = rng.choices(list(MIX), weights=list(MIX.values()), k=size.offers)
    for offer_id, kind in enumerate(kinds, start=1):
        _add_offer(generated, seeded, offer_id, kind, staff_ids, rng)
    for version in generated.versions:
        generated.sites += _sites(version, len(generated.sites))
        generated.audit += _audit(version, organisation=version["created_by_id"])
    for number, entry in enumerate(generated.audit, start=1):
        entry["id"] = number
    return generated


def _add_offer(
    generated: Offers, seeded: Seeded, offer_id: int, kind: str, staff_ids: list[int], rng: random.Random
) -> None:
    """One offer with its version (ids are equal), and for every 140th live one a change waiting for review."""
    organisation = (offer_id - 1) % len(seeded.providers) + 1
    version = _version(offer_id, organisation, kind, rng)
    status = STATUS.get(kind) or rng.choice(sorted(REVIEWABLE))
    version.update(_status(status, staff_ids, rng))
    offer = {"id": offer_id, "organisation_id": organisation, "state": STATE.get(kind, OfferState.OPEN)}
    if status == VersionStatus.APPROVED:
        offer["live_version_id"] = offer_id
    elif kind not in ("rejected", "withdrawn"):
        offer["working_version_id"] = offer_id
    generated.versions.append(version)
    if kind == "live":
        seeded.providers[organisation - 1].offers.append(offer_id)
        if offer_id % REVISION_EVERY == 0:
            generated.versions.append(_revision(version, generated.next_revision_id, staff_ids, rng))
            offer["working_version_id"] = generated.next_revision_id
            generated.next_revision_id += 1
    seeded.waiting += generated.versions[-1]["status"] in REVIEWABLE
    generated.offers.append(offer)


def _version(offer_id: int, organisation: int, kind: str, rng: random.Random) -> Row:
    start, end = _period(kind, date.today(), rng)
    field_of_work = rng.choice(list(FIELDS_OF_WORK))
    offer_type = OfferType.AGH_MAE if offer_id % 5 else rng.choice([OfferType.MUNICIPAL, OfferType.OTHER])
    places = rng.choice([4, 6, 8, 10, 12])
    hours = Decimal(rng.choice([15, 20, 25, 30]))
    created = datetime.combine(start - timedelta(days=90), datetime.min.time()).astimezone()
    return {
        "id": offer_id,
        "offer_id": offer_id,
        "number": 1,
        "created_by_id": organisation,
        "created_at": created,
        "offer_type": offer_type,
        "municipal_kind": "childcare" if offer_type == OfferType.MUNICIPAL else None,
        "title": f"{FIELDS_OF_WORK[field_of_work]}: Projekt {offer_id}",
        "goal": "Menschen ohne Arbeit erhalten eine sinnvolle Tätigkeit und eine feste Tagesstruktur.",
        "field_of_work": field_of_work,
        "tasks": "Mitarbeit im Team unter fachlicher Anleitung; einfache, abwechslungsreiche Aufgaben.",
        "start_date": start,
        "end_date": end,
        "hours_per_week": hours,
        "hours_distribution": "Montag bis Freitag vormittags, nach Absprache",
        "places_total": places,
        "target_groups": rng.sample(TARGET_GROUPS, 2),
        "requirements": "Keine besonderen Vorkenntnisse.",
        "barrier_free": rng.random() < 0.5,
        "supervision_ratio": "1:8",
        "supervisor_qualification": "Fachkraft mit pädagogischer Zusatzqualifikation",
        "social_work_concept": "Wöchentliche Sprechstunde der Sozialpädagogin.",
        "qualification_percent": 20,
        "mae_rate": Decimal("1.50") if offer_type == OfferType.AGH_MAE else None,
        "mkp_supervision": Decimal(130),
        "mkp_material": Decimal(50),
        "mkp_social_work": Decimal(rng.choice([0, 80, 160])),
        "total_cost": Decimal(places * 180 * 12),
        "criteria_rules": "2012",
        "justification_additional": "Die Arbeiten würden ohne die Förderung nicht erledigt.",
        "justification_public_interest": "Das Ergebnis kommt allen im Stadtteil zugute.",
        "justification_competition": "Es werden keine Aufträge an Firmen ersetzt.",
        "contact_name": f"Leitung Träger {organisation:03d}",
        "contact_phone": "0221 123456",
        "contact_email": f"kontakt{organisation:03d}@traeger.bench.example",
    }


def _period(kind: str, today: date, rng: random.Random) -> tuple[date, date]:
    """Live offers started up to two years ago and run one to three years; ended ones ran half a year to two."""
    if kind == "live":
        start = today - timedelta(days=rng.randint(0, 700))
        return start, max(start + timedelta(days=rng.randint(365, 1095)), today + timedelta(days=30))
    if kind == "ended":
        end = today - timedelta(days=rng.randint(1, 700))
        return end - timedelta(days=rng.randint(180, 730)), end
    start = today + timedelta(days=rng.randint(60, 150))
    return start, start + timedelta(days=rng.randint(180, 364))


def _status(status: VersionStatus, staff_ids: list[int], rng: random.Random) -> Row:
    changed = datetime.combine(date.today(), datetime.min.time()).astimezone() - timedelta(days=rng.randint(1, 40))
    values: dict[str, Any] = {"status": status, "status_changed_at": changed}
    if status != VersionStatus.DRAFT:
        values["submitted_at"] = changed
    if status in (VersionStatus.IN_REVIEW, VersionStatus.FIRST_APPROVED):
        values["assigned_to_id"] = rng.choice(staff_ids)
    if status == VersionStatus.FIRST_APPROVED:
        values["first_approved_by_id"] = rng.choice(staff_ids)
    return values


def _revision(live: Row, version_id: int, staff_ids: list[int], rng: random.Random) -> Row:
    revision = live | {"id": version_id, "number": 2, "title": live["title"] + " (erweitert)"}
    return revision | _status(VersionStatus.SUBMITTED, staff_ids, rng)


def _sites(version: Row, first_id: int) -> Iterator[Row]:
    places = version["places_total"]
    for position, district in enumerate(DISTRICTS[version["offer_id"] % 9 :][:2]):
        yield {
            "id": first_id + position + 1,
            "version_id": version["id"],
            "position": position,
            "name": f"Standort {district}",
            "street": "Marktplatz 1",
            "postal_code": "50667",
            "district": district,
            "places": places // 2 if position == 0 else places - places // 2,
        }


def _audit(version: Row, organisation: int) -> Iterator[Row]:
    """The offer's trail in the audit log, as the services write it (the offer page shows it as a timeline)."""
    common = {"object_type": "Offer", "object_id": str(version["offer_id"])}
    provider = common | {"actor_id": organisation, "actor_email": f"traeger{organisation:03d}@bench.example"}
    started = "offer_created" if version["number"] == 1 else "offer_revision_started"
    yield provider | {"action": started, "created_at": version["created_at"], "actor_role": "provider"}
    if version["status"] != VersionStatus.DRAFT:
        yield provider | {"action": "offer_submit", "created_at": version["submitted_at"], "actor_role": "provider"}
    if version["status"] == VersionStatus.APPROVED:
        yield common | {"action": "offer_approve", "created_at": version["status_changed_at"], "actor_role": "approver"}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.seed", description="Füllt die Benchmark-Datenbank.")
    parser.add_argument("--providers", type=int, default=300)
    parser.add_argument("--offers", type=int, default=10_000)
    parser.add_argument("--reports", type=int, default=100_000)
    options = parser.parse_args()
    size = Seed(options.providers, options.offers, options.reports)
    started = time.monotonic()
    seeded = seed(size)
    print(f"{size.describe()} in {time.monotonic() - started:.0f} s angelegt; {seeded.waiting} warten auf Prüfung.")


if __name__ == "__main__":
    main()
