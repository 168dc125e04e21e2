"""docs/security.md 16: fuzzing every form with Hypothesis: never a server error; valid input round-trips unchanged."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape

from portal.accounts.models import PUBLIC_FIELD_LABELS, Organisation
from portal.accounts.queries import open_change
from portal.extensions import db

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
FIELD_ERROR = "Die Eingabe enthält unzulässige Steuerzeichen."
RTL_MARKS = ("\u200f", "\u202e", "\u2067", "\u061c")

# Arbitrary text: any Unicode, control characters, right-to-left marks, and very long input.
any_text = st.one_of(
    st.text(max_size=60),
    st.text(st.characters(categories=["Cc", "Cf", "Zl", "Zp", "Zs"]), max_size=20),
    st.builds(lambda text, mark: mark + text + mark, st.text(max_size=40), st.sampled_from(RTL_MARKS)),
    st.builds(lambda text, times: text * times, st.text(min_size=1, max_size=4), st.integers(300, 5_000)),
)
# Text without control characters or line breaks, as a person types into a single-line field.
clean_text = st.text(st.characters(exclude_categories=["Cc", "Cs", "Zl", "Zp"]), min_size=1, max_size=100).filter(
    lambda text: text == text.strip() and text != ""
)


# C0 controls (tab and line breaks are refused only in single-line fields), DEL and the C1 controls.
CONTROLS = [chr(code) for code in [*range(0x20), *range(0x7F, 0xA0)]]


ORGANISATION_FIELDS = ["name", "legal_form", "umbrella", "street", "postal_code", "city", "phone", "org_email"]
ORGANISATION_FIELDS += ["website", "public_contact", "non_profit", "iban"]
REGISTRATION_FIELDS = [*ORGANISATION_FIELDS, "user_name", "email", "password", "password_confirm", "privacy"]


def organisation_form(**values: str) -> dict[str, str]:
    data = {
        "name": "Fuzz e. V.",
        "legal_form": "e. V.",
        "umbrella": "caritas",
        "street": "Weg 1",
        "postal_code": "50667",
        "city": "Musterstadt",
        "phone": "0221 12345",
        "org_email": "info@fuzz.example",
        "public_contact": "",
    }
    return {**data, **values}


def assert_no_server_error(response) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)[:500]


@pytest.fixture
def org_admin(client, factories, login):
    user = factories.provider(is_org_admin=True)
    login(user)
    return user


def edit(client, organisation: Organisation, **values: str):
    db.session.refresh(organisation)
    data = organisation_form(**{"version": str(organisation.version_id), **values})
    return client.post("/portal/organisation/bearbeiten", data=data)


@FUZZ
@given(values=st.dictionaries(st.sampled_from(REGISTRATION_FIELDS), any_text))
def test_registration_never_gives_a_server_error(client, values):
    assert_no_server_error(client.post("/portal/registrieren", data=values))


@FUZZ
@given(email=st.one_of(any_text, st.emails()), password=any_text)
def test_login_never_gives_a_server_error(client, email, password):
    assert_no_server_error(client.post("/portal/anmelden", data={"email": email, "password": password}))


@FUZZ
@given(values=st.dictionaries(st.sampled_from([*ORGANISATION_FIELDS, "version"]), any_text))
def test_organisation_edit_never_gives_a_server_error(client, org_admin, values):
    assert_no_server_error(edit(client, org_admin.organisation, **values))
    assert_no_server_error(client.post("/portal/organisation/bearbeiten", data=organisation_form(**values)))


@FUZZ
@given(name=any_text, email=st.one_of(any_text, st.emails()))
def test_invitation_never_gives_a_server_error(client, org_admin, name, email):
    response = client.post("/portal/organisation/einladen", data={"name": name, "email": email})
    assert_no_server_error(response)


def test_every_control_character_gets_the_german_field_error(client, org_admin):
    accepted = []
    for control in CONTROLS:
        response = edit(client, org_admin.organisation, city=f"Muster{control}stadt")
        if response.status_code != 200 or FIELD_ERROR not in response.get_data(as_text=True):
            accepted.append(f"U+{ord(control):04X}")
    assert accepted == []


@FUZZ
@given(
    field=st.sampled_from(["name", "legal_form", "street", "city", "public_contact"]),
    before=clean_text,
    control=st.sampled_from(CONTROLS),
    after=clean_text,
)
def test_control_characters_inside_any_field_are_refused(client, org_admin, field, before, control, after):
    response = edit(client, org_admin.organisation, **{field: before + control + after})
    line_break_in_text_area = field == "public_contact" and control in "\t\n\r"
    assert (FIELD_ERROR in response.get_data(as_text=True)) is not line_break_in_text_area


def without_controls(text: str) -> str:
    return "".join(char for char in text if unicodedata.category(char) not in ("Cc", "Cs")).strip()


@FUZZ
@given(
    name=clean_text,
    legal_form=clean_text,
    street=clean_text,
    city=clean_text,
    public_contact=st.text(max_size=300).map(without_controls),
)
def test_valid_input_round_trips_unchanged(client, org_admin, **values):
    response = edit(client, org_admin.organisation, **values)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    organisation = db.session.get(Organisation, org_admin.organisation_id, populate_existing=True)
    change = open_change(organisation.id)  # a reviewed organisation's public data waits for staff
    saved = {key: getattr(change if change and key in PUBLIC_FIELD_LABELS else organisation, key) for key in values}
    assert saved == values
    page = client.get("/portal/organisation").get_data(as_text=True)
    address = f"{values['street']}, 50667 {values['city']}"
    for shown in (values["name"], values["legal_form"], address, values["public_contact"]):
        assert str(escape(shown)) in page
