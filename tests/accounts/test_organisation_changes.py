"""A reviewed organisation's public data (name, website, public contact) changes only once staff confirm it; until
then the public site keeps the confirmed data. The other data the provider admin changes at once."""

from __future__ import annotations

import pytest

from portal.accounts.models import ChangeStatus, OrganisationChange, OrgStatus
from portal.accounts.queries import open_change
from portal.extensions import db
from portal.publishing.snapshot import take_snapshot
from tests.accounts.helpers import audit, edit_data, location, subjects, text

EDIT = "/portal/organisation/bearbeiten"
NEW_NAME = "Umbenannt gGmbH"
NEW_SITE = "https://umbenannt.example"


@pytest.fixture
def org_admin(factories, login):
    user = factories.provider(is_org_admin=True)
    login(user)
    return user


@pytest.fixture
def published(factories, org_admin):
    """A live offer of the organisation, so that its data is on the public site."""
    return factories.live_offer(org_admin.organisation)


@pytest.fixture
def desk(app, staff, login):
    """A browser of its own in which staff are signed in."""
    browser = app.test_client()
    login(staff, test_client=browser)
    return browser


def public_provider(offer) -> tuple[str, str]:
    [data] = [item for item in take_snapshot(db.session())["offers"] if item["id"] == offer.id]
    return data["provider"], data["provider_website"]


def propose(client, organisation, **public):
    data = {"name": NEW_NAME, "website": NEW_SITE, "city": "Neustadt", **public}
    return client.post(EDIT, data=edit_data(organisation, **data))


def test_a_change_of_public_data_waits_for_staff(client, org_admin, published, staff, mailbox):
    organisation = org_admin.organisation
    old_name = organisation.name

    response = propose(client, organisation)

    assert location(response) == "/portal/organisation"
    assert (organisation.name, organisation.website, organisation.city) == (old_name, "", "Neustadt")
    assert public_provider(published) == (old_name, "")
    change = open_change(organisation.id)
    assert change is not None
    assert (change.name, change.website, change.requested_by_id) == (NEW_NAME, NEW_SITE, org_admin.id)
    page = text(client.get("/portal/organisation"))
    assert "sobald die ARGE sie bestätigt hat" in page
    assert "wartet auf die Bestätigung der ARGE" in page
    assert f"neu: {NEW_NAME}" in page
    assert f'value="{NEW_NAME}"' in text(client.get(EDIT))  # the form keeps what is proposed
    assert audit("organisation_change_requested")[-1].details == f"Name: „{NEW_NAME}“, Website: „{NEW_SITE}“"
    assert subjects(mailbox, staff.email) == [f"Änderung der öffentlichen Angaben: {old_name}"]


def test_staff_confirm_and_the_public_data_changes(client, desk, org_admin, published, staff, mailbox):
    organisation = org_admin.organisation
    propose(client, organisation)
    change = open_change(organisation.id)
    assert change is not None
    detail = text(desk.get(f"/portal/organisationen/{organisation.id}"))
    assert "Änderung bestätigen" in detail
    assert f"/portal/organisationsaenderungen/{change.id}/confirmed" in detail
    home = text(desk.get("/portal/"))
    assert "Änderungen öffentlicher Angaben, die auf Bestätigung warten" in home
    assert f"/portal/organisationen/{organisation.id}" in home

    response = desk.post(f"/portal/organisationsaenderungen/{change.id}/confirmed")

    assert location(response) == f"/portal/organisationen/{organisation.id}"
    db.session.refresh(organisation)
    assert (organisation.name, organisation.website) == (NEW_NAME, NEW_SITE)
    assert public_provider(published) == (NEW_NAME, NEW_SITE)
    assert (change.status, change.decided_by_id) == (ChangeStatus.CONFIRMED, staff.id)
    assert open_change(organisation.id) is None
    [entry] = audit("organisation_change_confirmed")
    assert (entry.actor_id, entry.object_id) == (staff.id, str(organisation.id))
    assert subjects(mailbox, org_admin.email)[-1] == "Änderung Ihrer öffentlichen Angaben: bestätigt"
    repeated = desk.post(f"/portal/organisationsaenderungen/{change.id}/refused", data={"change-reason": "x"})
    assert "Über diese Änderung ist schon entschieden: Bestätigt." in text(repeated)


def test_staff_refuse_with_a_reason_and_the_public_data_stays(client, desk, org_admin, published, mailbox):
    organisation = org_admin.organisation
    old_name = organisation.name
    propose(client, organisation)
    change = open_change(organisation.id)
    assert change is not None
    url = f"/portal/organisationsaenderungen/{change.id}/refused"

    without = desk.post(url, data={"change-reason": "  "})
    assert "Bitte geben Sie einen Grund für die Ablehnung an." in text(without)
    assert change.status == ChangeStatus.PENDING

    desk.post(url, data={"change-reason": "Bitte reichen Sie die geänderte Satzung ein."})

    db.session.refresh(organisation)
    assert (organisation.name, change.status) == (old_name, ChangeStatus.REFUSED)
    assert public_provider(published) == (old_name, "")
    assert "Satzung" in audit("organisation_change_refused")[-1].details
    assert "Grund: Bitte reichen Sie die geänderte Satzung ein." in mailbox.last_body(org_admin.email)


def test_one_open_change_is_updated_and_withdrawn_by_going_back(client, org_admin):
    organisation = org_admin.organisation
    propose(client, organisation)
    propose(client, organisation, name="Noch einmal anders e. V.")
    changes = db.session.query(OrganisationChange).filter_by(organisation_id=organisation.id).all()
    assert [(change.name, change.status) for change in changes] == [("Noch einmal anders e. V.", ChangeStatus.PENDING)]

    client.post(EDIT, data=edit_data(organisation))  # the confirmed data again

    assert changes[0].status == ChangeStatus.WITHDRAWN
    assert open_change(organisation.id) is None
    assert audit("organisation_change_withdrawn")


def test_a_name_taken_meanwhile_is_not_confirmed(client, desk, factories, org_admin):
    propose(client, org_admin.organisation)
    change = open_change(org_admin.organisation_id)
    assert change is not None
    factories.organisation(name=NEW_NAME.upper())

    page = text(desk.post(f"/portal/organisationsaenderungen/{change.id}/confirmed", follow_redirects=True))

    assert "Eine andere Organisation trägt bereits diesen Namen." in page
    assert change.status == ChangeStatus.PENDING


def test_an_organisation_in_review_changes_everything_at_once(client, factories, login):
    admin = factories.provider(is_org_admin=True)
    admin.organisation.status = OrgStatus.PENDING
    db.session.commit()
    login(admin)

    propose(client, admin.organisation)

    assert (admin.organisation.name, admin.organisation.website) == (NEW_NAME, NEW_SITE)
    assert open_change(admin.organisation_id) is None


def test_unknown_changes_and_decisions_are_not_found(desk):
    assert desk.post("/portal/organisationsaenderungen/999999/confirmed").status_code == 404
    assert desk.post("/portal/organisationsaenderungen/999999/withdrawn").status_code == 404
