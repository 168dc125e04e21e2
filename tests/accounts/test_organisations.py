"""Organisation data: the provider admin edits it, staff review it, other providers never reach it."""

from __future__ import annotations

import pytest

from portal.accounts.models import OrgStatus
from portal.errors import ConflictError
from tests.accounts.helpers import audit, edit_data, location, text

EDIT = "/portal/organisation/bearbeiten"
IBAN = "DE89370400440532013000"


@pytest.fixture
def org_admin(factories, login):
    """A signed-in provider admin of a verified organisation."""
    user = factories.provider(is_org_admin=True)
    login(user)
    return user


def test_the_edit_form_shows_the_current_data_and_version(client, org_admin):
    page = text(client.get(EDIT))

    assert f'value="{org_admin.organisation.name}"' in page
    assert f'name="version" type="hidden" value="{org_admin.organisation.version_id}"' in page


def test_the_provider_admin_edits_the_organisation(client, org_admin):
    organisation = org_admin.organisation
    version = organisation.version_id

    response = client.post(EDIT, data=edit_data(organisation, street="Neue Straße 7", city="Neustadt"))

    assert location(response) == "/portal/organisation"
    assert (organisation.street, organisation.city) == ("Neue Straße 7", "Neustadt")
    assert organisation.version_id == version + 1
    assert "city" in audit("organisation_updated")[-1].details
    assert "Neue Straße 7" in text(client.get("/portal/organisation"))


@pytest.mark.parametrize("version", ["stale", "", "abc", "9" * 5000])
def test_an_outdated_form_changes_nothing(client, org_admin, version):
    organisation = org_admin.organisation
    stale = edit_data(organisation, city="Altstadt")
    client.post(EDIT, data=edit_data(organisation, city="Neustadt"))
    if version != "stale":
        stale["version"] = version

    response = client.post(EDIT, data=stale)

    assert response.status_code == 200
    assert ConflictError().message in text(response)
    assert organisation.city == "Neustadt"


def test_another_organisations_name_cannot_be_taken(client, factories, org_admin):
    factories.organisation(name="Diakonie Nord e. V.")

    page = text(client.post(EDIT, data=edit_data(org_admin.organisation, name="diakonie nord e. v.")))

    assert "Eine andere Organisation trägt bereits diesen Namen." in page


def test_extra_fields_in_the_edit_form_are_ignored(client, factories, login):
    organisation = factories.organisation(status=OrgStatus.PENDING)
    login(factories.provider(organisation=organisation, is_org_admin=True))

    data = edit_data(organisation, status="verified", status_reason="", verified_at="2020-01-01", id="1")
    client.post(EDIT, data=data)

    assert organisation.status == OrgStatus.PENDING
    assert organisation.verified_at is None


def test_a_provider_without_admin_rights_cannot_edit(client, factories, login):
    user = factories.provider()
    login(user)
    city = user.organisation.city

    assert client.get(EDIT).status_code == 403
    assert client.post(EDIT, data=edit_data(user.organisation, city="Anderswo")).status_code == 403
    assert user.organisation.city == city
    assert audit("authorisation_failed")[-1].actor_id == user.id


def test_own_users_see_the_iban_and_staff_too(client, factories, login):
    user = factories.provider()
    login(user)
    assert IBAN in text(client.get("/portal/organisation"))
    client.post("/portal/abmelden")

    login(factories.staff())

    assert IBAN in text(client.get(f"/portal/organisationen/{user.organisation_id}"))


def test_private_data_is_for_own_users_and_staff(factories):
    organisation = factories.organisation()

    assert organisation.can_view_private(factories.provider(organisation=organisation))
    assert organisation.can_view_private(factories.staff())
    assert not organisation.can_view_private(factories.provider())


def test_provider_b_cannot_open_organisation_a(client, factories, login):
    organisation_a = factories.organisation()
    provider_b = factories.provider(is_org_admin=True)
    login(provider_b)

    response = client.get(f"/portal/organisationen/{organisation_a.id}")

    assert response.status_code == 403
    assert IBAN not in text(response)
    assert client.get("/portal/organisationen").status_code == 403
    assert client.post(f"/portal/organisationen/{organisation_a.id}/status/suspended").status_code == 403
    assert organisation_a.status == OrgStatus.VERIFIED
    assert [entry.actor_id for entry in audit("authorisation_failed")] == [provider_b.id] * 3


def test_provider_b_cannot_switch_off_colleagues_of_a_by_guessing_ids(client, factories, login):
    colleague_a = factories.provider()
    provider_b = factories.provider(is_org_admin=True)
    login(provider_b)

    for user_id in (colleague_a.id, 999999):
        assert client.post(f"/portal/organisation/mitarbeitende/{user_id}/aktiv").status_code == 403

    assert colleague_a.active
    assert [entry.details for entry in audit("authorisation_failed")] == [
        f"user {colleague_a.id}",
        "user 999999",
    ]


def test_the_provider_admin_switches_colleagues_off_and_on(client, factories, org_admin):
    colleague = factories.provider(organisation=org_admin.organisation)
    toggle = f"/portal/organisation/mitarbeitende/{colleague.id}/aktiv"

    assert location(client.post(toggle)) == "/portal/organisation"
    assert not colleague.active
    assert "deaktiviert" in text(client.get("/portal/organisation"))
    client.post(toggle)
    assert colleague.active
    assert [entry.action for entry in audit("user_deactivated") + audit("user_reactivated")] == [
        "user_deactivated",
        "user_reactivated",
    ]


def test_the_provider_admin_cannot_switch_themself_off(client, org_admin):
    client.post(f"/portal/organisation/mitarbeitende/{org_admin.id}/aktiv")

    assert org_admin.active
    assert "Sie können Ihr eigenes Konto nicht deaktivieren." in text(client.get("/portal/organisation"))


def test_staff_filter_organisations_by_status(client, factories, login):
    pending = factories.organisation(name="Wartet e. V.", status=OrgStatus.PENDING)
    factories.organisation(name="Geprüft e. V.")
    login(factories.staff())

    filtered = text(client.get("/portal/organisationen?status=pending"))
    everything = text(client.get("/portal/organisationen?status=unsinn"))

    assert "Wartet e. V." in filtered
    assert "Geprüft e. V." not in filtered
    assert f"/portal/organisationen/{pending.id}" in filtered
    assert "Wartet e. V." in everything
    assert "Geprüft e. V." in everything
    assert "Keine Organisationen gefunden." in text(client.get("/portal/organisationen?status=suspended"))


def test_staff_get_not_found_for_unknown_organisations(client, factories, login):
    login(factories.staff())

    assert client.get("/portal/organisationen/999999").status_code == 404


def test_anonymous_visitors_are_sent_to_the_login(client, factories):
    organisation = factories.organisation()

    for path in ("/portal/organisation", f"/portal/organisationen/{organisation.id}", EDIT):
        assert location(client.get(path)).startswith("/portal/anmelden?next=")
