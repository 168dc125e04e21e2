"""All state changes of offers on the provider side: drafts, steps, submission, revisions, ending."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import select

from portal import storage
from portal.accounts.models import User
from portal.audit.services import record
from portal.errors import ServiceError
from portal.extensions import db
from portal.models import utcnow
from portal.notifications.services import absolute_url, notify_staff
from portal.offers import steps
from portal.offers.costs import CostInput, Costs, compute_costs
from portal.offers.models import CONTENT_FIELDS, Offer, OfferState, OfferType, OfferVersion, Site
from portal.offers.rules import OfferLimits, check_application, criteria_rules_on
from portal.offers.workflow import STATES, VERSIONS, ended_early
from portal.transactions import RETRY, check_version, transactional
from portal.workflow import TransitionError

# What the provider fills in; the applicable criteria and the certificate's name are set by submit/store_certificate.
PROVIDER_FIELDS = frozenset(CONTENT_FIELDS) - {"criteria_rules", "certificate_name"}
SITE_FIELDS = ("name", "street", "postal_code", "district", "places")
SUSPENDED = (
    "Ihre Organisation ist von der ARGE gesperrt. Solange die Sperrung besteht, können Sie nichts einreichen. "
    "Bitte wenden Sie sich an die ARGE."
)


def limits() -> OfferLimits:
    return current_app.config["OFFER_LIMITS"]


def today() -> date:
    return utcnow().date()


def _require_owner(user: User, offer: Offer) -> None:
    if user.organisation_id != offer.organisation_id:
        raise ServiceError("Dieses Angebot gehört nicht zu Ihrer Organisation.")


def _require_editable(version: OfferVersion) -> None:
    if not version.editable:
        raise ServiceError(f"Diese Fassung ist „{version.status_label}“ und kann nicht mehr geändert werden.")


# --- drafts ---------------------------------------------------------------------------------------


@transactional(on_duplicate=RETRY)
def create_offer(user: User, offer_type: OfferType, title: str, form_token: str) -> Offer:
    """Start a draft; the same form token twice (double click, resent form) gives the same offer."""
    existing = db.session.scalar(select(Offer).where(Offer.form_token == form_token))
    if existing is not None:
        return existing
    offer = Offer(organisation_id=user.organisation_id, form_token=form_token)
    version = OfferVersion(
        offer=offer,
        number=1,
        offer_type=offer_type,
        title=title,
        created_by_id=user.id,
        mae_rate=limits().mae_min if offer_type == OfferType.AGH_MAE else None,
    )
    db.session.add_all([offer, version])
    db.session.flush()
    offer.working_version = version
    record("offer_created", actor=user, obj=offer, details=title)
    return offer


@transactional
def save_step(user: User, version: OfferVersion, data: Mapping[str, Any], expected: int | None) -> None:
    """Store one step of the form (also as a draft with gaps); sites replace the previous list."""
    _require_owner(user, version.offer)
    db.session.refresh(version, with_for_update=True)  # parallel saves wait: each replaces the sites it found
    _require_editable(version)
    check_version(version, expected)
    for name, value in data.items():
        if name == "sites":
            _replace_sites(version, value)
        elif name in PROVIDER_FIELDS:
            setattr(version, name, value)
    costs = costs_of(version)
    version.total_cost = costs.total if costs else Decimal(0)


def _replace_sites(version: OfferVersion, sites: list[Mapping[str, Any]]) -> None:
    version.sites.clear()
    db.session.flush()
    for position, site in enumerate(sites):
        version.sites.append(Site(position=position, **{key: site[key] for key in SITE_FIELDS if key in site}))


def costs_of(version: OfferVersion) -> Costs | None:
    """The computed cost, once the figures it needs are there."""
    start, end, places, hours = version.start_date, version.end_date, version.places_total, version.hours_per_week
    if start is None or end is None or places is None or hours is None or end < start:
        return None
    parts = (version.mkp_supervision, version.mkp_material, version.mkp_social_work)
    mkp = sum((value or Decimal(0) for value in parts), Decimal(0))
    rate = (version.mae_rate or Decimal(0)) if version.is_agh else Decimal(0)
    return compute_costs(
        CostInput(places=places, start=start, end=end, hours_per_week=hours, mae_rate=rate, mkp_per_place_month=mkp)
    )


@transactional
def store_certificate(user: User, version: OfferVersion, filename: str, data: bytes) -> None:
    """Keep the chamber certificate after the full PDF check, under a random name outside any served folder; the
    file it replaces goes once no other version of the offer refers to it."""
    _require_owner(user, version.offer)
    _require_editable(version)
    stored = storage.store_pdf("certificates", data, field="certificate")
    replaced = version.certificate_key
    if replaced and not _certificate_shared(version, replaced):
        storage.discard("certificates", replaced)
    version.certificate_key = stored.key
    version.certificate_name = storage.safe_download_name(filename, "bescheinigung")
    version.certificate_sha256 = stored.sha256
    record("offer_certificate", actor=user, obj=version.offer, details=version.certificate_sha256)


def _certificate_shared(version: OfferVersion, key: str) -> bool:
    """Whether another version keeps the same file (a revision starts with the live version's certificate)."""
    return any(other.certificate_key == key for other in version.offer.versions if other is not version)


# --- submission -----------------------------------------------------------------------------------


def submission_problems(version: OfferVersion) -> tuple[dict[str, str], list[str]]:
    """Errors that block the submission (missing steps, broken rules) and warnings that do not."""
    errors = {
        f"step-{step.slug}": f"Der Schritt „{step.title}“ ist noch nicht vollständig."
        for step in steps.STEPS
        if not steps.is_complete(step, version)
    }
    findings = check_application(
        version.content(), limits(), version.submitted_at.date() if version.submitted_at else today()
    )
    errors.update(findings.errors)
    return errors, findings.warnings


@transactional
def submit(user: User, version: OfferVersion, expected: int | None, confirmed: bool) -> None:
    _require_owner(user, version.offer)
    check_version(version, expected)
    if version.offer.organisation.suspended:
        raise ServiceError(SUSPENDED)
    if not version.offer.organisation.can_submit:
        raise ServiceError(
            "Ihre Organisation ist noch nicht von der ARGE bestätigt. Sie können einreichen, "
            "sobald die Prüfung abgeschlossen ist."
        )
    errors, _warnings = submission_problems(version)
    if errors:
        raise ServiceError("Bitte vervollständigen Sie zuerst: " + " ".join(errors.values()))
    if not confirmed:
        raise ServiceError("Bitte bestätigen Sie, dass Ihre Angaben richtig und vollständig sind.", field="confirm")
    version.criteria_rules = criteria_rules_on(today())
    VERSIONS.move(version, "submit", user)
    _notify_staff(version)


def _notify_staff(version: OfferVersion) -> None:
    notify_staff(
        "offer_submitted",
        organisation_name=version.offer.organisation.name,
        title=version.title,
        number=version.number,
        link=absolute_url("review.detail", offer_id=version.offer_id),
    )


# --- live offers ----------------------------------------------------------------------------------


@transactional
def start_revision(user: User, offer: Offer) -> OfferVersion:
    """Edit a live offer: a new draft version; the approved one stays public until the change is approved."""
    _require_owner(user, offer)
    if offer.working_version is not None:
        return offer.working_version
    if offer.state != OfferState.LIVE or offer.live_version is None:
        raise ServiceError("Nur genehmigte Angebote können geändert werden.")
    live = offer.live_version
    revision = OfferVersion(
        offer=offer,
        number=len(offer.versions) + 1,
        created_by_id=user.id,
        **{name: getattr(live, name) for name in CONTENT_FIELDS},
        certificate_key=live.certificate_key,
        certificate_sha256=live.certificate_sha256,
        total_cost=live.total_cost,
    )
    db.session.add(revision)  # before loading the sites: an automatic flush must not meet it outside the session
    revision.sites = [Site(**site.content(), position=site.position) for site in live.sites]
    offer.working_version = revision
    record("offer_revision_started", actor=user, obj=offer, details=f"Fassung {revision.number}")
    return revision


@transactional
def withdraw_version(user: User, version: OfferVersion, expected: int | None) -> None:
    """Take back an application or a pending change; a never-approved offer is then withdrawn."""
    offer = version.offer
    _require_owner(user, offer)
    check_version(version, expected)
    VERSIONS.move(version, "withdraw", user)
    offer.working_version = None
    if STATES.allowed("withdraw", offer):  # never approved: the offer as a whole is withdrawn
        STATES.move(offer, "withdraw", user)


@transactional
def end_offer(user: User, offer: Offer, expected: int | None) -> None:
    """A live offer ends early or is taken off the catalogue by its provider."""
    _require_owner(user, offer)
    check_version(offer, expected)
    if not STATES.allowed("end", offer):
        raise TransitionError("Nur ein veröffentlichtes Angebot kann beendet werden.")
    STATES.move(offer, "end", user)
    ended_early.send(user, offer=offer, on=date.today())
