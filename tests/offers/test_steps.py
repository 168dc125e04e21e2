"""The steps of the offer form: which apply, when each is started and complete."""

from decimal import Decimal

import pytest

from portal.offers.models import MunicipalKind, OfferType, OfferVersion, Site
from portal.offers.steps import BY_SLUG, STEPS, is_complete, is_started, required_fields, steps_for, task_status
from tests.factories import complete_agh_content


def complete(**changes):
    version = OfferVersion(**{**complete_agh_content(), **changes})
    version.sites = [Site(name="Hof", street="Weg 1", postal_code="50667", district="Altstadt", places=10)]
    return version


def slugs(steps):
    return [step.slug for step in steps]


def test_a_complete_agh_application_has_every_step_complete():
    version = complete()
    assert slugs(steps_for(version)) == slugs(STEPS)
    assert all(is_complete(step, version) for step in STEPS)


def test_a_new_draft_has_no_step_started():
    version = OfferVersion()
    assert not any(is_started(step, version) for step in STEPS)
    assert not any(is_complete(step, version) for step in steps_for(version))


def test_the_criteria_step_is_only_for_agh():
    version = complete(offer_type=OfferType.OTHER, justification_competition="")
    assert "kriterien" not in slugs(steps_for(version))
    assert is_complete(BY_SLUG["kriterien"], version)  # not applicable counts as done


def test_municipal_offers_need_their_kind():
    version = complete(offer_type=OfferType.MUNICIPAL, municipal_kind=None)
    assert not is_complete(BY_SLUG["grunddaten"], version)
    version.municipal_kind = MunicipalKind.CHILDCARE
    assert is_complete(BY_SLUG["grunddaten"], version)


def test_the_mae_rate_is_needed_only_for_agh():
    assert not is_complete(BY_SLUG["kosten"], complete(mae_rate=None))
    assert is_complete(BY_SLUG["kosten"], complete(offer_type=OfferType.OTHER, mae_rate=None))


def test_under_the_2009_rules_two_criteria_suffice():
    assert is_complete(BY_SLUG["kriterien"], complete(criteria_rules="2009", justification_competition=""))
    assert not is_complete(BY_SLUG["kriterien"], complete(criteria_rules="2012", justification_competition=""))
    assert not is_complete(BY_SLUG["kriterien"], complete(criteria_rules="", justification_competition=""))


@pytest.mark.parametrize(
    ("name", "empty", "answer"),
    [
        ("title", "   ", "Ein Titel"),
        ("target_groups", [], ["unter_25"]),
        ("barrier_free", None, False),  # "no" is an answer
        ("mkp_social_work", None, Decimal(0)),  # so is zero
    ],
)
def test_what_counts_as_filled(name, empty, answer):
    version = complete()
    step = next(step for step in STEPS if name in step.required)
    setattr(version, name, empty)
    assert not is_complete(step, version)
    setattr(version, name, answer)
    assert is_complete(step, version)


def test_the_sites_step_needs_a_site():
    version = complete()
    version.sites = []
    assert not is_complete(BY_SLUG["einsatzstellen"], version)


def test_one_field_starts_a_step():
    version = OfferVersion(field_of_work="kultur")
    assert is_started(BY_SLUG["taetigkeit"], version)
    assert not is_complete(BY_SLUG["taetigkeit"], version)
    assert not is_started(BY_SLUG["zeitraum"], version)


def test_the_task_list_says_how_far_a_step_is():
    step = BY_SLUG["taetigkeit"]
    assert task_status(step, OfferVersion()) == "Nicht begonnen"
    assert task_status(step, OfferVersion(field_of_work="kultur")) == "In Bearbeitung"
    assert task_status(step, complete()) == "Erledigt"


def test_required_fields_depend_on_the_type():
    assert "mae_rate" in required_fields(BY_SLUG["kosten"], complete())
    assert "mae_rate" not in required_fields(BY_SLUG["kosten"], complete(offer_type=OfferType.MUNICIPAL))
