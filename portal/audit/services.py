"""Writing to the audit log, always inside the caller's transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import has_request_context, request
from sqlalchemy import insert, select

from portal.audit.models import AuditEntry
from portal.extensions import db

if TYPE_CHECKING:
    from portal.accounts.models import User

ACTION_LABELS = {
    "login": "Anmeldung",
    "login_failed": "Fehlgeschlagene Anmeldung",
    "login_refused": "Anmeldung gesperrt",
    "totp_failed": "Falscher Sicherheitscode",
    "logout": "Abmeldung",
    "authorisation_failed": "Zugriff verweigert",
    "registered": "Registrierung",
    "email_verified": "E-Mail-Adresse bestätigt",
    "password_reset_requested": "Passwort-Zurücksetzen angefordert",
    "register_throttled": "Registrierung ohne E-Mail (zu viele Anfragen)",
    "reset_throttled": "Passwort-Zurücksetzen ohne E-Mail (zu viele Anfragen)",
    "password_reset": "Passwort zurückgesetzt",
    "password_changed": "Passwort geändert",
    "totp_enabled": "Zwei-Faktor-Anmeldung eingerichtet",
    "totp_disabled": "Zwei-Faktor-Anmeldung ausgeschaltet",
    "user_created": "Konto angelegt",
    "user_invited": "Einladung verschickt",
    "invitation_to_existing_account": "Einladung an ein bestehendes Konto (Inhaber per E-Mail informiert)",
    "invitation_accepted": "Einladung angenommen",
    "role_changed": "Rolle geändert",
    "user_deactivated": "Konto deaktiviert",
    "user_reactivated": "Konto reaktiviert",
    "organisation_status": "Status der Organisation geändert",
    "organisation_updated": "Daten der Organisation geändert",
    "organisation_change_requested": "Änderung der öffentlichen Angaben beantragt",
    "organisation_change_confirmed": "Änderung der öffentlichen Angaben bestätigt",
    "organisation_change_refused": "Änderung der öffentlichen Angaben abgelehnt",
    "organisation_change_withdrawn": "Änderung der öffentlichen Angaben zurückgenommen",
    "offer_created": "Angebot angelegt",
    "offer_submit": "Eingereicht",
    "offer_take": "Zur Prüfung übernommen",
    "offer_request_changes": "Änderungen erbeten",
    "offer_first_approve": "Erste Freigabe",
    "offer_approve": "Genehmigt",
    "offer_reject": "Abgelehnt",
    "offer_withdraw": "Zurückgezogen",
    "offer_supersede": "Durch neue Fassung ersetzt",
    "offer_revision_started": "Änderung begonnen",
    "offer_ended": "Angebot beendet",
    "offer_occupancy": "Belegung geändert",  # entries from before occupancy was counted from the assignments
    "offer_certificate": "Bescheinigung hochgeladen",
    "budget_set": "Budget festgelegt",
    "budget_override": "Budget mit Begründung überschritten",
    "budget_released": "Budget eines vorzeitig beendeten Angebots freigegeben",
    "publish_started": "Veröffentlichung der Website gestartet",
    "retention_purge": "Daten nach Ablauf der Aufbewahrungsfrist gelöscht",
}


def client_ip() -> str:
    """The client's address as the (optionally proxy-fixed) request reports it."""
    return (request.remote_addr or "") if has_request_context() else "cli"


def record(
    action: str,
    actor: User | None = None,
    obj: Any = None,
    details: str = "",
    actor_email: str = "",
) -> AuditEntry:
    """Add an audit entry to the current transaction; the caller commits."""
    entry = AuditEntry(**_values(action, actor, obj, details, actor_email))
    db.session.add(entry)
    return entry


def record_now(action: str, actor: User, obj: Any, details: str) -> None:
    """Write an audit entry at once, in the current transaction, past the ORM's unit of work (a third cheaper): for
    the entries written with every page that shows participant data. The caller commits."""
    entries = AuditEntry.metadata.tables[AuditEntry.__tablename__]
    db.session.execute(insert(entries), _values(action, actor, obj, details, ""))  # a Core insert: no ORM flush


def _values(action: str, actor: User | None, obj: Any, details: str, actor_email: str) -> dict[str, Any]:
    return {
        "actor_id": actor.id if actor else None,
        "actor_email": actor.email if actor else actor_email,
        "actor_role": actor.role if actor else "",
        "action": action,
        "object_type": type(obj).__name__ if obj is not None else "",
        "object_id": str(getattr(obj, "id", "") or "") if obj is not None else "",
        "ip": client_ip(),
        "details": details.replace("\x00", "\ufffd")[:2000],  # PostgreSQL stores no NUL, e.g. from a requested path
    }


def recent_entries(action: str = "", limit: int = 200) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if action:
        query = query.where(AuditEntry.action == action)
    return list(db.session.scalars(query))
