"""docs/security.md 26: security events each write one append-only audit entry, in the same transaction."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from portal.accounts.models import LoginAttempt, Organisation, OrgStatus, Role
from portal.audit.models import AppendOnlyError, AuditEntry
from portal.audit.services import record
from portal.extensions import db
from portal.models import utcnow
from tests.app_helpers import refused_inserts
from tests.factories import DEFAULT_PASSWORD

IP = "203.0.113.7"
CLIENT = {"environ_base": {"REMOTE_ADDR": IP}}


def entries(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def assert_one_entry(action: str, actor, obj=None, **fields: str) -> AuditEntry:
    (entry,) = entries(action)
    assert (entry.actor_id, entry.actor_email, entry.actor_role) == (actor.id, actor.email, actor.role)
    assert entry.ip == IP
    assert utcnow() - timedelta(minutes=1) < entry.created_at <= utcnow()
    if obj is not None:
        assert (entry.object_type, entry.object_id) == (type(obj).__name__, str(obj.id))
    for name, value in fields.items():
        assert getattr(entry, name) == value
    return entry


def sign_in(client, email: str, password: str = DEFAULT_PASSWORD):
    return client.post("/portal/anmelden", data={"email": email, "password": password}, **CLIENT)


@pytest.fixture
def entry(app):
    created = record("login", actor_email="someone@example.org")
    db.session.commit()
    return created


# --- one entry per event ---------------------------------------------------------------------------


def test_login_writes_one_entry(client, factories):
    user = factories.provider()
    assert sign_in(client, user.email).status_code == 302
    assert_one_entry("login", user)


def test_failed_login_writes_one_entry(client, factories):
    user = factories.staff()
    sign_in(client, user.email, "ein falsches Passwort")
    assert_one_entry("login_failed", user)
    sign_in(client, "niemand@example.org", "ein falsches Passwort")
    assert [entry.actor_email for entry in entries("login_failed") if entry.actor_id is None] == ["niemand@example.org"]


def test_authorisation_failure_writes_one_entry(client, factories, login):
    user = factories.provider()
    login(user)
    assert client.get("/portal/protokoll", **CLIENT).status_code == 403
    assert_one_entry("authorisation_failed", user, details="GET /portal/protokoll")


def test_status_change_writes_one_entry(client, factories, login):
    staff = factories.user(Role.STAFF)
    organisation = factories.organisation(status=OrgStatus.PENDING)
    login(staff)
    response = client.post(f"/portal/organisationen/{organisation.id}/status/verified", **CLIENT)
    assert response.status_code == 302
    assert_one_entry("organisation_status", staff, organisation, details="pending → verified")


def test_refused_status_change_writes_no_entry(client, factories, login):
    login(factories.user(Role.STAFF))
    organisation = factories.organisation(status=OrgStatus.VERIFIED)
    client.post(f"/portal/organisationen/{organisation.id}/status/verified")
    assert entries("organisation_status") == []


@pytest.mark.parametrize(("proxies", "expected"), [(0, IP), (1, "198.51.100.9")], ids=["direct", "behind proxy"])
def test_forwarded_address_counts_only_behind_a_configured_proxy(make_app, factories, proxies, expected):
    user = factories.provider()
    db.session.commit()  # the second app works in its own database sessions
    client = make_app(TRUSTED_PROXIES=proxies).test_client()
    client.post(
        "/portal/anmelden",
        data={"email": user.email, "password": DEFAULT_PASSWORD},
        headers={"X-Forwarded-For": "198.51.100.9"},
        **CLIENT,
    )
    assert [entry.ip for entry in entries("login")] == [expected]


# --- same transaction ------------------------------------------------------------------------------


def test_an_entry_is_part_of_the_callers_transaction(app):
    record("login", actor_email="someone@example.org")
    db.session.rollback()
    assert entries("login") == []


def test_status_change_is_not_saved_when_its_entry_cannot_be_written(client, factories, login):
    login(factories.user(Role.STAFF))
    organisation = factories.organisation(status=OrgStatus.PENDING)
    with refused_inserts("audit_entries"):
        response = client.post(f"/portal/organisationen/{organisation.id}/status/verified")
        assert response.status_code == 500
        assert db.session.get(Organisation, organisation.id, populate_existing=True).status == OrgStatus.PENDING


def test_failed_login_is_not_counted_without_its_entry(client, factories):
    user = factories.provider()
    with refused_inserts("audit_entries"):
        assert sign_in(client, user.email, "ein falsches Passwort").status_code == 500
        assert db.session.scalars(select(LoginAttempt).where(LoginAttempt.account == user.email)).all() == []


# --- append-only -----------------------------------------------------------------------------------


def test_orm_refuses_to_change_an_entry(entry):
    entry.details = "geändert"
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()


def test_orm_refuses_to_delete_an_entry(entry):
    db.session.delete(entry)
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize(
    "statement",
    [
        text("UPDATE audit_entries SET details = 'geändert'"),
        text("DELETE FROM audit_entries"),
        update(AuditEntry).values(actor_email="jemand-anderes@example.org"),
        delete(AuditEntry),
    ],
    ids=["sql update", "sql delete", "bulk update", "bulk delete"],
)
def test_database_refuses_to_change_or_delete_entries(entry, statement):
    with pytest.raises(DBAPIError, match="append-only"), db.session.begin_nested():
        db.session.execute(statement)
    assert db.session.get(AuditEntry, entry.id, populate_existing=True).actor_email == "someone@example.org"


# --- the log page ----------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, factories, login):
    login(factories.user(Role.ADMIN))
    sign_in(client.application.test_client(), factories.provider().email, "ein falsches Passwort")
    return client


def test_admin_sees_the_log(admin_client):
    page = admin_client.get("/portal/protokoll").get_data(as_text=True)
    assert page.count("<tr><td>") == 2
    assert "Anmeldung</td>" in page
    assert "Fehlgeschlagene Anmeldung</td>" in page
    assert IP in page


def test_admin_filters_the_log(admin_client):
    page = admin_client.get("/portal/protokoll?aktion=login_failed").get_data(as_text=True)
    assert page.count("<tr><td>") == 1
    assert "Fehlgeschlagene Anmeldung</td>" in page
    assert '<option value="login_failed" selected>' in page
    unknown = admin_client.get("/portal/protokoll?aktion=<script>").get_data(as_text=True)
    assert unknown.count("<tr><td>") == 2
    assert "<script>" not in unknown


@pytest.mark.parametrize("role", [Role.PROVIDER, Role.STAFF, Role.APPROVER])
def test_only_admins_see_the_log(client, factories, login, role):
    user = factories.user(role)
    login(user)
    assert client.get("/portal/protokoll").status_code == 403
    assert len(entries("authorisation_failed")) == 1
