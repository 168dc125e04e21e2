"""All state changes of accounts and organisations: each validates, changes, audits and queues mail."""

from __future__ import annotations

import enum
import functools
import hashlib
import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, func, select, update

from portal.accounts import mfa, passkeys
from portal.accounts.models import (
    CHANGE_STATUS_LABELS,
    ORG_STATUS_LABELS,
    PUBLIC_FIELD_LABELS,
    ChangeStatus,
    LoginAttempt,
    Organisation,
    OrganisationChange,
    OrgStatus,
    Passkey,
    RecoveryCode,
    Role,
    Token,
    TokenPurpose,
    User,
)
from portal.accounts.passwords import hash_password, needs_rehash, password_problems, verify_password
from portal.accounts.queries import open_change
from portal.audit.services import client_ip, record
from portal.errors import ServiceError
from portal.extensions import db
from portal.models import utcnow
from portal.notifications.services import absolute_url, notify_staff, queue_mail
from portal.notifications.texts import MailName
from portal.submissions import once
from portal.transactions import check_version, transactional
from portal.workflow import Move, Workflow

INVITATION_LIFETIME = timedelta(days=7)
MFA_REQUIRED = (
    "Die Zwei-Faktor-Anmeldung ist vorgeschrieben: Behalten Sie mindestens eine zweite Sicherung "
    "(Authenticator-App oder Passkey)."
)


class LoginResult(enum.Enum):
    OK = "ok"
    NEEDS_SECOND_FACTOR = "needs_second_factor"
    BAD = "bad"
    THROTTLED = "throttled"
    UNVERIFIED = "unverified"


@functools.cache
def _dummy_hash() -> str:
    """A valid argon2id hash, verified when the account does not exist, so timing does not tell."""
    return hash_password(secrets.token_hex(16))


def normalise_email(email: str) -> str:
    return email.strip().lower()


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def _check_password(password: str, *context: str) -> None:
    problems = password_problems(password, context)
    if problems:
        raise ServiceError(problems[0], field="password")


# --- tokens ---------------------------------------------------------------------------------------


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _issue_token(user: User, purpose: TokenPurpose, lifetime: timedelta) -> str:
    raw = secrets.token_urlsafe(32)
    db.session.add(Token(user=user, purpose=purpose, token_hash=_digest(raw), expires_at=utcnow() + lifetime))
    return raw


def find_token(raw: str, purpose: TokenPurpose) -> Token | None:
    """A token that is unused and unexpired, or None."""
    token = db.session.scalar(select(Token).where(Token.token_hash == _digest(raw), Token.purpose == purpose))
    if token is None or token.used_at is not None or token.expires_at < utcnow():
        return None
    return token


def _void_tokens(user: User, purpose: TokenPurpose) -> None:
    """Every outstanding link of this kind stops working (a new password ends all reset links)."""
    db.session.execute(
        update(Token)
        .where(Token.user_id == user.id, Token.purpose == purpose, Token.used_at.is_(None))
        .values(used_at=utcnow())
    )


# --- registration and invitations -----------------------------------------------------------------


@once(User)
def register_provider(org_data: Mapping[str, Any], name: str, email: str, password: str) -> User | None:
    """Create a pending organisation and its first user (the provider admin); send the verification link.

    Returns None when the e-mail address already has an account: its owner is told by mail instead,
    so the form does not reveal who is registered.
    """
    email = normalise_email(email)
    _check_password(password, org_data["name"], name, email)
    # The organisation name first: checked after the address, its message would tell whether the address is known.
    if db.session.scalar(select(Organisation).where(func.lower(Organisation.name) == org_data["name"].lower())):
        raise ServiceError(
            "Eine Organisation mit diesem Namen ist bereits registriert. "
            "Bitten Sie deren Träger-Admin, Sie einzuladen.",
            field="name",
        )
    if mail_throttled("register", email):
        return None  # the same answer, and no mail
    if user_by_email(email):
        hash_password(password)  # the same work as a new registration, so the timing does not tell either
        queue_mail(email, "registration_exists", link=absolute_url("accounts.forgot_password"))
        return None
    organisation = Organisation(**org_data)
    user = User(
        email=email,
        name=name,
        role=Role.PROVIDER,
        organisation=organisation,
        is_org_admin=True,
        password_hash=hash_password(password),
    )
    db.session.add_all([organisation, user])
    db.session.flush()
    _send_verification(user)
    record("registered", actor=user, obj=organisation)
    return user


def _send_verification(user: User) -> None:
    raw = _issue_token(user, TokenPurpose.VERIFY_EMAIL, current_app.config["TOKEN_LIFETIME"])
    queue_mail(user.email, "verify_email", name=user.name, link=absolute_url("accounts.verify_email_link", token=raw))


@transactional
def resend_verification(user: User) -> None:
    _send_verification(user)


@transactional
def verify_email(raw: str) -> User | None:
    token = find_token(raw, TokenPurpose.VERIFY_EMAIL)
    if token is None:
        return None
    token.used_at = utcnow()
    token.user.email_verified_at = utcnow()
    record("email_verified", actor=token.user, obj=token.user)
    _notify_staff_of_registration(token.user)
    return token.user


def _notify_staff_of_registration(user: User) -> None:
    if user.organisation is None or user.organisation.status != OrgStatus.PENDING:
        return
    staff = db.session.scalars(select(User).where(User.role == Role.STAFF, User.active.is_(True))).all()
    for member in staff:
        queue_mail(
            member.email,
            "organisation_registered",
            organisation_name=user.organisation.name,
            link=absolute_url("accounts.organisation_detail", org_id=user.organisation.id),
        )


@once(User)
def invite_user(inviter: User, email: str, name: str, role: Role, organisation: Organisation | None) -> User | None:
    """Create an account without password and send an invitation link.

    Returns None when the address has an account already (in any organisation): its owner is told by mail, and
    the inviter gets the same answer as for a new address, so the form does not reveal who is registered.
    """
    email = normalise_email(email)
    if user_by_email(email):
        _tell_invited_owner(inviter, email, role, organisation)
        return None
    user = User(email=email, name=name, role=role, organisation=organisation)
    db.session.add(user)
    db.session.flush()
    raw = _issue_token(user, TokenPurpose.INVITATION, INVITATION_LIFETIME)
    queue_mail(
        email,
        "invitation",
        name=name,
        inviter_name=inviter.name,
        organisation_name=organisation.name if organisation else None,
        link=absolute_url("accounts.invitation_link", token=raw),
    )
    record("user_invited", actor=inviter, obj=user, details=f"{email} als {role.value}")
    return user


def _tell_invited_owner(inviter: User, email: str, role: Role, organisation: Organisation | None) -> None:
    queue_mail(
        email,
        "invitation_exists",
        inviter_name=inviter.name,
        organisation_name=organisation.name if organisation else None,
        link=absolute_url("accounts.login"),
        reset_link=absolute_url("accounts.forgot_password"),
    )
    record("invitation_to_existing_account", actor=inviter, details=f"{email} als {role.value}")


@transactional
def accept_invitation(raw: str, password: str) -> User | None:
    token = find_token(raw, TokenPurpose.INVITATION)
    if token is None:
        return None
    user = token.user
    _check_password(password, user.name, user.email, user.organisation.name if user.organisation else "")
    token.used_at = utcnow()
    user.password_hash = hash_password(password)
    user.email_verified_at = utcnow()
    record("invitation_accepted", actor=user, obj=user)
    return user


@transactional
def create_user(email: str, role: Role, password: str, org_name: str | None = None, name: str = "") -> User:
    """Create an active, verified account directly (command line and demo data)."""
    organisation = None
    if org_name:
        organisation = db.session.scalar(select(Organisation).where(Organisation.name == org_name))
        if organisation is None:
            raise ServiceError(f"Organisation „{org_name}“ nicht gefunden.", field="org")
    if role == Role.PROVIDER and organisation is None:
        raise ServiceError("Träger-Konten brauchen eine Organisation (--org).", field="org")
    _check_password(password, email, name, org_name or "")
    if user_by_email(email):
        raise ServiceError("Für diese E-Mail-Adresse gibt es bereits ein Konto.", field="email")
    user = User(
        email=normalise_email(email),
        name=name or email.split("@")[0],
        role=role,
        organisation=organisation,
        password_hash=hash_password(password),
        email_verified_at=utcnow(),
    )
    db.session.add(user)
    db.session.flush()
    record("user_created", obj=user, details=f"{user.email} als {role.value}", actor_email="cli")
    return user


# --- login ----------------------------------------------------------------------------------------


def _failures(kind: str, **where: str) -> int:
    return _attempts(kind, current_app.config["LOGIN_WINDOW"], LoginAttempt.success.is_(False), **where)


def _attempts(kind: str, window: timedelta, *conditions: Any, **where: str) -> int:
    query = select(func.count(LoginAttempt.id)).where(
        LoginAttempt.kind == kind, LoginAttempt.created_at >= utcnow() - window, *conditions
    )
    for column, value in where.items():
        query = query.where(getattr(LoginAttempt, column) == value)
    return db.session.scalar(query) or 0


def mail_throttled(kind: str, email: str) -> bool:
    """Mails that anyone may ask for (registration, password reset): at most so many per address and per IP in
    the window. A request within the limits is counted; one over them is audited and sends nothing."""
    config, account = current_app.config, normalise_email(email)
    window = config["MAIL_REQUEST_WINDOW"]
    if (
        _attempts(kind, window, account=account) >= config["MAIL_REQUESTS_PER_ADDRESS"]
        or _attempts(kind, window, ip=client_ip()) >= config["MAIL_REQUESTS_PER_IP"]
    ):
        record(f"{kind}_throttled", actor_email=account[:320])
        return True
    _attempt(kind, account, success=True)
    return False


def login_throttled(email: str, kind: str = "password") -> bool:
    config = current_app.config
    return (
        _failures(kind, account=normalise_email(email)) >= config["LOGIN_MAX_FAILURES_ACCOUNT"]
        or _failures(kind, ip=client_ip()) >= config["LOGIN_MAX_FAILURES_IP"]
    )


def _attempt(kind: str, email: str, success: bool) -> None:
    db.session.add(LoginAttempt(kind=kind, account=normalise_email(email), ip=client_ip(), success=success))


@transactional
def authenticate(email: str, password: str) -> tuple[LoginResult, User | None]:
    """First login step. The caller finishes the login (OK) or asks for the second factor (NEEDS_SECOND_FACTOR)."""
    if login_throttled(email):
        record("login_refused", actor_email=normalise_email(email)[:320])
        return LoginResult.THROTTLED, None
    user = user_by_email(email)
    valid = verify_password(user.password_hash if user and user.password_hash else _dummy_hash(), password)
    if user is None or not valid or not user.active:
        _attempt("password", email, success=False)
        record("login_failed", actor=user, actor_email=normalise_email(email)[:320])
        return LoginResult.BAD, None
    if user.email_verified_at is None:
        return LoginResult.UNVERIFIED, user
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return (LoginResult.NEEDS_SECOND_FACTOR if user.has_second_factor else LoginResult.OK), user


@transactional
def check_totp(user: User, code: str) -> bool:
    """Second login step: a valid code that was not used before; wrong codes are throttled."""
    if login_throttled(user.email, kind="totp"):
        record("login_refused", actor=user, details="Sicherheitscode gesperrt")
        return False
    step = mfa.matching_step(user.totp_secret, code, utcnow())
    if step is None or step <= user.totp_last_step:
        _attempt("totp", user.email, success=False)
        record("totp_failed", actor=user)
        return False
    user.totp_last_step = step
    return True


@transactional
def finish_login(user: User) -> None:
    _attempt("password", user.email, success=True)
    user.last_login_at = utcnow()
    record("login", actor=user)


def _factors_changed(user: User, change: str) -> None:
    """A second factor was added, removed or renewed: the user is told by mail (someone with a stolen session would
    be noticed) and every other session ends (the caller keeps the current one with the new session version)."""
    queue_mail(user.email, "second_factor_changed", change=change)
    user.session_version += 1


def _end_sessions(user: User, action: str, actor: User | None = None, details: str = "") -> None:
    """Invalidate every session of the user (the session version is part of the login id)."""
    user.session_version += 1
    record(action, actor=actor or user, obj=user, details=details)


end_sessions = transactional(_end_sessions)


# --- passwords and second factor ------------------------------------------------------------------


@transactional
def request_password_reset(email: str) -> None:
    """Send a single-use reset link if the account exists (and the address is not throttled); the answer is the
    same either way."""
    if mail_throttled("reset", email):
        return
    user = user_by_email(email)
    if user is None or not user.active:
        return
    raw = _issue_token(user, TokenPurpose.RESET_PASSWORD, current_app.config["RESET_TOKEN_LIFETIME"])
    queue_mail(user.email, "password_reset", link=absolute_url("accounts.reset_password_link", token=raw))
    record("password_reset_requested", actor=user, obj=user)


@transactional
def reset_password(raw: str, password: str) -> User | None:
    token = find_token(raw, TokenPurpose.RESET_PASSWORD)
    if token is None:
        return None
    user = token.user
    _check_password(password, user.name, user.email, user.organisation.name if user.organisation else "")
    _void_tokens(user, TokenPurpose.RESET_PASSWORD)  # this link and every other one sent before
    user.password_hash = hash_password(password)
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()  # the link proved the address
    _password_changed_mail(user)
    _end_sessions(user, "password_reset")
    return user


@transactional
def change_password(user: User, current: str, new: str) -> None:
    if not verify_password(user.password_hash, current):
        raise ServiceError("Das bisherige Passwort ist nicht richtig.", field="current_password")
    _check_password(new, user.name, user.email, user.organisation.name if user.organisation else "")
    user.password_hash = hash_password(new)
    _void_tokens(user, TokenPurpose.RESET_PASSWORD)
    _password_changed_mail(user)
    _end_sessions(user, "password_changed")


def _password_changed_mail(user: User) -> None:
    queue_mail(user.email, "password_changed")


@transactional
def enable_totp(user: User, secret: str, code: str) -> list[str]:
    """Switch the authenticator app on; returns the recovery codes to show once if the user has none left."""
    step = mfa.matching_step(secret, code, utcnow())
    if step is None:
        raise ServiceError(
            "Der Code stimmt nicht. Prüfen Sie die Uhrzeit Ihres Geräts und versuchen Sie es mit dem nächsten Code.",
            field="code",
        )
    user.totp_secret = secret
    user.totp_last_step = step
    record("totp_enabled", actor=user, obj=user)
    _factors_changed(user, "Die Anmeldung mit einer Authenticator-App wurde eingerichtet.")
    return _first_recovery_codes(user)


@transactional
def set_notification_mode(user: User, daily: bool) -> None:
    user.notify_daily = daily


@transactional
def disable_totp(user: User, password: str) -> None:
    if current_app.config["REQUIRE_MFA"] and not user.passkeys:
        raise ServiceError(MFA_REQUIRED)
    if not verify_password(user.password_hash, password):
        raise ServiceError("Das Passwort ist nicht richtig.", field="password")
    user.totp_secret = ""
    user.totp_last_step = 0
    record("totp_disabled", actor=user, obj=user)
    _factors_changed(user, "Die Anmeldung mit einer Authenticator-App wurde ausgeschaltet.")
    _forget_recovery_codes_without_factor(user)


def _forget_recovery_codes_without_factor(user: User) -> None:
    """Without app or passkey the recovery codes stand in for nothing: they go, and the next factor brings new
    ones."""
    if not user.has_second_factor:
        user.recovery_codes.clear()


# --- recovery codes ---------------------------------------------------------------------------------


def _issue_recovery_codes(user: User) -> list[str]:
    """New recovery codes in place of all earlier ones; only their digests are kept."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.expire(user, ["recovery_codes"])
    codes = mfa.new_recovery_codes()
    db.session.add_all(RecoveryCode(user=user, code_hash=mfa.recovery_digest(code)) for code in codes)
    record("recovery_codes_created", actor=user, obj=user, details=f"{len(codes)} Codes")
    return codes


def _first_recovery_codes(user: User) -> list[str]:
    """Recovery codes with the first second factor; none (an empty list) if unused ones are left."""
    return [] if user.recovery_codes_left else _issue_recovery_codes(user)


@transactional
def regenerate_recovery_codes(user: User, password: str) -> list[str]:
    if not verify_password(user.password_hash, password):
        raise ServiceError("Das Passwort ist nicht richtig.", field="password")
    if not user.has_second_factor:
        raise ServiceError("Richten Sie zuerst eine Authenticator-App oder einen Passkey ein.")
    _factors_changed(user, "Es wurden neue Wiederherstellungscodes erzeugt; die bisherigen gelten nicht mehr.")
    return _issue_recovery_codes(user)


@transactional
def use_recovery_code(user: User, code: str) -> bool:
    """Second login step with a recovery code instead of the app or passkey: each code works once."""
    if login_throttled(user.email, kind="recovery"):
        record("login_refused", actor=user, details="Wiederherstellungscode gesperrt")
        return False
    digest = mfa.recovery_digest(code)
    match = next((item for item in user.recovery_codes if item.code_hash == digest and item.used_at is None), None)
    if match is None:
        _attempt("recovery", user.email, success=False)
        record("recovery_code_failed", actor=user)
        return False
    match.used_at = utcnow()
    record("recovery_code_used", actor=user, obj=user, details=f"noch {user.recovery_codes_left} übrig")
    return True


# --- passkeys -------------------------------------------------------------------------------------


def passkey_handle(user: User) -> bytes:
    """The WebAuthn user handle: the account's number, nothing personal."""
    return str(user.id).encode()


@transactional
def add_passkey(user: User, name: str, credential: passkeys.NewCredential) -> None:
    """Store a registered passkey (the caller leads a user without recovery codes to create them)."""
    if db.session.scalar(select(Passkey.id).where(Passkey.credential_id == credential.credential_id)):
        raise ServiceError("Dieser Passkey ist schon gespeichert.")
    passkey = Passkey(
        user=user,
        name=name,
        credential_id=credential.credential_id,
        public_key_cose=credential.public_key,
        sign_count=credential.sign_count,
    )
    db.session.add(passkey)
    db.session.flush()
    record("passkey_added", actor=user, obj=user, details=name)
    _factors_changed(user, f"Der Passkey „{name}“ wurde hinzugefügt.")


@transactional
def delete_passkey(user: User, passkey: Passkey) -> None:
    if current_app.config["REQUIRE_MFA"] and not user.has_totp and len(user.passkeys) == 1:
        raise ServiceError(MFA_REQUIRED)
    user.passkeys.remove(passkey)
    record("passkey_deleted", actor=user, obj=user, details=passkey.name)
    _factors_changed(user, f"Der Passkey „{passkey.name}“ wurde gelöscht.")
    _forget_recovery_codes_without_factor(user)


@transactional
def sign_in_with_passkey(response: dict[str, Any], challenge: str, pending: User | None) -> User | None:
    """The user whose passkey answered the challenge: the pending user's own (second factor after the password) or
    any passkey of an active, verified account (sign-in without password). None if anything does not fit."""
    credential_id = passkeys.credential_id_of(response)
    passkey = (
        db.session.scalar(select(Passkey).where(Passkey.credential_id == credential_id)) if credential_id else None
    )
    user = passkey.user if passkey else None
    if passkey is None or user is None or (pending is not None and user.id != pending.id):
        record("passkey_failed", actor=pending, details="unbekannter Passkey")
        return None
    if not user.active or user.email_verified_at is None:
        record("passkey_failed", actor=user, details="Konto nicht aktiv")
        return None
    count = passkeys.verify_assertion(response, challenge, passkey.public_key_cose, passkey.sign_count)
    if count is None:
        record("passkey_failed", actor=user, details=passkey.name)
        return None
    passkey.sign_count, passkey.last_used_at = count, utcnow()
    record("passkey_used", actor=user, details=passkey.name)
    return user


@transactional
def reset_second_factor(actor: User, user: User) -> None:
    """An administrator (or the organisation's admin) removes app, passkeys and recovery codes of a user who lost
    them: the user is told by mail, every session ends, the next sign-in leads to a new set-up."""
    if user.id == actor.id:
        raise ServiceError("Ihre eigene Zwei-Faktor-Anmeldung können Sie nicht zurücksetzen.")
    if not (user.has_second_factor or user.recovery_codes):
        raise ServiceError(f"{user.name} hat keine Zwei-Faktor-Anmeldung eingerichtet.")
    user.totp_secret, user.totp_last_step = "", 0
    user.passkeys.clear()
    user.recovery_codes.clear()
    queue_mail(user.email, "second_factor_reset", actor_name=actor.name, link=absolute_url("accounts.login"))
    _end_sessions(user, "second_factor_reset", actor=actor)


# --- organisations and users (staff, admin, provider admin) ---------------------------------------


def _org_refusal(action: str, current: str) -> str:
    target = ORG_STATUS_LABELS[OrgStatus(action)]
    return f"Eine Organisation im Status „{current}“ kann nicht in den Status „{target}“ wechseln."


# An organisation's action is named after the status it leads to.
ORGANISATIONS = Workflow(
    {
        ("verified", OrgStatus.PENDING): OrgStatus.VERIFIED,
        ("suspended", OrgStatus.PENDING): OrgStatus.SUSPENDED,
        ("suspended", OrgStatus.VERIFIED): OrgStatus.SUSPENDED,
        ("verified", OrgStatus.SUSPENDED): OrgStatus.VERIFIED,
    },
    ORG_STATUS_LABELS,
    audit=lambda _action: "organisation_status",
    stamps={OrgStatus.VERIFIED: "verified_at"},
    refusal=_org_refusal,
)


@transactional
def set_organisation_status(actor: User, organisation: Organisation, status: OrgStatus, reason: str = "") -> None:
    ORGANISATIONS.require(status.value, organisation)
    if status == OrgStatus.SUSPENDED and not reason.strip():
        raise ServiceError("Bitte geben Sie einen Grund für die Sperrung an.", field="reason")
    ORGANISATIONS.move(organisation, status.value, actor, reason.strip())
    organisation.status_reason = reason.strip()
    _mail_org_admins(
        organisation,
        "organisation_status",
        status_label=ORG_STATUS_LABELS[status],
        verified=status == OrgStatus.VERIFIED,
        reason=reason.strip(),
        link=absolute_url("home.index"),
    )


def _mail_org_admins(organisation: Organisation, name: MailName, /, **context: Any) -> None:
    for user in organisation.users:
        if user.is_org_admin and user.active:
            queue_mail(user.email, name, **context)


@transactional
def update_organisation(
    actor: User, organisation: Organisation, data: Mapping[str, Any], version: int
) -> OrganisationChange | None:
    """Save the provider's data. Once the organisation has been reviewed, a change of its public data is not
    applied but waits for staff (returned); the public site keeps the confirmed data until then."""
    check_version(organisation, version)
    _check_unique_name(data["name"], organisation.id)
    direct = dict(data)
    change = None
    if organisation.status != OrgStatus.PENDING:  # a pending organisation's data is all reviewed at confirmation
        public = {key: direct.pop(key) for key in PUBLIC_FIELD_LABELS}
        change = _propose_public_change(actor, organisation, public)
    changed = sorted(key for key, value in direct.items() if getattr(organisation, key) != value)
    for key in changed:
        setattr(organisation, key, direct[key])
    record("organisation_updated", actor=actor, obj=organisation, details=", ".join(changed))
    return change


def _check_unique_name(name: str, organisation_id: int) -> None:
    duplicate = db.session.scalar(
        select(Organisation).where(func.lower(Organisation.name) == name.lower(), Organisation.id != organisation_id)
    )
    if duplicate:
        raise ServiceError("Eine andere Organisation trägt bereits diesen Namen.", field="name")


def _propose_public_change(
    actor: User, organisation: Organisation, public: Mapping[str, str]
) -> OrganisationChange | None:
    """Open (or update) the change that waits for staff; public data back as confirmed withdraws it."""
    change = open_change(organisation.id)
    if all(getattr(organisation, key) == value for key, value in public.items()):
        if change is not None:
            ORGANISATION_CHANGES.move(change, ChangeStatus.WITHDRAWN.value, actor)
        return None
    if change is not None and all(getattr(change, key) == value for key, value in public.items()):
        return change  # saved again unchanged
    if change is None:
        change = OrganisationChange(organisation=organisation)
        db.session.add(change)
    for key, value in public.items():
        setattr(change, key, value)
    change.requested_by, change.requested_at = actor, utcnow()
    db.session.flush()
    record("organisation_change_requested", actor=actor, obj=organisation, details=change.summary)
    notify_staff(
        "organisation_change_requested",
        organisation_name=organisation.name,
        link=absolute_url("accounts.organisation_detail", org_id=organisation.id),
    )
    return change


def _describe_change(change: OrganisationChange, move: Move[ChangeStatus]) -> str:
    return f"{move.path}: {change.summary}{move.because}"


ORGANISATION_CHANGES = Workflow(
    {
        (ChangeStatus.CONFIRMED.value, ChangeStatus.PENDING): ChangeStatus.CONFIRMED,
        (ChangeStatus.REFUSED.value, ChangeStatus.PENDING): ChangeStatus.REFUSED,
        (ChangeStatus.WITHDRAWN.value, ChangeStatus.PENDING): ChangeStatus.WITHDRAWN,
    },
    CHANGE_STATUS_LABELS,
    audit=lambda action: f"organisation_change_{action}",
    subject=lambda change: change.organisation,
    describe=_describe_change,
    stamps=dict.fromkeys((ChangeStatus.CONFIRMED, ChangeStatus.REFUSED, ChangeStatus.WITHDRAWN), "decided_at"),
    refusal=lambda _action, current: f"Über diese Änderung ist schon entschieden: {current}.",
)


@transactional
def decide_organisation_change(actor: User, change: OrganisationChange, status: ChangeStatus, reason: str = "") -> None:
    """Staff confirm a change of public data (the organisation takes it over) or refuse it with a reason."""
    ORGANISATION_CHANGES.require(status.value, change)
    if status == ChangeStatus.WITHDRAWN:
        raise ServiceError("Nur die Organisation selbst kann ihre Änderung zurücknehmen.")
    if status == ChangeStatus.REFUSED and not reason.strip():
        raise ServiceError("Bitte geben Sie einen Grund für die Ablehnung an.", field="reason")
    organisation = change.organisation
    if status == ChangeStatus.CONFIRMED:
        _check_unique_name(change.name, organisation.id)  # another organisation may have taken it since
    differences = change.differences
    ORGANISATION_CHANGES.move(change, status.value, actor, reason.strip())
    change.decided_by_id, change.reason = actor.id, reason.strip()
    if status == ChangeStatus.CONFIRMED:
        for key in PUBLIC_FIELD_LABELS:
            setattr(organisation, key, getattr(change, key))
    _mail_org_admins(
        organisation,
        "organisation_change_decided",
        confirmed=status == ChangeStatus.CONFIRMED,
        fields=", ".join(label for label, _old, _new in differences),
        reason=reason.strip(),
        link=absolute_url("accounts.own_organisation"),
    )


@transactional
def change_role(actor: User, user: User, role: Role) -> None:
    if user.id == actor.id:
        raise ServiceError("Sie können Ihre eigene Rolle nicht ändern.", field="role")
    if user.is_provider or role == Role.PROVIDER:
        raise ServiceError("Träger-Konten und ARGE-Konten können nicht ineinander umgewandelt werden.", field="role")
    previous = user.role
    user.role = role
    _end_sessions(user, "role_changed", actor=actor, details=f"{previous.value} → {role.value}")


@transactional
def set_active(actor: User, user: User, active: bool) -> None:
    if user.id == actor.id:
        raise ServiceError("Sie können Ihr eigenes Konto nicht deaktivieren.")
    user.active = active
    _end_sessions(user, "user_reactivated" if active else "user_deactivated", actor=actor)
