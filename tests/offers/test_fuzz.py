"""docs/security.md 16 for the offer forms: every step, the new offer and the actions never give a server
error, whatever is sent; control characters get the German field error; valid input round-trips unchanged."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from portal.offers.forms import STEP_FORMS
from tests.accounts.helpers import location, text
from tests.html_check import Page
from tests.offers.controls import fit, free_text_controls, step_controls
from tests.offers.view_helpers import BASE, STEP_INPUT, post_step, step_url, stored, url
from tests.strategies import FUZZ, clean_text, lines, odd_date, odd_value
from tests.test_forms_fuzz import CONTROLS, FIELD_ERROR, assert_no_server_error

STEPS = pytest.mark.parametrize("slug", list(STEP_FORMS))
TEXT_STEPS = [slug for slug in STEP_FORMS if slug != "kosten"]  # the cost step has numbers only
ACTIONS = ("einreichen", "aendern", "zurueckziehen", "beenden")


def every_name(slug: str) -> list[str]:
    """Every name the step's form reads, three rows of work sites, the button and the version counter."""
    names = [field.name for field in step_controls(slug)]
    names += ["offer_type", "municipal_kind", "field_of_work", "target_groups", "barrier_free", "action", "version_id"]
    names += [f"sites-{row}-{column}" for row in range(3) for column in ("district", "places", "remove", "name")]
    return names


@STEPS
@FUZZ
@given(data=st.data())
def test_no_step_form_gives_a_server_error(client, offer, slug, data):
    values = data.draw(st.dictionaries(st.sampled_from(every_name(slug)), odd_value, max_size=8))
    current = stored(offer).working_version
    form = {**STEP_INPUT[slug], "action": "entwurf", "version_id": str(current.version_id), **values}
    assert_no_server_error(client.post(step_url(offer, slug), data=form))
    assert_no_server_error(client.get(step_url(offer, slug)))


@FUZZ
@given(values=st.dictionaries(st.sampled_from(["offer_type", "title", "form_token"]), odd_value))
def test_the_new_offer_form_never_gives_a_server_error(client, login, provider, values):
    login(provider)
    assert_no_server_error(client.post(f"{BASE}/neu", data=values))


@FUZZ
@given(action=st.sampled_from(ACTIONS), values=st.dictionaries(st.sampled_from(["version_id", "confirm"]), odd_value))
def test_the_actions_never_give_a_server_error(client, offer, action, values):
    assert_no_server_error(client.post(url(offer, action), data=values))
    assert_no_server_error(client.get(url(offer)))


@FUZZ
@given(data=st.data(), before=clean_text, control=st.sampled_from(CONTROLS), after=clean_text)
def test_a_control_character_in_any_text_gets_the_german_field_error(client, offer, data, before, control, after):
    slug = data.draw(st.sampled_from(TEXT_STEPS))
    name = data.draw(st.sampled_from(sorted(free_text_controls(slug))))
    kept = saved_value(stored(offer).working_version, name)
    page = text(post_step(client, offer, slug, "entwurf", **{name: before + control + after}))
    line_break_in_text_area = control in "\t\n\r" and is_text_area(slug, name)
    assert (FIELD_ERROR in page) is not line_break_in_text_area
    if not line_break_in_text_area:
        assert f'id="{name}-error"' in page
        assert saved_value(stored(offer).working_version, name) == kept


def test_every_control_character_is_refused_in_some_text(client, offer):
    """Each control character once, in turn in every text a provider can type."""
    fields = itertools.cycle([(slug, name) for slug in TEXT_STEPS for name in free_text_controls(slug)])
    accepted = []
    for control, (slug, name) in zip(CONTROLS, fields, strict=False):
        if control in "\t\n\r" and is_text_area(slug, name):
            continue  # line breaks and tabs belong into a text area
        page = text(post_step(client, offer, slug, "entwurf", **{name: f"vor{control}nach"}))
        if FIELD_ERROR not in page:
            accepted.append((f"U+{ord(control):04X}", name))
    assert accepted == []


def is_text_area(slug: str, name: str) -> bool:
    return any(field.name == name and field.type == "TextAreaField" for field in step_controls(slug))


@pytest.mark.parametrize("slug", TEXT_STEPS)
@FUZZ
@given(data=st.data())
def test_valid_text_round_trips_unchanged(client, offer, slug, data):
    limits = free_text_controls(slug)
    typed = {
        name: fit(data.draw(lines if is_text_area(slug, name) else clean_text), limit) for name, limit in limits.items()
    }
    typed = {name: value.strip() for name, value in typed.items()}  # a cut may end in white space
    response = post_step(client, offer, slug, "entwurf", **typed)
    assert location(response).endswith(url(offer))
    version = stored(offer).working_version
    saved = {name: saved_value(version, name) for name in typed}
    assert saved == typed
    shown = Page(text(client.get(step_url(offer, slug)))).values
    assert {name: shown[name] for name in typed} == typed


def saved_value(version, name: str) -> str:
    if name.startswith("sites-"):
        _, row, column = name.split("-")
        return getattr(version.sites[int(row)], column)
    return getattr(version, name)


@FUZZ
@given(
    start=st.dates(min_value=date.today() + timedelta(days=60), max_value=date.today() + timedelta(days=700)),
    days=st.integers(min_value=0, max_value=1000),  # up to 33 months: within the 36 allowed
    hours=st.decimals(min_value=1, max_value=30, places=1),
    rate=st.decimals(min_value=1, max_value=Decimal("2.5"), places=2),
    supervision=st.decimals(min_value=0, max_value=130, places=2),
    percent=st.integers(min_value=0, max_value=100),
)
def test_valid_numbers_and_dates_round_trip_unchanged(client, offer, start, days, hours, rate, supervision, percent):
    end = start + timedelta(days=days)
    german = {"start_date": f"{start:%d.%m.%Y}", "end_date": end.isoformat(), "hours_per_week": comma(hours)}
    assert location(post_step(client, offer, "zeitraum", "entwurf", **german)).endswith(url(offer))
    money = {"mae_rate": comma(rate), "mkp_supervision": comma(supervision)}
    assert location(post_step(client, offer, "kosten", "entwurf", **money)).endswith(url(offer))
    percentage = {"qualification_percent": str(percent)}
    assert location(post_step(client, offer, "betreuung", "entwurf", **percentage)).endswith(url(offer))
    version = stored(offer).working_version
    assert (version.start_date, version.end_date, version.hours_per_week) == (start, end, hours)
    assert (version.mae_rate, version.mkp_supervision, version.qualification_percent) == (rate, supervision, percent)
    assert_shown(client, offer, "zeitraum", start_date=start.isoformat(), end_date=end.isoformat())
    assert_shown(client, offer, "zeitraum", hours_per_week=comma(hours, 1))
    assert_shown(client, offer, "kosten", mae_rate=comma(rate, 2), mkp_supervision=comma(supervision, 2))
    assert_shown(client, offer, "betreuung", qualification_percent=str(percent))


def comma(number: Decimal, places: int | None = None) -> str:
    """A number as Germans write it (and the form shows it, with `places` decimals)."""
    written = str(number) if places is None else f"{number:.{places}f}"
    return written.replace(".", ",")


def assert_shown(client, offer, slug: str, **expected: str) -> None:
    shown = Page(text(client.get(step_url(offer, slug)))).values
    assert {name: shown[name] for name in expected} == expected


@FUZZ
@given(start=odd_date, end=odd_date)
@example(start="01.12.9999", end="9999-12-31")  # the last day a date can have
@example(start="0001-01-01", end="9999-12-30")  # a period, and a cost, beyond any column
def test_odd_dates_never_give_a_server_error_and_only_plausible_years_are_kept(client, offer, start, end):
    response = post_step(client, offer, "zeitraum", "entwurf", start_date=start, end_date=end)
    assert_no_server_error(response)
    version = stored(offer).working_version
    for day in (version.start_date, version.end_date):
        assert date(2000, 1, 1) <= day <= date(2099, 12, 31)
