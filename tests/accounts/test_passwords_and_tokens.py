"""Password reset, password change and invitations: links by e-mail that work once and expire."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.accounts import services
from portal.accounts.models import Role
from portal.accounts.passwords import verify_password
from tests.accounts.helpers import (
    BAD_LOGIN,
    NEW_PASSWORD,
    NEW_PASSWORD_FORM,
    REGISTRANT_EMAIL,
    WRONG_PASSWORD,
    audit,
    location,
    mailed_link,
    open_link,
    register,
    sign_in,
    signed_in,
    subjects,
    text,
    user_by_email,
)
from tests.factories import DEFAULT_PASSWORD

LINK_INVALID = "Dieser Link gilt nicht mehr"
INVITEE = "neu@traeger.example"


def request_reset(client, email):
    return client.post("/portal/passwort-vergessen", data={"email": email})


def assert_link_invalid(response):
    assert response.status_code == 400
    assert LINK_INVALID in text(response)


# --- password reset -------------------------------------------------------------------------------


def test_a_reset_link_sets_a_new_password_once(client, factories, mailbox):
    user = factories.provider()
    assert "Passwort vergessen" in text(client.get("/portal/passwort-vergessen"))
    request_reset(client, user.email.upper())
    assert mailed_link(mailbox, user.email).startswith("/portal/passwort-zuruecksetzen/")
    link = open_link(client, mailbox, user.email)
    assert "Neues Passwort" in text(client.get(link))

    mismatch = client.post(link, data={**NEW_PASSWORD_FORM, "password_confirm": "etwas ganz anderes"})
    assert "Die beiden Passwörter stimmen nicht überein." in text(mismatch)
    weak = {"password": "jobcenter-zugang", "password_confirm": "jobcenter-zugang"}
    assert "leicht zu erratenden Wörter" in text(client.post(link, data=weak))

    assert location(client.post(link, data=NEW_PASSWORD_FORM)) == "/portal/anmelden"
    assert verify_password(user.password_hash, NEW_PASSWORD)
    assert subjects(mailbox, user.email)[-1] == "Ihr Passwort wurde geändert"
    assert audit("password_reset")
    assert_link_invalid(client.get(link))
    assert_link_invalid(client.post(link, data={"password": "noch ein neuer Satz", "password_confirm": "x"}))
    assert BAD_LOGIN in text(sign_in(client, user.email))
    assert location(sign_in(client, user.email, NEW_PASSWORD)) == "/portal/"


def test_a_reset_link_expires_after_one_hour(client, factories, mailbox, clock):
    user = factories.provider()
    request_reset(client, user.email)
    link = open_link(client, mailbox, user.email)

    clock.shift(timedelta(minutes=59))
    assert client.get(link).status_code == 200
    clock.shift(timedelta(minutes=2))

    assert_link_invalid(client.get(link))
    assert_link_invalid(client.post(link, data=NEW_PASSWORD_FORM))
    assert verify_password(user.password_hash, DEFAULT_PASSWORD)


def test_unknown_addresses_get_the_same_answer(client, factories, mailbox):
    user = factories.provider()
    deactivated = factories.provider(active=False)

    known = text(request_reset(client, user.email))
    for address in ("niemand@example.org", deactivated.email):
        assert text(request_reset(client, address)).replace(address, user.email) == known

    assert [message["To"] for message in mailbox.messages] == [user.email]


def test_unknown_links_are_refused(client, factories, mailbox):
    user = factories.provider()
    request_reset(client, user.email)
    reset_token = mailed_link(mailbox, user.email).rsplit("/", 1)[1]

    assert_link_invalid(client.get("/portal/passwort-zuruecksetzen/ausgedacht", follow_redirects=True))
    assert_link_invalid(client.get(f"/portal/einladung/{reset_token}", follow_redirects=True))
    client.get(f"/portal/registrieren/bestaetigen/{reset_token}")
    assert_link_invalid(client.post("/portal/registrieren/bestaetigen"))
    assert_link_invalid(client.get("/portal/passwort-zuruecksetzen"))  # without a link opened first


def test_the_services_refuse_unknown_tokens_too():
    assert services.reset_password("ausgedacht", NEW_PASSWORD) is None
    assert services.accept_invitation("ausgedacht", NEW_PASSWORD) is None
    assert services.verify_email("ausgedacht") is None


def test_a_reset_proves_the_address_and_ends_every_session(client, other_client, factories, login, mailbox):
    user = factories.provider(email_verified_at=None)
    signed_in_user = factories.provider()
    login(signed_in_user)
    request_reset(other_client, signed_in_user.email)
    other_client.post(open_link(other_client, mailbox, signed_in_user.email), data=NEW_PASSWORD_FORM)
    assert not signed_in(client)

    request_reset(other_client, user.email)
    other_client.post(open_link(other_client, mailbox, user.email), data=NEW_PASSWORD_FORM)

    assert user.email_verified_at is not None
    assert location(sign_in(other_client, user.email, NEW_PASSWORD)) == "/portal/"


def test_one_reset_ends_every_outstanding_reset_link(client, other_client, factories, mailbox):
    user = factories.provider()
    request_reset(client, user.email)
    older = open_link(client, mailbox, user.email)
    request_reset(other_client, user.email)

    assert location(other_client.post(open_link(other_client, mailbox, user.email), data=NEW_PASSWORD_FORM))

    assert_link_invalid(client.get(older))
    assert_link_invalid(client.post(older, data={"password": "noch ein anderer Satz", "password_confirm": "x"}))
    assert verify_password(user.password_hash, NEW_PASSWORD)


def test_a_password_change_ends_outstanding_reset_links(client, other_client, factories, login, mailbox):
    user = factories.provider()
    request_reset(other_client, user.email)
    link = open_link(other_client, mailbox, user.email)
    login(user)

    change(client)

    assert_link_invalid(other_client.get(link))


def _reset_link(client, other_client, factories, login):
    user = factories.provider()
    request_reset(client, user.email)
    return user.email


def _invitation_link(client, other_client, factories, login):
    login(factories.provider(is_org_admin=True), test_client=other_client)
    invite(other_client)
    return INVITEE


def _verification_link(client, other_client, factories, login):
    register(client)
    return REGISTRANT_EMAIL


@pytest.mark.parametrize(
    ("send", "page"),
    [
        (_reset_link, "/portal/passwort-zuruecksetzen"),
        (_invitation_link, "/portal/einladung"),
        (_verification_link, "/portal/registrieren/bestaetigen"),
    ],
    ids=["reset", "invitation", "verification"],
)
def test_a_links_token_moves_into_the_session_and_off_the_address(
    client, other_client, factories, login, mailbox, send, page
):
    """The token leaves the address on the first request: it reaches no history, proxy log or Referer."""
    address = send(client, other_client, factories, login)
    link = mailed_link(mailbox, address)
    token = link.rsplit("/", 1)[1]

    response = client.get(link)

    assert location(response) == page
    assert token not in text(response)
    shown = client.get(page)
    assert shown.status_code == 200
    assert token not in text(shown)
    with client.session_transaction() as session:
        assert token in session.values()


# --- password change ------------------------------------------------------------------------------


def change(client, current=DEFAULT_PASSWORD, new=NEW_PASSWORD, confirm=None):
    data = {"current_password": current, "password": new, "password_confirm": confirm or new}
    return client.post("/portal/konto/passwort", data=data)


def test_changing_the_password_keeps_this_session_and_ends_the_others(app, client, factories, login, mailbox):
    user = factories.provider()
    login(user)
    laptop = app.test_client()
    login(user, test_client=laptop)
    assert "Passwort ändern" in text(client.get("/portal/konto/passwort"))

    response = change(client)

    assert location(response) == "/portal/konto"
    assert signed_in(client)
    assert not signed_in(laptop)
    assert verify_password(user.password_hash, NEW_PASSWORD)
    assert subjects(mailbox, user.email) == ["Ihr Passwort wurde geändert"]
    assert audit("password_changed")


@pytest.mark.parametrize(
    ("current", "new", "message"),
    [
        (WRONG_PASSWORD, NEW_PASSWORD, "Das bisherige Passwort ist nicht richtig."),
        (DEFAULT_PASSWORD, "zu kurz", "Das Passwort muss mindestens 12 Zeichen lang sein."),
        (DEFAULT_PASSWORD, "Grüße vom Jobcenter", "leicht zu erratenden Wörter"),
    ],
)
def test_a_password_change_is_refused_with_a_german_message(client, factories, login, current, new, message):
    user = factories.provider()
    login(user)

    assert message in text(change(client, current, new))
    assert verify_password(user.password_hash, DEFAULT_PASSWORD)


def test_the_new_password_must_not_contain_the_organisation_name(client, factories, login):
    organisation = factories.organisation(name="Sonnenblume Sozialwerk gGmbH")
    login(factories.provider(organisation=organisation))

    assert "leicht zu erratenden Wörter" in text(change(client, new="die Sonnenblume blüht im Juli"))


# --- invitations ----------------------------------------------------------------------------------


def invite(client, **data):
    return client.post("/portal/organisation/einladen", data={"name": "Nora Neu", "email": INVITEE, **data})


def test_a_provider_admin_invites_a_colleague(client, other_client, factories, login, mailbox):
    admin = factories.provider(is_org_admin=True)
    login(admin)

    response = invite(client, role="admin", is_org_admin="y", organisation_id="1")

    assert location(response) == "/portal/organisation"
    invitee = user_by_email(INVITEE)
    assert (invitee.role, invitee.organisation_id, invitee.is_org_admin) == (
        Role.PROVIDER,
        admin.organisation_id,
        False,
    )
    assert subjects(mailbox, INVITEE) == ["Einladung in das ARGE-Partnerportal"]
    assert f"für {admin.organisation.name}" in mailbox.last_body(INVITEE)
    assert "eingeladen" in text(client.get("/portal/organisation"))
    assert BAD_LOGIN in text(sign_in(other_client, INVITEE, NEW_PASSWORD))

    link = open_link(other_client, mailbox, INVITEE)
    assert "Nora Neu" in text(other_client.get(link))
    assert location(other_client.post(link, data=NEW_PASSWORD_FORM)) == "/portal/anmelden"
    assert location(sign_in(other_client, INVITEE, NEW_PASSWORD)) == "/portal/"
    assert invitee.email_verified_at is not None
    assert_link_invalid(other_client.get(link))
    assert audit("invitation_accepted")


@pytest.mark.parametrize("where", ["own organisation", "other organisation", "ARGE"])
def test_an_invitation_to_an_existing_address_answers_as_for_a_new_one(client, factories, login, mailbox, where):
    """No account enumeration: the inviter sees the same as for a new address; the owner is told by mail."""
    admin = factories.provider(is_org_admin=True)
    owner = {
        "own organisation": lambda: factories.provider(organisation=admin.organisation),
        "other organisation": factories.provider,
        "ARGE": factories.staff,
    }[where]()
    login(admin)

    known = invite(client, email=owner.email.upper(), name="Nora Neu")
    new = invite(client, email=INVITEE)

    assert (location(known), location(new)) == ("/portal/organisation",) * 2
    flashed = text(client.get("/portal/organisation"))  # both messages: the page shows what was flashed since
    assert f"Die Einladung an {owner.email.upper()} ist verschickt." in flashed
    assert f"Die Einladung an {INVITEE} ist verschickt." in flashed
    assert subjects(mailbox, owner.email) == ["Einladung in das ARGE-Partnerportal"]
    body = mailbox.last_body(owner.email)
    assert f"{admin.name} wollte Sie für {admin.organisation.name} in das ARGE-Partnerportal einladen." in body
    assert "bereits ein Konto" in body
    assert "/portal/einladung/" not in body
    assert [entry.details for entry in audit("invitation_to_existing_account")] == [f"{owner.email} als provider"]


def test_an_invitation_needs_a_valid_address(client, factories, login, mailbox):
    login(factories.provider(is_org_admin=True))

    page = text(invite(client, email="nora at traeger"))

    assert "Bitte geben Sie eine gültige E-Mail-Adresse an" in page
    assert 'value="Nora Neu"' in page
    assert mailbox.messages == []


def test_only_provider_admins_invite_colleagues(client, factories, login, mailbox):
    login(factories.provider())

    assert invite(client).status_code == 403
    assert user_by_email(INVITEE) is None


def test_the_invitees_password_must_not_contain_the_organisation_name(client, factories, login, mailbox):
    organisation = factories.organisation(name="Regenbogen Hilfswerk e. V.")
    login(factories.provider(organisation=organisation, is_org_admin=True))
    invite(client)
    link = open_link(client, mailbox, INVITEE)

    weak = "Regenbogen über dem Rhein"
    assert "leicht zu erratenden Wörter" in text(client.post(link, data={"password": weak, "password_confirm": weak}))
    assert user_by_email(INVITEE).password_hash == ""
    assert client.get(link).status_code == 200


def test_an_invitation_expires_after_seven_days(client, factories, login, mailbox, clock):
    login(factories.provider(is_org_admin=True))
    invite(client)
    clock.shift(timedelta(days=7, minutes=1))

    assert_link_invalid(client.post(open_link(client, mailbox, INVITEE), data=NEW_PASSWORD_FORM))


def test_an_admin_invites_arge_staff(admin_client, other_client, mailbox):
    assert "ARGE-Beschäftigte einladen" in text(admin_client.get("/portal/benutzer/einladen"))

    assert location(invite_staff(admin_client, role="approver")) == "/portal/benutzer"

    invitee = user_by_email(INVITEE)
    assert (invitee.role, invitee.organisation) == (Role.APPROVER, None)
    assert "hat Sie in das ARGE-Partnerportal eingeladen" in mailbox.last_body(INVITEE)
    other_client.post(open_link(other_client, mailbox, INVITEE), data=NEW_PASSWORD_FORM)
    assert location(sign_in(other_client, INVITEE, NEW_PASSWORD)) == "/portal/"


def invite_staff(client, email=INVITEE, role="staff"):
    return client.post("/portal/benutzer/einladen", data={"name": "Tanja Team", "email": email, "role": role})


def test_staff_invitations_offer_only_arge_roles(admin_client, factories, mailbox):
    assert "Keine gültige Auswahl" in text(invite_staff(admin_client, role="provider"))
    assert user_by_email(INVITEE) is None

    existing = factories.staff()
    assert location(invite_staff(admin_client, email=existing.email)) == "/portal/benutzer"  # as for a new one
    assert subjects(mailbox, existing.email) == ["Einladung in das ARGE-Partnerportal"]
    assert "bereits ein Konto" in mailbox.last_body(existing.email)
