"""Demo offers: the story in every state, the budget, and extra live offers for load and build tests."""

from datetime import date

import pytest
from sqlalchemy import func, select

from portal.budget.models import BudgetYear
from portal.budget.services import overview
from portal.demo.accounts import load_demo_data
from portal.demo.offers import STORY, load_demo_offers
from portal.extensions import db
from portal.offers.models import FIELDS_OF_WORK, Offer, OfferState, OfferType, OfferVersion, VersionStatus
from portal.offers.services import costs_of, submission_problems

# Only an approved revision supersedes a version; the demo has none.
STORY_STATUSES = set(VersionStatus) - {VersionStatus.SUPERSEDED}


@pytest.fixture
def demo(app):
    load_demo_data(app.config["DEMO_PASSWORD"])


def offers(state=None):
    query = select(Offer).order_by(Offer.id)
    if state is not None:
        query = query.where(Offer.state == state)
    return db.session.scalars(query).all()


def count_offers():
    return db.session.scalar(select(func.count(Offer.id)))


def test_the_story_has_offers_in_every_state(demo):
    added = load_demo_offers()
    assert added == count_offers() == len(STORY) + 1  # and an ended one
    statuses = set(db.session.scalars(select(OfferVersion.status)))
    assert statuses == STORY_STATUSES
    assert {offer.state for offer in offers()} == set(OfferState)
    assert len(offers(OfferState.LIVE)) >= 10


def test_one_live_offer_has_a_pending_revision(demo):
    load_demo_offers()
    [offer] = [offer for offer in offers(OfferState.LIVE) if offer.working_version is not None]
    assert offer.working_version.status == VersionStatus.SUBMITTED
    assert offer.working_version.number == 2
    assert offer.live_version.status == VersionStatus.APPROVED


def test_one_offer_waits_for_the_second_approval(app, demo):
    load_demo_offers()
    [version] = db.session.scalars(select(OfferVersion).where(OfferVersion.status == VersionStatus.FIRST_APPROVED))
    assert version.total_cost > app.config["FOUR_EYES_THRESHOLD"]
    assert version.total_cost == costs_of(version).total
    assert version.first_approved_by is not None
    assert version.first_approved_by.is_staff


def test_every_demo_application_would_pass_the_checks(demo):
    load_demo_offers(extra=10)
    for version in db.session.scalars(select(OfferVersion)):
        errors, _warnings = submission_problems(version)
        assert errors == {}, (version.title, errors)
        assert version.total_cost == costs_of(version).total
        assert sum(site.places for site in version.sites) == version.places_total


def test_the_demo_spreads_over_districts_and_fields(demo):
    load_demo_offers()
    versions = db.session.scalars(select(OfferVersion)).all()
    assert {version.field_of_work for version in versions} == set(FIELDS_OF_WORK)
    assert len({district for version in versions for district in version.districts}) >= 5
    assert len({version.offer.organisation_id for version in versions}) >= 2
    assert {version.offer_type for version in versions} == set(OfferType)


def test_a_budget_for_this_year_that_covers_the_live_offers(demo):
    load_demo_offers(extra=20)
    rows = {row.year: row for row in overview()}
    this_year = rows[date.today().year]
    assert this_year.total == db.session.get(BudgetYear, date.today().year).amount
    assert 0 < this_year.committed < this_year.total
    assert all(row.remaining >= 0 for row in rows.values())  # the demo stays within its budget


def test_extra_adds_that_many_live_offers_and_the_story_only_once(demo):
    first = load_demo_offers()
    live = len(offers(OfferState.LIVE))
    assert load_demo_offers(extra=7) == 7
    assert len(offers(OfferState.LIVE)) == live + 7
    assert load_demo_offers() == 0
    assert count_offers() == first + 7
    assert db.session.scalar(select(func.count(BudgetYear.year))) == 3


def test_without_verified_providers_there_is_nothing_to_add(app):
    assert load_demo_offers(extra=3) == 0
    assert count_offers() == 0


def test_a_first_approval_needs_no_staff_account(factories):
    factories.provider(is_org_admin=True)
    load_demo_offers()
    [version] = db.session.scalars(select(OfferVersion).where(OfferVersion.status == VersionStatus.FIRST_APPROVED))
    assert version.first_approved_by_id is None


def test_the_ended_offer_is_added_even_without_live_offers_in_the_story(factories, monkeypatch):
    factories.provider(is_org_admin=True)
    monkeypatch.setattr("portal.demo.offers.STORY", [("kultur", 1, VersionStatus.DRAFT)])
    assert load_demo_offers() == 2
    assert [offer.state for offer in offers()] == [OfferState.OPEN, OfferState.ENDED]


def test_the_demo_data_command(app):
    result = app.test_cli_runner().invoke(args=["demo-data", "--offers", "5"])
    assert result.exit_code == 0, result.output
    assert f"{len(STORY) + 1 + 5} Demo-Angebote angelegt." in result.output
    assert "teamleitung@arge.example" in result.output
    assert f"Passwort aller Demo-Konten: {app.config['DEMO_PASSWORD']}" in result.output
    again = app.test_cli_runner().invoke(args=["demo-data", "--offers", "5"])
    assert "5 Demo-Angebote angelegt." in again.output
    assert count_offers() == len(STORY) + 1 + 10


def test_the_command_refuses_a_negative_number(app):
    result = app.test_cli_runner().invoke(args=["demo-data", "--offers", "-1"])
    assert result.exit_code != 0
    assert count_offers() == 0
