"""docs/security.md 8: every route is classified; anonymous users are sent to login; methods only where declared."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select
from werkzeug.routing import Rule

from portal.access import Access, is_allowed, is_blocked_while_suspended, level_of
from portal.accounts.models import Organisation, OrgStatus, Role
from portal.audit.models import AuditEntry
from portal.extensions import db
from tests.app_helpers import declared_methods, placeholder_values, rules, url_of

A = Access
READ = frozenset({"GET"})
FORM = frozenset({"GET", "POST"})
ACTION = frozenset({"POST"})

# The classification of every endpoint: (access level, methods besides HEAD and OPTIONS).
# A new route, a changed level or a new method fails test_every_rule_is_classified until it is listed here.
ROUTES: dict[str, tuple[Access, frozenset[str]]] = {
    "accounts.accept_invitation": (A.ANONYMOUS, FORM),
    "accounts.account": (A.USER, READ),
    "accounts.add_passkey": (A.USER, ACTION),
    "accounts.delete_passkey": (A.USER, ACTION),
    "accounts.invitation_link": (A.ANONYMOUS, READ),
    "accounts.change_password": (A.USER, FORM),
    "accounts.change_role": (A.ADMIN, ACTION),
    "accounts.edit_organisation": (A.PROVIDER_ADMIN, FORM),
    "accounts.forgot_password": (A.ANONYMOUS, FORM),
    "accounts.invite_colleague": (A.PROVIDER_ADMIN, ACTION),
    "accounts.invite_staff": (A.ADMIN, FORM),
    "accounts.login": (A.ANONYMOUS, FORM),
    "accounts.login_code": (A.ANONYMOUS, FORM),
    "accounts.login_recovery": (A.ANONYMOUS, FORM),
    "accounts.login_setup": (A.ANONYMOUS, FORM),
    "accounts.logout": (A.USER, ACTION),
    "accounts.organisation_change": (A.STAFF, ACTION),
    "accounts.organisation_detail": (A.STAFF, READ),
    "accounts.organisation_status": (A.STAFF, ACTION),
    "accounts.organisations": (A.STAFF, READ),
    "accounts.own_organisation": (A.PROVIDER, READ),
    "accounts.passkey_login": (A.ANONYMOUS, ACTION),
    "accounts.passkey_login_options": (A.ANONYMOUS, ACTION),
    "accounts.passkey_options": (A.USER, ACTION),
    "accounts.recovery_codes": (A.USER, FORM),
    "accounts.register": (A.ANONYMOUS, FORM),
    "accounts.reset_colleague_factor": (A.PROVIDER_ADMIN, ACTION),
    "accounts.reset_password": (A.ANONYMOUS, FORM),
    "accounts.reset_password_link": (A.ANONYMOUS, READ),
    "accounts.reset_user_factor": (A.ADMIN, ACTION),
    "accounts.toggle_colleague": (A.PROVIDER_ADMIN, ACTION),
    "accounts.toggle_user": (A.ADMIN, ACTION),
    "accounts.totp_disable": (A.USER, ACTION),
    "accounts.totp_setup": (A.USER, FORM),
    "accounts.users": (A.ADMIN, READ),
    "accounts.verify_email": (A.ANONYMOUS, FORM),
    "accounts.verify_email_link": (A.ANONYMOUS, READ),
    "accounts.notifications": (A.USER, ACTION),
    "audit.log": (A.ADMIN, READ),
    "budget.actuals": (A.STAFF, READ),
    "budget.export": (A.STAFF, READ),
    "budget.index": (A.STAFF, READ),
    "budget.set_year": (A.APPROVER, ACTION),
    "final_reports.approve": (A.STAFF, ACTION),
    "final_reports.assess": (A.PROVIDER, ACTION),
    "final_reports.assessment": (A.USER, READ),
    "final_reports.correction": (A.STAFF, ACTION),
    "final_reports.index": (A.USER, READ),
    "final_reports.save": (A.PROVIDER, ACTION),
    "final_reports.show": (A.USER, READ),
    "final_reports.start": (A.PROVIDER, ACTION),
    "final_reports.take": (A.STAFF, ACTION),
    "home.index": (A.USER, READ),
    "kern_asset": (A.PUBLIC, READ),
    "offers.certificate": (A.USER, READ),
    "offers.check": (A.PROVIDER, READ),
    "offers.detail": (A.USER, READ),
    "offers.end": (A.PROVIDER, ACTION),
    "offers.index": (A.PROVIDER, READ),
    "offers.new": (A.PROVIDER, FORM),
    "offers.revise": (A.PROVIDER, ACTION),
    "offers.step": (A.PROVIDER, FORM),
    "offers.submit": (A.PROVIDER, ACTION),
    "offers.withdraw": (A.PROVIDER, ACTION),
    "payments.bank_account": (A.PROVIDER, FORM),
    "payments.bank_accounts": (A.STAFF, READ),
    "payments.create_run": (A.STAFF, ACTION),
    "payments.decide": (A.STAFF, ACTION),
    "payments.download": (A.STAFF, READ),
    "payments.mark_paid": (A.STAFF, ACTION),
    "payments.run": (A.STAFF, READ),
    "payments.runs": (A.STAFF, READ),
    "publishing.site": (A.PUBLIC, READ),
    "assignments.answer": (A.PROVIDER, FORM),
    "assignments.import_upload": (A.STAFF, ACTION),
    "assignments.change": (A.PROVIDER, FORM),
    "assignments.index": (A.STAFF, READ),
    "assignments.new": (A.STAFF, FORM),
    "assignments.upload": (A.STAFF, FORM),
    "reports.decide": (A.STAFF, ACTION),
    "reports.grid": (A.USER, FORM),
    "reports.index": (A.USER, READ),
    "reports.new_event": (A.PROVIDER, FORM),
    "reports.participants": (A.USER, READ),
    "reports.payment_export": (A.STAFF, READ),
    "reports.payments": (A.STAFF, READ),
    "reports.pdf": (A.USER, READ),
    "reports.scan": (A.USER, READ),
    "reports.start": (A.PROVIDER, ACTION),
    "reports.submit": (A.PROVIDER, FORM),
    "reports.upload_scan": (A.PROVIDER, ACTION),
    "settlements.add_receipt": (A.PROVIDER, ACTION),
    "settlements.correction": (A.STAFF, ACTION),
    "settlements.index": (A.USER, READ),
    "settlements.payout": (A.PROVIDER, ACTION),
    "settlements.payout_proof": (A.USER, READ),
    "settlements.pdf": (A.USER, READ),
    "settlements.receipt": (A.USER, READ),
    "settlements.release": (A.STAFF, ACTION),
    "settlements.remove_receipt": (A.PROVIDER, ACTION),
    "settlements.show": (A.USER, READ),
    "settlements.start": (A.PROVIDER, ACTION),
    "settlements.submit": (A.PROVIDER, ACTION),
    "settlements.take": (A.STAFF, ACTION),
    "settlements.third_party": (A.PROVIDER, ACTION),
    "publishing.start": (A.STAFF, ACTION),
    "publishing.status": (A.STAFF, READ),
    "review.approve": (A.STAFF, ACTION),
    "review.detail": (A.STAFF, READ),
    "review.note": (A.STAFF, ACTION),
    "review.queue": (A.STAFF, READ),
    "review.reject": (A.STAFF, ACTION),
    "review.request_changes": (A.STAFF, ACTION),
    "review.take": (A.STAFF, ACTION),
    "static": (A.PUBLIC, READ),
}
# The routes the users of a suspended organisation are refused until it is lifted (participant data, new or
# submitted reports, new offers); the objects' own rules: tests/reports/test_authorisation.py.
BLOCKED_WHILE_SUSPENDED = {
    "assignments.answer",
    "assignments.change",
    "final_reports.assess",
    "final_reports.assessment",
    "final_reports.index",
    "final_reports.save",
    "final_reports.show",
    "final_reports.start",
    "offers.new",
    "payments.bank_account",
    "reports.grid",
    "reports.new_event",
    "reports.participants",
    "reports.pdf",
    "reports.scan",
    "reports.start",
    "reports.submit",
    "reports.upload_scan",
    "settlements.add_receipt",
    "settlements.payout",
    "settlements.payout_proof",
    "settlements.pdf",
    "settlements.receipt",
    "settlements.remove_receipt",
    "settlements.show",
    "settlements.start",
    "settlements.submit",
    "settlements.third_party",
}
OPEN = {A.PUBLIC, A.ANONYMOUS}
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")

# Who may pass each level, written out here on purpose (not imported), so a change in portal/access.py shows.
ROLES = ("provider", "provider_admin", "staff", "approver", "admin")
ALLOWED = {
    A.USER: set(ROLES),
    A.PROVIDER: {"provider", "provider_admin"},
    A.PROVIDER_ADMIN: {"provider_admin"},
    A.STAFF: {"staff", "approver", "admin"},
    A.APPROVER: {"approver", "admin"},
    A.ADMIN: {"admin"},
}


def first_method(rule: Rule) -> str:
    return "GET" if "GET" in declared_methods(rule) else "POST"


@pytest.fixture
def url_values(factories) -> dict[str, object]:
    return placeholder_values(factories)


@pytest.fixture
def role_clients(make_app, factories, login, url_values) -> dict[str, tuple[object, FlaskClient]]:
    """One signed-in client per role, on an app of its own: each request gets a fresh `g` (Flask-Login's user)."""
    users = {
        "provider": factories.provider(),
        "provider_admin": factories.provider(is_org_admin=True),
        "staff": factories.user(Role.STAFF),
        "approver": factories.user(Role.APPROVER),
        "admin": factories.user(Role.ADMIN),
    }
    db.session.commit()  # each request of the second app ends with a fresh database session
    other = make_app()
    clients = {}
    for role, user in users.items():
        clients[role] = (user, other.test_client())
        login(user, test_client=clients[role][1])
    return clients


def denials(user_id: int) -> int:
    query = select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "authorisation_failed", AuditEntry.actor_id == user_id
    )
    return db.session.scalar(query) or 0


def test_every_rule_is_classified(app):
    actual = [(rule.endpoint, level_of(app, rule.endpoint), declared_methods(rule)) for rule in rules(app)]
    wrong = [entry for entry in actual if ROUTES.get(entry[0]) != entry[1:]]
    assert wrong == []
    assert {entry[0] for entry in actual} == set(ROUTES)


def test_every_view_function_has_an_access_level(app):
    assert [endpoint for endpoint in app.view_functions if level_of(app, endpoint) is None] == []


def test_an_unclassified_route_is_refused(app, make_app):
    other = make_app()
    other.add_url_rule("/portal/unklassifiziert", "unclassified", lambda: "geheim")
    response = other.test_client().get("/portal/unklassifiziert")
    assert response.status_code == 403
    assert "geheim" not in response.get_data(as_text=True)


def test_levels_of_unknown_endpoints_and_anonymous_users(app):
    assert level_of(app, None) is None
    assert level_of(app, "gibt.es.nicht") is None
    assert level_of(app, "static") is Access.PUBLIC
    anonymous = AnonymousUserMixin()
    assert [level for level in Access if is_allowed(anonymous, level)] == [A.PUBLIC, A.ANONYMOUS]


@pytest.mark.parametrize(
    ("login_id", "status"),
    [("{id}.1", 200), ("{id}.2", 302), ("x{id}.1", 302), ("999999999.1", 302), ("", 302), ("{inactive}.1", 302)],
    ids=["valid", "old session version", "malformed", "unknown user", "empty", "deactivated"],
)
def test_only_a_session_of_an_active_user_with_the_current_version_signs_in(client, factories, login_id, status):
    user, inactive = factories.provider(), factories.provider(active=False)
    with client.session_transaction() as session:
        session["_user_id"] = login_id.format(id=user.id, inactive=inactive.id)
        session["started"] = session["seen"] = time.time()
    assert client.get("/portal/konto").status_code == status


def test_anonymous_requests_to_protected_routes_are_sent_to_login(app, client, url_values):
    for rule in rules(app):
        if ROUTES[rule.endpoint][0] in OPEN:
            continue
        path = url_of(rule, url_values)
        response = client.open(path, method=first_method(rule))
        assert response.status_code == 302, path
        location = urlsplit(response.headers["Location"])
        assert location.path == "/portal/anmelden", path
        assert parse_qs(location.query) == {"next": [path]}, path


def test_unsafe_methods_only_where_declared(app, client, url_values):
    declared: dict[str, set[str]] = {}  # several endpoints may share one URL (GET shows, POST changes)
    for rule in rules(app):
        declared.setdefault(url_of(rule, url_values), set()).update(ROUTES[rule.endpoint][1])
    for path, methods in declared.items():
        for method in set(UNSAFE) - methods:
            assert client.open(path, method=method).status_code == 405, f"{method} {path}"


def test_roles_outside_the_level_get_403_and_an_audit_entry(app, role_clients, url_values):
    for rule in rules(app):
        level = ROUTES[rule.endpoint][0]
        if level in OPEN:
            continue
        path = url_of(rule, url_values)
        for role in set(ROLES) - ALLOWED[level]:
            user, client = role_clients[role]
            before = denials(user.id)
            response = client.open(path, method=first_method(rule))
            assert response.status_code == 403, f"{role} {path}"
            assert "Kein Zugriff" in response.get_data(as_text=True)
            assert denials(user.id) == before + 1, f"{role} {path}"


def test_allowed_roles_can_open_every_page_of_their_level(app, role_clients):
    """Pages without object ids: pages about one object have their own object-level rules."""
    for rule in rules(app):
        level = ROUTES[rule.endpoint][0]
        if level in OPEN or "GET" not in declared_methods(rule) or rule.arguments:
            continue
        for role in ALLOWED[level]:
            user, client = role_clients[role]
            assert client.get(rule.rule).status_code == 200, f"{role} {rule.rule}"
            assert denials(user.id) == 0


def test_the_routes_blocked_while_suspended_are_listed(app):
    assert {endpoint for endpoint in app.view_functions if is_blocked_while_suspended(app, endpoint)} == (
        BLOCKED_WHILE_SUSPENDED
    )


def test_a_suspended_organisation_gets_the_suspension_page_and_an_audit_entry(app, role_clients, url_values):
    for role in ("provider", "provider_admin"):
        user, client = role_clients[role]
        db.session.get(Organisation, user.organisation_id).status = OrgStatus.SUSPENDED
        db.session.commit()
        for rule in rules(app):
            if rule.endpoint not in BLOCKED_WHILE_SUSPENDED:
                continue
            for method in sorted(declared_methods(rule)):
                before = denials(user.id)
                response = client.open(url_of(rule, url_values), method=method)
                assert response.status_code == 403, f"{role} {method} {rule.rule}"
                assert "Ihre Organisation ist gesperrt" in response.get_data(as_text=True)
                assert denials(user.id) == before + 1
        assert client.get("/portal/").status_code == 200  # the rest of the portal stays open
