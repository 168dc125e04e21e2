"""Administration of users: list, roles, deactivation."""

from __future__ import annotations

import pytest

from portal.accounts.models import Role
from tests.accounts.helpers import BAD_LOGIN, audit, location, sign_in, text


def change_role(client, user_id, role):
    return client.post(f"/portal/benutzer/{user_id}/rolle", data={"role": role})


def flashed(client):
    return text(client.get("/portal/benutzer"))


def test_the_admin_lists_and_filters_users(admin_client, factories):
    staff = factories.staff(name="Stefan Sachs")
    provider = factories.provider(name="Paula Träger")

    everyone = text(admin_client.get("/portal/benutzer"))
    only_staff = text(admin_client.get("/portal/benutzer?rolle=staff"))

    assert staff.name in everyone
    assert provider.name in everyone
    assert provider.organisation.name in everyone
    assert staff.name in only_staff
    assert provider.name not in only_staff
    assert provider.name in text(admin_client.get("/portal/benutzer?rolle=unsinn"))


def test_the_admin_changes_a_staff_role(admin_client, factories):
    staff = factories.staff()

    assert location(change_role(admin_client, staff.id, "approver")) == "/portal/benutzer"

    assert staff.role == Role.APPROVER
    assert "hat jetzt die Rolle „Teamleitung“" in flashed(admin_client)
    assert audit("role_changed")[-1].details == "staff → approver"


def test_the_admin_cannot_change_the_own_role(admin_client, admin):
    change_role(admin_client, admin.id, "staff")

    assert "Sie können Ihre eigene Rolle nicht ändern." in flashed(admin_client)
    assert admin.role == Role.ADMIN


@pytest.mark.parametrize("role", ["staff", "provider"])
def test_provider_accounts_and_arge_accounts_are_not_converted(admin_client, factories, role):
    provider = factories.provider()

    change_role(admin_client, provider.id, role)

    assert provider.role == Role.PROVIDER


def test_converting_a_provider_gives_a_german_message(admin_client, factories):
    provider = factories.provider()

    change_role(admin_client, provider.id, "admin")

    assert "Träger-Konten und ARGE-Konten können nicht ineinander umgewandelt werden." in flashed(admin_client)


def test_the_admin_deactivates_and_reactivates_a_user(app, admin_client, factories):
    user = factories.staff()
    toggle = f"/portal/benutzer/{user.id}/aktiv"

    assert location(admin_client.post(toggle)) == "/portal/benutzer"
    assert not user.active
    assert BAD_LOGIN in text(sign_in(app.test_client(), user.email))

    admin_client.post(toggle)
    assert user.active
    assert location(sign_in(app.test_client(), user.email)) == "/portal/"


def test_the_admin_cannot_deactivate_themself(admin_client, admin):
    admin_client.post(f"/portal/benutzer/{admin.id}/aktiv")

    assert "Sie können Ihr eigenes Konto nicht deaktivieren." in flashed(admin_client)
    assert admin.active


def test_unknown_users_are_not_found(admin_client):
    assert change_role(admin_client, 999999, "staff").status_code == 404
    assert admin_client.post("/portal/benutzer/999999/aktiv").status_code == 404


@pytest.mark.parametrize("role", [Role.STAFF, Role.APPROVER, Role.PROVIDER])
def test_only_admins_manage_users(client, factories, login, role):
    other = factories.staff()
    user = factories.user(role)
    login(user)

    assert client.get("/portal/benutzer").status_code == 403
    assert change_role(client, other.id, "admin").status_code == 403
    assert client.post(f"/portal/benutzer/{other.id}/aktiv").status_code == 403
    assert client.get("/portal/benutzer/einladen").status_code == 403
    assert (other.role, other.active) == (Role.STAFF, True)
    assert len(audit("authorisation_failed")) == 4
