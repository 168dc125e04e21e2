"""The `portal users create` and `portal demo-data` commands."""

from __future__ import annotations

import secrets
import string

import pytest
from sqlalchemy import func, select

from portal.accounts.models import Organisation, OrgStatus, Role, User
from portal.config import PASSWORD_HASH_PARAMETERS
from portal.extensions import db
from tests.accounts.helpers import location, sign_in, user_by_email

PASSWORD = "ein sicherer Satz für heute"


def run(app, *args, password=PASSWORD):
    return app.test_cli_runner().invoke(args=list(args), input=f"{password}\n")


def create(app, email, role, *options, password=PASSWORD):
    return run(app, "users", "create", email, "--role", role, *options, "--password-stdin", password=password)


def test_creates_a_verified_staff_account(app, client):
    result = create(app, "Neu@ARGE.example", "staff")

    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Konto angelegt: neu@arge.example (staff)"
    user = user_by_email("neu@arge.example")
    assert (user.role, user.organisation, user.name, user.active) == (Role.STAFF, None, "Neu", True)
    assert user.email_verified_at is not None
    assert location(sign_in(client, "neu@arge.example", PASSWORD)) == "/portal/"


def test_creates_a_provider_account_for_an_organisation(app, factories):
    organisation = factories.organisation(name="Stadtmission e. V.")

    result = create(app, "team@stadtmission.example", "provider", "--org", "Stadtmission e. V.", "--name", "Tom Team")

    assert result.exit_code == 0, result.output
    user = user_by_email("team@stadtmission.example")
    assert (user.organisation, user.name, user.is_org_admin) == (organisation, "Tom Team", False)


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (("provider",), PASSWORD, "Träger-Konten brauchen eine Organisation (--org)."),
        (("provider", "--org", "Gibt es nicht e. V."), PASSWORD, "Organisation „Gibt es nicht e. V.“ nicht gefunden."),
        (("staff",), "zu kurz", "Das Passwort muss mindestens 12 Zeichen lang sein."),
        (("admin",), "mein Jobcenter Passwort", "leicht zu erratenden Wörter"),
    ],
)
def test_refuses_invalid_accounts(app, args, password, message):
    result = create(app, "neu@arge.example", *args, password=password)

    assert result.exit_code == 1
    assert message in result.output
    assert user_by_email("neu@arge.example") is None


def test_refuses_an_existing_address(app, factories):
    existing = factories.staff()

    result = create(app, existing.email.upper(), "admin")

    assert result.exit_code == 1
    assert "Für diese E-Mail-Adresse gibt es bereits ein Konto." in result.output
    assert existing.role == Role.STAFF


def test_needs_the_password_from_stdin_and_a_known_role(app):
    assert run(app, "users", "create", "neu@arge.example", "--role", "staff").exit_code == 2
    assert run(app, "users", "create", "neu@arge.example", "--role", "chef", "--password-stdin").exit_code == 2
    assert user_by_email("neu@arge.example") is None


# --- demo data ------------------------------------------------------------------------------------


def counts():
    return db.session.scalar(select(func.count(User.id))), db.session.scalar(select(func.count(Organisation.id)))


def account_lines(output):
    """(e-mail, role, organisation) of every account line below the header."""
    lines = [line for line in output.splitlines() if "@" in line]
    return [tuple(line.split(maxsplit=2)) for line in lines]


def test_demo_data_is_complete_and_idempotent(app, client):
    first = run(app, "demo-data")
    assert first.exit_code == 0, first.output
    after_first = counts()

    second = run(app, "demo-data")

    assert second.exit_code == 0
    assert counts() == after_first
    accounts = account_lines(second.output)
    assert accounts == account_lines(first.output)
    roles = [role for _email, role, _org in accounts]
    assert {"staff", "approver", "admin"} <= set(roles)
    providers_by_org: dict[str, int] = {}
    for _email, role, org in accounts:
        if role == "provider":
            providers_by_org[org] = providers_by_org.get(org, 0) + 1
    statuses = {
        name: db.session.scalar(select(Organisation.status).where(Organisation.name == name))
        for name in providers_by_org
    }
    verified = [name for name, status in statuses.items() if status == OrgStatus.VERIFIED]
    assert len([name for name in verified if providers_by_org[name] >= 2]) >= 2
    assert OrgStatus.PENDING in statuses.values()
    email, _role, _org = accounts[0]
    assert location(sign_in(client, email, app.config["DEMO_PASSWORD"])) == "/portal/"


def test_demo_data_is_refused_in_production(app, make_app):
    before = counts()
    strong_key = "x" * 10 + "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(40))
    production = make_app(
        PORTAL_ENV="production", SECRET_KEY=strong_key, PASSWORD_HASH_PARAMETERS=PASSWORD_HASH_PARAMETERS
    )

    with production.app_context():
        result = production.test_cli_runner().invoke(args=["demo-data"])
        assert result.exit_code == 1
        assert "Demo-Daten sind in Produktion nicht erlaubt." in result.output
        assert counts() == before
