"""One-time form tokens (`portal.submissions`): a token creates once, a refused first try leaves it free."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.accounts.models import Organisation, Umbrella
from portal.errors import ServiceError
from portal.extensions import db
from portal.forms import OnceForm
from portal.submissions import Submission, new_token, once

TOKEN = "t" * 32


@once(Organisation)
def found(name: str) -> Organisation:
    if not name:
        raise ServiceError("Bitte geben Sie einen Namen an.", field="name")
    organisation = Organisation(
        name=name,
        legal_form="e. V.",
        umbrella=Umbrella.DIAKONIE,
        street="Weg 1",
        postal_code="50667",
        city="Musterstadt",
        phone="0221 1",
        email="info@verein.example",
    )
    db.session.add(organisation)
    db.session.flush()
    return organisation


@once(Organisation)
def nothing_to_show(_name: str) -> None:
    return None


def organisations() -> int:
    return db.session.scalar(select(func.count(Organisation.id)).where(Organisation.name.like("Einmal%"))) or 0


def test_a_token_creates_once_and_then_returns_the_first_record(app):
    first = found(TOKEN, "Einmal e. V.")
    assert found(TOKEN, "Einmal anders e. V.") == first
    assert found(new_token(), "Einmal noch e. V.") != first
    assert organisations() == 2


def test_a_refused_first_try_leaves_the_token_free(app):
    with pytest.raises(ServiceError):
        found(TOKEN, "")
    assert found(TOKEN, "Einmal e. V.").name == "Einmal e. V."


def test_a_token_whose_first_request_created_nothing_answers_nothing_again(app):
    assert nothing_to_show(TOKEN, "x") is None
    assert nothing_to_show(TOKEN, "x") is None
    assert db.session.get(Submission, ("organisations", TOKEN)).record_id is None


def test_the_form_keeps_a_valid_token_and_replaces_an_odd_one(app):
    with app.test_request_context(method="POST", data={"form_token": TOKEN}):
        assert OnceForm().token() == TOKEN
    with app.test_request_context(method="POST", data={"form_token": "kaputt"}):
        assert len(OnceForm().token()) >= 32
