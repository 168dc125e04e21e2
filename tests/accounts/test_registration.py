"""Provider self-registration, e-mail verification and the ARGE's review of new organisations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.accounts.models import Organisation, OrgStatus, Role, Umbrella
from portal.accounts.passwords import verify_password
from portal.extensions import db
from tests.accounts.helpers import (
    REGISTRANT_EMAIL,
    REGISTRANT_PASSWORD,
    audit,
    location,
    mailed_link,
    open_link,
    register,
    register_and_verify,
    registration_data,
    sign_in,
    signed_in,
    subjects,
    text,
    user_by_email,
)


def organisation_named(name: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.name == name))


def test_registration_creates_a_pending_organisation_and_its_admin(client, mailbox):
    response = register(client)

    assert response.status_code == 200
    assert REGISTRANT_EMAIL in text(response)
    user = user_by_email(REGISTRANT_EMAIL)
    assert user is not None
    assert (user.role, user.is_org_admin, user.name, user.email_verified_at) == (
        Role.PROVIDER,
        True,
        "Mia Sommer",
        None,
    )
    assert verify_password(user.password_hash, REGISTRANT_PASSWORD)
    organisation = user.organisation
    assert organisation.status == OrgStatus.PENDING
    assert organisation.umbrella == Umbrella.CARITAS
    assert organisation.email == "info@tafel.example"
    assert organisation.iban == "DE89370400440532013000"
    assert organisation.non_profit is True
    assert not organisation.can_submit
    assert subjects(mailbox, REGISTRANT_EMAIL) == ["Bitte bestätigen Sie Ihre E-Mail-Adresse"]
    assert mailed_link(mailbox, REGISTRANT_EMAIL).startswith("/portal/registrieren/bestaetigen/")
    assert [entry.object_id for entry in audit("registered")] == [str(organisation.id)]


def test_registration_page_shows_the_form(client):
    page = text(client.get("/portal/registrieren"))
    assert "Organisation registrieren" in page
    assert "Deutscher Caritasverband" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("iban", "DE89 3704 0044 0532 0130 01", "Die IBAN ist ungültig."),
        ("postal_code", "5066", "Die Postleitzahl hat fünf Ziffern."),
        ("postal_code", "5066A", "Die Postleitzahl hat fünf Ziffern."),
        ("name", "", "Bitte geben Sie den Namen Ihrer Organisation an."),
        ("legal_form", None, "Bitte geben Sie die Rechtsform an."),
        ("umbrella", "", "Bitte wählen Sie einen Spitzenverband"),
        ("city", "   ", "Bitte geben Sie den Ort an."),
        ("phone", "bitte anrufen", "Bitte geben Sie eine Telefonnummer mit Ziffern an"),
        ("org_email", "info at tafel", "Bitte geben Sie eine gültige E-Mail-Adresse an"),
        ("website", "tafel.example", "Bitte geben Sie eine vollständige Adresse an"),
        ("user_name", None, "Bitte geben Sie Ihren Namen an."),
        ("email", "", "Bitte geben Sie Ihre E-Mail-Adresse an."),
        ("password_confirm", "Grüne Birnen wachsen langsam", "Die beiden Passwörter stimmen nicht überein."),
        ("password", "kurz", "Das Passwort muss mindestens 12 Zeichen lang sein."),
        ("privacy", None, "Bitte bestätigen Sie, dass Sie die Datenschutzhinweise gelesen haben."),
        ("street", "Kirchweg\x005", "Die Eingabe enthält unzulässige Steuerzeichen."),
    ],
)
def test_bad_input_gets_a_german_message_and_nothing_is_lost(client, mailbox, field, value, message):
    response = register(client, **{field: value})

    page = text(response)
    assert response.status_code == 200
    assert message in page
    assert "Bitte korrigieren Sie die folgende Angabe" in page
    shown = registration_data(iban="DE89370400440532013000")  # a valid IBAN comes back in its compact form
    for name, kept in shown.items():
        if name not in (field, "umbrella", "non_profit", "privacy", "public_contact", "password", "password_confirm"):
            assert f'value="{kept}"' in page
    assert "Frau Sommer, montags 9 bis 12 Uhr" in page
    assert REGISTRANT_PASSWORD not in page
    assert user_by_email(REGISTRANT_EMAIL) is None
    assert mailbox.messages == []


def test_an_organisation_name_is_registered_only_once(client, factories, mailbox):
    factories.organisation(name="Tafel Musterstadt e. V.")

    page = text(register(client, name="TAFEL MUSTERSTADT E. V."))

    assert "Eine Organisation mit diesem Namen ist bereits registriert." in page
    assert user_by_email(REGISTRANT_EMAIL) is None


def test_a_known_email_address_is_not_revealed(client, factories, mailbox):
    existing = factories.provider()
    newcomer_page = text(register(client, email="neu@tafel.example"))

    page = text(register(client, name="Anderer Verein e. V.", email=existing.email.upper()))

    assert page.replace(existing.email.upper(), "ADDRESS") == newcomer_page.replace("neu@tafel.example", "ADDRESS")
    assert organisation_named("Anderer Verein e. V.") is None
    assert subjects(mailbox, existing.email) == ["Registrierung im ARGE-Partnerportal"]
    assert mailed_link(mailbox, existing.email) == "/portal/passwort-vergessen"


FORM_TOKEN = "t" * 32  # both forms carry the same one-time token, so that only the address differs


def test_a_taken_organisation_name_does_not_reveal_the_account_either(client, factories, mailbox):
    factories.organisation(name="Tafel Musterstadt e. V.")
    existing = factories.provider()
    newcomer_page = text(register(client, email="neu@tafel.example", form_token=FORM_TOKEN))

    page = text(register(client, email=existing.email, form_token=FORM_TOKEN))

    assert page.replace(existing.email, "ADDRESS") == newcomer_page.replace("neu@tafel.example", "ADDRESS")
    assert "Eine Organisation mit diesem Namen ist bereits registriert." in page


def test_extra_fields_in_the_registration_are_ignored(client, mailbox):
    register(client, status="verified", role="admin", is_org_admin="n", organisation_id="1", verified_at="2020-01-01")

    user = user_by_email(REGISTRANT_EMAIL)
    assert user is not None
    assert (user.role, user.is_org_admin) == (Role.PROVIDER, True)
    assert user.organisation.status == OrgStatus.PENDING
    assert user.organisation.verified_at is None


def test_the_link_shows_a_button_and_verifies_only_on_post(client, factories, mailbox):
    staff = factories.staff()
    register(client)
    assert mailed_link(mailbox, REGISTRANT_EMAIL).startswith("/portal/registrieren/bestaetigen/")
    link = open_link(client, mailbox, REGISTRANT_EMAIL)
    user = user_by_email(REGISTRANT_EMAIL)

    page = client.get(link)
    assert "E-Mail-Adresse bestätigen" in text(page)
    assert user.email_verified_at is None

    assert location(client.post(link)) == "/portal/anmelden"
    assert user.email_verified_at is not None
    assert subjects(mailbox, staff.email) == ["Neue Organisation wartet auf Prüfung"]
    assert mailed_link(mailbox, staff.email) == f"/portal/organisationen/{user.organisation_id}"

    again = client.post(link)
    assert again.status_code == 400
    assert "Dieser Link gilt nicht mehr" in text(again)


def test_staff_are_not_told_when_the_organisation_was_already_reviewed(client, factories, mailbox):
    staff = factories.staff()
    register(client)
    user_by_email(REGISTRANT_EMAIL).organisation.status = OrgStatus.VERIFIED

    client.post(open_link(client, mailbox, REGISTRANT_EMAIL))

    assert mailbox.to(staff.email) == []


def test_the_verification_link_expires_after_24_hours(client, mailbox, clock):
    register(client)
    clock.shift(timedelta(hours=24, minutes=1))

    response = client.post(open_link(client, mailbox, REGISTRANT_EMAIL))

    assert response.status_code == 400
    assert user_by_email(REGISTRANT_EMAIL).email_verified_at is None


def test_signing_in_unverified_sends_the_link_again(client, mailbox):
    register(client)
    first = mailed_link(mailbox, REGISTRANT_EMAIL)

    response = sign_in(client, REGISTRANT_EMAIL, REGISTRANT_PASSWORD)

    assert "Bitte bestätigen Sie zuerst Ihre E-Mail-Adresse" in text(response)
    assert not signed_in(client)
    assert mailed_link(mailbox, REGISTRANT_EMAIL) != first
    assert location(client.post(open_link(client, mailbox, REGISTRANT_EMAIL))) == "/portal/anmelden"


def test_a_pending_organisations_user_signs_in_but_cannot_submit(client, mailbox):
    user = register_and_verify(client, mailbox)

    assert location(sign_in(client, REGISTRANT_EMAIL, REGISTRANT_PASSWORD)) == "/portal/"
    assert "Ihre Organisation wird geprüft" in text(client.get("/portal/"))
    assert user.organisation.can_submit is False


def review(client, organisation, status, reason=None):
    data = {"reason": reason} if reason is not None else {}
    return client.post(f"/portal/organisationen/{organisation.id}/status/{status}", data=data)


def test_staff_verify_an_organisation_and_its_admin_is_told(client, factories, login, mailbox):
    organisation = factories.organisation(status=OrgStatus.PENDING)
    admin = factories.provider(organisation=organisation, is_org_admin=True)
    colleague = factories.provider(organisation=organisation)
    factories.provider(organisation=organisation, is_org_admin=True, active=False)
    login(factories.staff())

    response = review(client, organisation, "verified")

    assert location(response) == f"/portal/organisationen/{organisation.id}"
    assert organisation.status == OrgStatus.VERIFIED
    assert organisation.verified_at is not None
    assert organisation.can_submit
    assert subjects(mailbox, admin.email) == ["Ihre Organisation ist jetzt: Bestätigt"]
    assert "geprüft und bestätigt" in mailbox.last_body(admin.email)
    assert mailbox.to(colleague.email) == []
    assert len(mailbox.messages) == 1
    assert audit("organisation_status")[-1].details == "pending → verified"


def test_a_suspension_needs_a_reason(client, factories, login, mailbox):
    organisation = factories.organisation()
    admin = factories.provider(organisation=organisation, is_org_admin=True)
    login(factories.staff())

    refused = review(client, organisation, "suspended", reason="  ")
    assert "Bitte geben Sie einen Grund für die Sperrung an." in text(refused)
    assert organisation.status == OrgStatus.VERIFIED

    review(client, organisation, "suspended", reason="Unterlagen fehlen")
    assert (organisation.status, organisation.status_reason) == (OrgStatus.SUSPENDED, "Unterlagen fehlen")
    assert "Grund: Unterlagen fehlen" in mailbox.last_body(admin.email)
    assert not organisation.can_submit

    review(client, organisation, "verified")
    assert (organisation.status, organisation.status_reason) == (OrgStatus.VERIFIED, "")


@pytest.mark.parametrize(("current", "target"), [("verified", "verified"), ("suspended", "suspended")])
def test_illegal_transitions_are_refused(client, factories, login, mailbox, current, target):
    organisation = factories.organisation(status=OrgStatus(current))
    login(factories.staff())

    page = text(review(client, organisation, target, reason="noch einmal"))

    assert "kann nicht in den Status" in page
    assert organisation.status == OrgStatus(current)
    assert mailbox.messages == []


def test_a_pending_organisation_can_be_suspended_directly(client, factories, login):
    organisation = factories.organisation(status=OrgStatus.PENDING)
    login(factories.staff())

    review(client, organisation, "suspended", reason="Kein Träger der Wohlfahrtspflege")

    assert organisation.status == OrgStatus.SUSPENDED


def test_an_overlong_reason_is_refused(client, factories, login):
    organisation = factories.organisation()
    login(factories.staff())

    response = review(client, organisation, "suspended", reason="x" * 2001)

    assert "Bitte korrigieren Sie die folgende Angabe" in text(response)
    assert organisation.status == OrgStatus.VERIFIED


def test_unknown_statuses_and_organisations_are_not_found(client, factories, login):
    organisation = factories.organisation(status=OrgStatus.PENDING)
    login(factories.staff())

    assert review(client, organisation, "deleted").status_code == 404
    assert client.post("/portal/organisationen/999999/status/verified").status_code == 404
    assert organisation.status == OrgStatus.PENDING
