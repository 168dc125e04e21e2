"""Organisations (Träger), users and one-time tokens."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models import Base, enum_column, utcnow


class Role(enum.StrEnum):
    PROVIDER = "provider"
    STAFF = "staff"
    APPROVER = "approver"
    ADMIN = "admin"


ROLE_LABELS = {
    Role.PROVIDER: "Träger-Mitarbeiter/in",
    Role.STAFF: "ARGE-Sachbearbeitung",
    Role.APPROVER: "Teamleitung",
    Role.ADMIN: "Administration",
}
STAFF_ROLES = frozenset({Role.STAFF, Role.APPROVER, Role.ADMIN})


class OrgStatus(enum.StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    SUSPENDED = "suspended"


ORG_STATUS_LABELS = {
    OrgStatus.PENDING: "In Prüfung",
    OrgStatus.VERIFIED: "Bestätigt",
    OrgStatus.SUSPENDED: "Gesperrt",
}


class Umbrella(enum.StrEnum):
    CARITAS = "caritas"
    DIAKONIE = "diakonie"
    AWO = "awo"
    DRK = "drk"
    PARITAETISCHER = "paritaetischer"
    ZWST = "zwst"
    OTHER = "other"


UMBRELLA_LABELS = {
    Umbrella.CARITAS: "Deutscher Caritasverband",
    Umbrella.DIAKONIE: "Diakonie Deutschland",
    Umbrella.AWO: "Arbeiterwohlfahrt (AWO)",
    Umbrella.DRK: "Deutsches Rotes Kreuz (DRK)",
    Umbrella.PARITAETISCHER: "Der Paritätische",
    Umbrella.ZWST: "Zentralwohlfahrtsstelle der Juden in Deutschland (ZWST)",
    Umbrella.OTHER: "Anderer Verband oder keiner",
}


# What the public website shows of an organisation (publishing/snapshot.py): changed by the provider, it waits for
# staff to confirm it (OrganisationChange); the other data the provider changes at once.
PUBLIC_FIELD_LABELS = {"name": "Name", "website": "Website", "public_contact": "Öffentliche Kontaktangaben"}


class ChangeStatus(enum.StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


CHANGE_STATUS_LABELS = {
    ChangeStatus.PENDING: "Wartet auf Bestätigung",
    ChangeStatus.CONFIRMED: "Bestätigt",
    ChangeStatus.REFUSED: "Abgelehnt",
    ChangeStatus.WITHDRAWN: "Zurückgenommen",
}


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    legal_form: Mapped[str] = mapped_column(String(100))
    umbrella: Mapped[Umbrella] = mapped_column(enum_column(Umbrella, 20))
    street: Mapped[str] = mapped_column(String(200))
    postal_code: Mapped[str] = mapped_column(String(5))
    city: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(40))
    email: Mapped[str] = mapped_column(String(320))
    website: Mapped[str] = mapped_column(String(300), default="")
    public_contact: Mapped[str] = mapped_column(Text, default="")
    non_profit: Mapped[bool] = mapped_column(default=False)
    iban: Mapped[str] = mapped_column(String(34), default="")
    status: Mapped[OrgStatus] = mapped_column(enum_column(OrgStatus, 20), default=OrgStatus.PENDING, index=True)
    status_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    verified_at: Mapped[datetime | None]
    version_id: Mapped[int] = mapped_column(default=1)

    users: Mapped[list[User]] = relationship(back_populates="organisation", order_by="User.name")

    __mapper_args__ = {"version_id_col": version_id}  # noqa: RUF012 (read once by SQLAlchemy)

    @property
    def can_submit(self) -> bool:
        """Only a verified organisation may submit offers and reports."""
        return self.status == OrgStatus.VERIFIED

    @property
    def suspended(self) -> bool:
        """Suspended by staff: its users cannot see participant data or start reports and offers until lifted."""
        return self.status == OrgStatus.SUSPENDED

    @property
    def status_label(self) -> str:
        return ORG_STATUS_LABELS[self.status]

    @property
    def umbrella_label(self) -> str:
        return UMBRELLA_LABELS[self.umbrella]

    def can_view_private(self, user: User) -> bool:
        """IBAN and internal data: the organisation's own users and ARGE staff."""
        return user.is_staff or user.organisation_id == self.id

    def can_edit(self, user: User) -> bool:
        return user.organisation_id == self.id and user.is_org_admin and user.active


class OrganisationChange(Base):
    """A provider's change of its public data (PUBLIC_FIELD_LABELS), kept apart until staff confirm it: the
    organisation, and with it the public site, keeps the confirmed data until then. One open change at a time."""

    __tablename__ = "organisation_changes"
    __table_args__ = (
        Index(
            "uq_organisation_changes_open",
            "organisation_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    website: Mapped[str] = mapped_column(String(300))
    public_contact: Mapped[str] = mapped_column(Text)
    status: Mapped[ChangeStatus] = mapped_column(enum_column(ChangeStatus, 20), default=ChangeStatus.PENDING)
    reason: Mapped[str] = mapped_column(Text, default="")
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    version_id: Mapped[int] = mapped_column(default=1)

    organisation: Mapped[Organisation] = relationship()
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])

    __mapper_args__ = {"version_id_col": version_id}  # noqa: RUF012 (read once by SQLAlchemy)

    @property
    def differences(self) -> list[tuple[str, str, str]]:
        """(label, confirmed value, proposed value) of each public field the change alters."""
        return [
            (label, getattr(self.organisation, key), getattr(self, key))
            for key, label in PUBLIC_FIELD_LABELS.items()
            if getattr(self.organisation, key) != getattr(self, key)
        ]

    @property
    def status_label(self) -> str:
        return CHANGE_STATUS_LABELS[self.status]

    @property
    def summary(self) -> str:
        return ", ".join(f"{label}: „{new}“" for label, _old, new in self.differences)


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(enum_column(Role, 20), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    is_org_admin: Mapped[bool] = mapped_column(default=False)
    password_hash: Mapped[str] = mapped_column(String(200), default="")
    email_verified_at: Mapped[datetime | None]
    active: Mapped[bool] = mapped_column(default=True)
    session_version: Mapped[int] = mapped_column(default=1)
    totp_secret: Mapped[str] = mapped_column(String(64), default="")
    totp_last_step: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    notify_daily: Mapped[bool] = mapped_column(default=False)  # one digest a day instead of single mails

    organisation: Mapped[Organisation | None] = relationship(back_populates="users")
    passkeys: Mapped[list[Passkey]] = relationship(
        back_populates="user", order_by="Passkey.id", cascade="all, delete-orphan", passive_deletes=True
    )
    recovery_codes: Mapped[list[RecoveryCode]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    def get_id(self) -> str:
        """Flask-Login id carries the session version, so old cookies stop working."""
        return f"{self.id}.{self.session_version}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_provider(self) -> bool:
        return self.role == Role.PROVIDER

    @property
    def role_label(self) -> str:
        label = ROLE_LABELS[self.role]
        return "Träger-Admin" if self.is_provider and self.is_org_admin else label

    @property
    def has_totp(self) -> bool:
        return bool(self.totp_secret)

    @property
    def has_second_factor(self) -> bool:
        """An authenticator app or a passkey; recovery codes only stand in for them."""
        return self.has_totp or bool(self.passkeys)

    @property
    def recovery_codes_left(self) -> int:
        return sum(1 for code in self.recovery_codes if code.used_at is None)


class RecoveryCode(Base):
    """One of the codes that stand in for the second factor once each; only the SHA-256 of the code is stored (the
    codes are random with 120 bits, so a fast hash is enough)."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="recovery_codes")


class Passkey(Base):
    """A WebAuthn credential (passkey) of a user: second factor after the password, or sign-in without one."""

    __tablename__ = "passkeys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    credential_id: Mapped[str] = mapped_column(String(1400), unique=True)  # base64url, at most 1023 bytes raw
    public_key_cose: Mapped[bytes] = mapped_column(LargeBinary)  # the COSE-encoded public key
    sign_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="passkeys")


class TokenPurpose(enum.StrEnum):
    VERIFY_EMAIL = "verify_email"
    RESET_PASSWORD = "reset_password"  # noqa: S105 (a token purpose, not a password)
    INVITATION = "invitation"


class Token(Base):
    """A single-use, expiring token sent by e-mail; only its SHA-256 is stored."""

    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(enum_column(TokenPurpose, 20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()


class LoginAttempt(Base):
    """Failed and successful sign-in steps, and requests for registration and reset mails (kind "register",
    "reset"), kept in the database so throttling survives restarts."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    account: Mapped[str] = mapped_column(String(320), index=True)
    ip: Mapped[str] = mapped_column(String(64), index=True)
    success: Mapped[bool]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
