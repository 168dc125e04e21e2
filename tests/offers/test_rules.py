"""Business rules of an offer application: one German message per broken rule, warnings apart."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.offers.rules import (
    COMPETITION_CRITERION_SINCE,
    Findings,
    OfferLimits,
    check_application,
    criteria_rules_on,
)
from tests.factories import complete_agh_content

LIMITS = OfferLimits()
TODAY = date(2026, 3, 2)


def application(**changes):
    """A valid AGH application as the form delivers it: content plus its work sites, starting in three months."""
    data = {**complete_agh_content(), "sites": [{"places": 6}, {"places": 4}]}
    data["start_date"] = TODAY + timedelta(days=90)
    data["end_date"] = data["start_date"] + timedelta(days=181)
    data.update(changes)
    return data


def check(day=TODAY, limits=LIMITS, **changes):
    return check_application(application(**changes), limits, day)


def test_a_valid_application_passes():
    found = check()
    assert found.errors == {}
    assert found.warnings == []


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"hours_per_week": Decimal("30.5")}, "hours_per_week", "Höchstens 30 Stunden pro Woche"),
        (
            {"start_date": TODAY + timedelta(days=90), "end_date": TODAY + timedelta(days=89)},
            "end_date",
            "Das Ende darf nicht vor dem Beginn liegen.",
        ),
        (
            {"start_date": date(2026, 7, 1), "end_date": date(2029, 7, 1)},
            "end_date",
            "Der Zeitraum darf höchstens 36 Monate lang sein.",
        ),
        (
            {"places_total": 12},
            "places_total",
            "Die Plätze der Einsatzstellen ergeben zusammen 10, angegeben sind 12.",
        ),
        ({"mae_rate": Decimal("0.99")}, "mae_rate", "zwischen 1,00 € und 2,50 € pro Stunde"),
        ({"mae_rate": Decimal("2.51")}, "mae_rate", "zwischen 1,00 € und 2,50 € pro Stunde"),
        (
            {"mkp_supervision": Decimal("130.01")},
            "mkp_supervision",
            "Für Betreuung und Verwaltung sind höchstens 130,00 € pro Platz und Monat möglich.",
        ),
        ({"mkp_material": Decimal(101)}, "mkp_material", "Für Sachkosten sind höchstens 100,00 €"),
        (
            {"mkp_social_work": Decimal(161)},
            "mkp_social_work",
            "Für Sozialpädagogische Begleitung sind höchstens 160,00 €",
        ),
        (
            {"justification_additional": "   "},
            "justification_additional",
            "Bitte begründen Sie, warum die Arbeit zusätzlich ist.",
        ),
        (
            {"justification_public_interest": ""},
            "justification_public_interest",
            "warum die Arbeit im öffentlichen Interesse ist.",
        ),
        (
            {"justification_competition": ""},
            "justification_competition",
            "warum die Arbeit wettbewerbsneutral ist.",
        ),
    ],
)
def test_each_broken_rule_has_its_message_at_its_field(changes, field, message):
    found = check(**changes)
    assert list(found.errors) == [field]
    assert message in found.errors[field]


def test_limits_are_inclusive():
    found = check(
        hours_per_week=Decimal(30),
        mae_rate=Decimal("2.50"),
        mkp_supervision=Decimal(130),
        mkp_material=Decimal(100),
        mkp_social_work=Decimal(160),
        start_date=date(2026, 7, 1),
        end_date=date(2029, 6, 30),  # exactly 36 months
    )
    assert found.errors == {}


def test_hour_and_mae_limits_apply_only_to_agh():
    for offer_type in ("municipal", "other"):
        found = check(
            offer_type=offer_type, hours_per_week=Decimal(39), mae_rate=Decimal(0), justification_additional=""
        )
        assert found.errors == {}


@given(hours=st.integers(min_value=0, max_value=120).map(lambda value: Decimal(value) / 2))
def test_hours_above_the_configured_cap_are_refused(hours):
    limits = OfferLimits(weekly_hours_cap=Decimal("27.5"))
    found = check(limits=limits, hours_per_week=hours)
    if hours > limits.weekly_hours_cap:
        assert found.errors["hours_per_week"].startswith("Höchstens 27.5 Stunden")
    else:
        assert "hours_per_week" not in found.errors


def test_configured_limits_change_the_messages():
    limits = OfferLimits(max_months=12, mae_min=Decimal("1.20"), mae_max=Decimal(2))
    found = check(limits=limits, end_date=date(2027, 9, 1), mae_rate=Decimal("1.10"))
    assert found.errors["end_date"] == "Der Zeitraum darf höchstens 12 Monate lang sein."
    assert "zwischen 1,20 € und 2,00 €" in found.errors["mae_rate"]


def test_lead_time_is_a_warning_not_an_error():
    found = check(start_date=TODAY + timedelta(weeks=8) - timedelta(days=1), end_date=date(2027, 1, 31))
    assert found.errors == {}
    assert found.warnings == [
        "Anträge sollen etwa 8 Wochen vor dem Beginn eingehen. Der Beginn am 26.04.2026 ist knapp; "
        "die Prüfung kann länger dauern."
    ]
    assert check(start_date=TODAY + timedelta(weeks=8), end_date=date(2027, 1, 31)).warnings == []


def test_gaps_are_left_to_the_step_check():
    found = check(start_date=None, hours_per_week=None, places_total=None, mae_rate=None, mkp_material=None)
    assert found.errors == {}
    assert check(sites=[]).errors == {}


def test_a_site_without_places_counts_as_zero():
    found = check(sites=[{"places": None}, {"places": 10}])
    assert found.errors == {}


def test_the_competition_criterion_applies_from_april_2012():
    assert date(2012, 4, 1) == COMPETITION_CRITERION_SINCE
    assert criteria_rules_on(date(2012, 3, 31)) == "2009"
    assert criteria_rules_on(date(2012, 4, 1)) == "2012"
    period = {"start_date": date(2012, 7, 1), "end_date": date(2012, 12, 31), "justification_competition": ""}
    assert check(day=date(2012, 3, 31), **period).errors == {}
    assert check(day=date(2012, 4, 1), **period).errors == {
        "justification_competition": "Bitte begründen Sie, warum die Arbeit wettbewerbsneutral ist."
    }


def test_several_broken_rules_are_reported_together():
    found = check(hours_per_week=Decimal(35), places_total=3, justification_additional="")
    assert set(found.errors) == {"hours_per_week", "places_total", "justification_additional"}


def test_the_first_message_for_a_field_wins():
    found = Findings()
    found.add("title", "erste")
    found.add("title", "zweite")
    assert found.errors == {"title": "erste"}
