"""Offers and their versions: every application or revision is an OfferVersion with its own review status.

The live content of an offer is `Offer.live_version`; a revision of a live offer is a newer version that is reviewed
while the live one stays public, and replaces it only when approved.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models import Base, enum_column, utcnow

if TYPE_CHECKING:
    from portal.accounts.models import Organisation, User


class OfferType(enum.StrEnum):
    AGH_MAE = "agh_mae"
    MUNICIPAL = "municipal"
    OTHER = "other"


OFFER_TYPE_LABELS = {
    OfferType.AGH_MAE: "Arbeitsgelegenheit mit Mehraufwandsentschädigung (Zusatzjob)",
    OfferType.MUNICIPAL: "Kommunale Eingliederungsleistung",
    OfferType.OTHER: "Sonstige Maßnahme",
}
LEGAL_BASIS = {
    OfferType.AGH_MAE: "§ 16d SGB II",
    OfferType.MUNICIPAL: "§ 16a SGB II",
    OfferType.OTHER: "§ 16 SGB II i. V. m. § 45 SGB III",
}


class MunicipalKind(enum.StrEnum):
    CHILDCARE = "childcare"
    DEBT_COUNSELLING = "debt_counselling"
    PSYCHOSOCIAL = "psychosocial"
    ADDICTION = "addiction"


MUNICIPAL_KIND_LABELS = {
    MunicipalKind.CHILDCARE: "Kinderbetreuung",
    MunicipalKind.DEBT_COUNSELLING: "Schuldnerberatung",
    MunicipalKind.PSYCHOSOCIAL: "Psychosoziale Betreuung",
    MunicipalKind.ADDICTION: "Suchtberatung",
}

FIELDS_OF_WORK = {
    "gruenpflege": "Grünpflege",
    "hauswirtschaft": "Hauswirtschaft",
    "soziale_dienste": "Soziale Dienste",
    "kultur": "Kultur",
    "umwelt": "Umwelt",
    "handwerk": "Handwerk",
    "bildung": "Bildung und Betreuung",
    "sonstiges": "Sonstiges",
}

TARGET_GROUPS = {
    "unter_25": "Unter 25 Jahren",
    "alleinerziehende": "Alleinerziehende",
    "sprachfoerderung": "Mit Sprachförderung",
    "aeltere": "Ältere Arbeitsuchende",
    "langzeitarbeitslose": "Langzeitarbeitslose",
    "menschen_mit_behinderung": "Menschen mit Behinderung",
}

DISTRICTS = (
    "Altstadt",
    "Innenstadt",
    "Nordstadt",
    "Südstadt",
    "Weststadt",
    "Oststadt",
    "Hafen",
    "Neustadt",
    "Bergheim",
    "Lindenthal",
)


class VersionStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    RESUBMITTED = "resubmitted"
    FIRST_APPROVED = "first_approved"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    SUPERSEDED = "superseded"


VERSION_STATUS_LABELS = {
    VersionStatus.DRAFT: "Entwurf",
    VersionStatus.SUBMITTED: "Eingereicht",
    VersionStatus.IN_REVIEW: "In Prüfung",
    VersionStatus.CHANGES_REQUESTED: "Änderungen erbeten",
    VersionStatus.RESUBMITTED: "Erneut eingereicht",
    VersionStatus.FIRST_APPROVED: "Erste Freigabe erteilt",
    VersionStatus.APPROVED: "Genehmigt",
    VersionStatus.REJECTED: "Abgelehnt",
    VersionStatus.WITHDRAWN: "Zurückgezogen",
    VersionStatus.SUPERSEDED: "Durch neuere Fassung ersetzt",
}
REVIEWABLE = frozenset(
    {VersionStatus.SUBMITTED, VersionStatus.IN_REVIEW, VersionStatus.RESUBMITTED, VersionStatus.FIRST_APPROVED}
)
EDITABLE = frozenset({VersionStatus.DRAFT, VersionStatus.CHANGES_REQUESTED})


class OfferState(enum.StrEnum):
    OPEN = "open"  # not yet approved
    LIVE = "live"
    ENDED = "ended"
    WITHDRAWN = "withdrawn"
    REJECTED = "rejected"


OFFER_STATE_LABELS = {
    OfferState.OPEN: "Noch nicht genehmigt",
    OfferState.LIVE: "Genehmigt (veröffentlicht)",
    OfferState.ENDED: "Beendet",
    OfferState.WITHDRAWN: "Zurückgezogen",
    OfferState.REJECTED: "Abgelehnt",
}


class Offer(Base):
    __tablename__ = "offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    state: Mapped[OfferState] = mapped_column(enum_column(OfferState), default=OfferState.OPEN, index=True)
    live_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("offer_versions.id", use_alter=True, name="fk_offers_live_version_id")
    )
    working_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("offer_versions.id", use_alter=True, name="fk_offers_working_version_id")
    )
    form_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version_id: Mapped[int] = mapped_column(default=1)

    organisation: Mapped[Organisation] = relationship()
    live_version: Mapped[OfferVersion | None] = relationship(foreign_keys=[live_version_id], post_update=True)
    working_version: Mapped[OfferVersion | None] = relationship(foreign_keys=[working_version_id], post_update=True)
    versions: Mapped[list[OfferVersion]] = relationship(
        back_populates="offer", foreign_keys="OfferVersion.offer_id", order_by="OfferVersion.number"
    )

    __mapper_args__ = {"version_id_col": version_id}  # noqa: RUF012 (read once by SQLAlchemy)

    @property
    def current(self) -> OfferVersion:
        """The version a reader should see: the one being worked on, else the live one."""
        version = self.working_version or self.live_version or (self.versions[-1] if self.versions else None)
        if version is None:
            raise LookupError(f"offer {self.id} has no version")
        return version

    @property
    def state_label(self) -> str:
        return OFFER_STATE_LABELS[self.state]

    def visible_to(self, user: User) -> bool:
        """Provider users see only their own organisation's offers; staff see all."""
        return user.is_staff or user.organisation_id == self.organisation_id


class OfferVersion(Base):
    """One application or revision of an offer, with all its content."""

    __tablename__ = "offer_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id"), index=True)
    number: Mapped[int] = mapped_column(default=1)
    status: Mapped[VersionStatus] = mapped_column(enum_column(VersionStatus), default=VersionStatus.DRAFT, index=True)
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    first_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version_id: Mapped[int] = mapped_column(default=1)

    # Type and title
    offer_type: Mapped[OfferType | None] = mapped_column(enum_column(OfferType))
    municipal_kind: Mapped[MunicipalKind | None] = mapped_column(enum_column(MunicipalKind))
    title: Mapped[str] = mapped_column(String(200), default="")
    goal: Mapped[str] = mapped_column(Text, default="")
    # Work
    field_of_work: Mapped[str] = mapped_column(String(30), default="")
    tasks: Mapped[str] = mapped_column(Text, default="")
    # Period and hours
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    hours_per_week: Mapped[Decimal | None] = mapped_column(Numeric(4, 1))
    hours_distribution: Mapped[str] = mapped_column(Text, default="")
    places_total: Mapped[int | None]
    # People
    target_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    requirements: Mapped[str] = mapped_column(Text, default="")
    barrier_free: Mapped[bool | None]
    barrier_free_notes: Mapped[str] = mapped_column(Text, default="")
    # Supervision and qualification
    supervision_ratio: Mapped[str] = mapped_column(String(20), default="")
    supervisor_qualification: Mapped[str] = mapped_column(Text, default="")
    social_work_concept: Mapped[str] = mapped_column(Text, default="")
    qualification_percent: Mapped[int | None]
    # Money (euros)
    mae_rate: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    mkp_supervision: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    mkp_material: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    mkp_social_work: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    total_cost: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))
    # The AGH criteria and the rules in force on the application date
    criteria_rules: Mapped[str] = mapped_column(String(20), default="")
    justification_additional: Mapped[str] = mapped_column(Text, default="")
    justification_public_interest: Mapped[str] = mapped_column(Text, default="")
    justification_competition: Mapped[str] = mapped_column(Text, default="")
    # Contact person
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    contact_email: Mapped[str] = mapped_column(String(320), default="")
    # Optional chamber certificate (PDF), stored under a random name in the storage folder
    certificate_name: Mapped[str] = mapped_column(String(200), default="")
    certificate_key: Mapped[str] = mapped_column(String(80), default="")
    certificate_sha256: Mapped[str] = mapped_column(String(64), default="")

    offer: Mapped[Offer] = relationship(back_populates="versions", foreign_keys=[offer_id])
    sites: Mapped[list[Site]] = relationship(
        back_populates="version", cascade="all, delete-orphan", order_by="Site.position"
    )
    assigned_to: Mapped[User | None] = relationship(foreign_keys=[assigned_to_id])
    first_approved_by: Mapped[User | None] = relationship(foreign_keys=[first_approved_by_id])

    __mapper_args__ = {"version_id_col": version_id}  # noqa: RUF012 (read once by SQLAlchemy)

    @property
    def status_label(self) -> str:
        return VERSION_STATUS_LABELS[self.status]

    @property
    def type_label(self) -> str:
        return OFFER_TYPE_LABELS[self.offer_type] if self.offer_type else "–"

    @property
    def legal_basis(self) -> str:
        return LEGAL_BASIS[self.offer_type] if self.offer_type else "–"

    @property
    def field_of_work_label(self) -> str:
        return FIELDS_OF_WORK.get(self.field_of_work, "–")

    @property
    def is_agh(self) -> bool:
        return self.offer_type == OfferType.AGH_MAE

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE

    @property
    def districts(self) -> list[str]:
        return sorted({site.district for site in self.sites if site.district})

    def content(self) -> dict[str, Any]:
        """All content fields as plain data (for the diff and the snapshot)."""
        data = {column: getattr(self, column) for column in CONTENT_FIELDS}
        data["sites"] = [site.content() for site in self.sites]
        return data


class Site(Base):
    """A work site (Einsatzstelle) of an offer version."""

    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("offer_versions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(200))
    street: Mapped[str] = mapped_column(String(200))
    postal_code: Mapped[str] = mapped_column(String(5))
    district: Mapped[str] = mapped_column(String(60), index=True)
    places: Mapped[int]

    version: Mapped[OfferVersion] = relationship(back_populates="sites")

    def content(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "street": self.street,
            "postal_code": self.postal_code,
            "district": self.district,
            "places": self.places,
        }


CONTENT_FIELDS = (
    "offer_type",
    "municipal_kind",
    "title",
    "goal",
    "field_of_work",
    "tasks",
    "start_date",
    "end_date",
    "hours_per_week",
    "hours_distribution",
    "places_total",
    "target_groups",
    "requirements",
    "barrier_free",
    "barrier_free_notes",
    "supervision_ratio",
    "supervisor_qualification",
    "social_work_concept",
    "qualification_percent",
    "mae_rate",
    "mkp_supervision",
    "mkp_material",
    "mkp_social_work",
    "criteria_rules",
    "justification_additional",
    "justification_public_interest",
    "justification_competition",
    "contact_name",
    "contact_phone",
    "contact_email",
    "certificate_name",
)


class ReviewNote(Base):
    """A comment on an offer: a message to the provider or an internal note the provider never sees. The review
    pages write them; the offer's own page and timeline read them, so they live with the offer."""

    __tablename__ = "review_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id"), index=True)
    version_number: Mapped[int]
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    internal: Mapped[bool] = mapped_column(default=True)
    kind: Mapped[str] = mapped_column(String(30), default="note")
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship()
