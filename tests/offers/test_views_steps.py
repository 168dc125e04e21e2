"""The step forms: rules with German messages next to the field, drafts with gaps, work site rows, conflicts."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from portal.offers.models import MunicipalKind, OfferType, VersionStatus
from tests.accounts.helpers import location, text
from tests.offers.view_helpers import post_step, step_url, stored, url

CAP_MESSAGE = "Höchstens 30 Stunden pro Woche einschließlich Qualifizierung sind erlaubt."


def error_at(page: str, field_id: str, message: str) -> bool:
    """The message shows next to the field and links from the error summary to it."""
    return f'id="{field_id}-error"' in page and f'href="#{field_id}"' in page and message in page


@pytest.mark.parametrize(
    ("slug", "data", "field_id", "message"),
    [
        ("zeitraum", {"hours_per_week": "31"}, "hours_per_week", CAP_MESSAGE),
        (
            "zeitraum",
            {"start_date": "2030-05-01", "end_date": "2030-04-30"},
            "end_date",
            "Das Ende darf nicht vor dem Beginn liegen.",
        ),
        (
            "zeitraum",
            {"start_date": "2030-01-01", "end_date": "2033-06-30"},
            "end_date",
            "Der Zeitraum darf höchstens 36 Monate lang sein.",
        ),
        (
            "einsatzstellen",
            {"places_total": "12"},
            "places_total",
            "Die Plätze der Einsatzstellen ergeben zusammen 8, angegeben sind 12. Bitte gleichen Sie die Zahlen an.",
        ),
        (
            "kosten",
            {"mae_rate": "3,00"},
            "mae_rate",
            "Die Mehraufwandsentschädigung muss zwischen 1,00 € und 2,50 € pro Stunde liegen.",
        ),
        (
            "kosten",
            {"mkp_supervision": "140"},
            "mkp_supervision",
            "Für Betreuung und Verwaltung sind höchstens 130,00 € pro Platz und Monat möglich.",
        ),
        (
            "kriterien",
            {"justification_competition": "  "},
            "justification_competition",
            "Bitte begründen Sie, warum die Arbeit wettbewerbsneutral ist.",
        ),
        ("zeitraum", {"hours_per_week": "zwanzig"}, "hours_per_week", "höchstens einer Nachkommastelle"),
        ("zeitraum", {"hours_per_week": "19,75"}, "hours_per_week", "zum Beispiel 19,5"),
        ("zeitraum", {"start_date": "morgen"}, "start_date", "Bitte geben Sie ein gültiges Datum an"),
        ("betreuung", {"qualification_percent": "12,5"}, "qualification_percent", "eine ganze Zahl"),
        ("kosten", {"mkp_material": "NaN"}, "mkp_material", "höchstens 2 Nachkommastellen"),
        ("kosten", {"mkp_material": "1e400"}, "mkp_material", "zum Beispiel 1,50"),
        ("zielgruppen", {"barrier_free": ["vielleicht"]}, "barrier_free", "Bitte wählen Sie Ja oder Nein."),
        ("zielgruppen", {"target_groups": ["unter_25", "alle"]}, "target_groups", "nur Zielgruppen aus der Liste"),
        ("kontakt", {"contact_email": "jana(at)traeger"}, "contact_email", "gültige E-Mail-Adresse"),
    ],
)
def test_a_broken_rule_shows_next_to_its_field_and_keeps_the_stored_value(client, offer, slug, data, field_id, message):
    before = stored(offer).working_version.content()
    response = post_step(client, offer, slug, **data)
    page = text(response)
    assert response.status_code == 200
    assert error_at(page, field_id, message), page
    assert "kern-form-input--error" in page or "kern-fieldset--error" in page
    for typed in (value for value in data.values() if isinstance(value, str) and value.strip()):
        assert f'value="{typed}"' in page or typed in page  # nothing the user typed is lost
    assert stored(offer).working_version.content()[field_id] == before[field_id]


def test_german_numbers_and_typed_dates_are_understood(client, offer):
    response = post_step(
        client, offer, "zeitraum", start_date="01.03.2031", end_date="2031-08-31", hours_per_week="19,5"
    )
    assert location(response).endswith(step_url(offer, "zielgruppen"))
    version = stored(offer).working_version
    assert (version.start_date, version.hours_per_week) == (date(2031, 3, 1), Decimal("19.5"))
    post_step(client, offer, "kosten", mkp_supervision="130,00", mkp_material="99.5")
    assert stored(offer).working_version.mkp_supervision == Decimal("130.00")
    page = text(client.get(step_url(offer, "kosten")))
    assert 'value="130,00"' in page
    assert 'value="99,50"' in page
    assert "Höchstens 130,00 €." in page


def test_hours_above_the_cap_are_fine_for_other_types(client, login, factories, provider):
    login(provider)
    offer = factories.offer(organisation=provider.organisation, offer_type=OfferType.OTHER, mae_rate=None)
    response = post_step(client, offer, "zeitraum", hours_per_week="35")
    assert location(response).endswith(step_url(offer, "zielgruppen"))
    assert stored(offer).working_version.hours_per_week == Decimal(35)


def test_a_draft_keeps_what_is_valid_and_shows_the_rest(client, offer):
    response = post_step(client, offer, "zeitraum", "entwurf", hours_per_week="99", hours_distribution="Nur vormittags")
    page = text(response)
    assert response.status_code == 200
    assert "Bitte geben Sie 1 bis 60 Stunden an." in page
    assert 'value="99"' in page
    version = stored(offer).working_version
    assert version.hours_distribution == "Nur vormittags"
    assert version.hours_per_week == Decimal(20)
    assert f'name="version_id" type="hidden" value="{version.version_id}"' in page  # the next save is no conflict
    again = post_step(client, offer, "zeitraum", "entwurf", hours_per_week="25", hours_distribution="Nur vormittags")
    assert location(again).endswith(url(offer))
    assert "Ihre Angaben sind als Entwurf gespeichert." in text(client.get(url(offer)))


def test_a_draft_may_have_gaps_but_going_on_needs_the_step(client, offer):
    empty = {"justification_additional": "", "justification_public_interest": "", "justification_competition": ""}
    assert location(post_step(client, offer, "kriterien", "entwurf", **empty)).endswith(url(offer))
    assert stored(offer).working_version.justification_additional == ""
    page = text(client.get(url(offer)))
    assert "Nicht begonnen" in page
    response = post_step(client, offer, "betreuung", supervision_ratio="", qualification_percent="")
    page = text(response)
    assert "Bitte korrigieren Sie die folgenden 2 Angaben" in page
    assert error_at(page, "supervision_ratio", "Bitte geben Sie den Betreuungsschlüssel an, zum Beispiel 1:10.")
    assert error_at(page, "qualification_percent", "Bitte geben Sie den Anteil der Qualifizierung an")


def test_the_lead_time_warning_is_a_warning_and_submitting_still_works(client, offer):
    soon = date.today() + timedelta(days=14)
    response = post_step(
        client, offer, "zeitraum", start_date=soon.isoformat(), end_date=(soon + timedelta(days=90)).isoformat()
    )
    assert location(response).endswith(step_url(offer, "zielgruppen"))
    warning = "Anträge sollen etwa 8 Wochen vor dem Beginn eingehen."
    assert warning in text(client.get(step_url(offer, "zielgruppen")))  # told once when saving
    step_page = text(client.get(step_url(offer, "zeitraum")))
    assert warning in step_page
    assert "kern-alert--warning" in step_page
    assert "kern-error" not in step_page
    check = text(client.get(url(offer, "pruefen")))
    assert warning in check
    assert "Antrag einreichen</span>" in check
    version = stored(offer).working_version
    client.post(url(offer, "einreichen"), data={"version_id": version.version_id, "confirm": "y"})
    assert stored(offer).working_version.status == VersionStatus.SUBMITTED


def test_another_work_site_row_is_added_without_javascript(client, offer):
    response = post_step(client, offer, "einsatzstellen", "einsatzstelle")
    page = text(response)
    assert response.status_code == 200
    assert 'id="sites-2-name"' in page
    assert "Name der Einsatzstelle 3" in page
    assert [site.name for site in stored(offer).working_version.sites] == ["Stadtgarten Nord", "Schulgarten Süd"]
    blank_row = {f"sites-2-{name}": "" for name in ("name", "street", "postal_code", "district", "places")}
    assert location(post_step(client, offer, "einsatzstellen", **blank_row)).endswith(step_url(offer, "zeitraum"))
    assert len(stored(offer).working_version.sites) == 2


def test_a_work_site_row_is_removed(client, offer):
    response = post_step(client, offer, "einsatzstellen", "entwurf", places_total="5", **{"sites-1-remove": "y"})
    assert location(response).endswith(url(offer))
    assert [site.name for site in stored(offer).working_version.sites] == ["Stadtgarten Nord"]
    added = text(
        post_step(client, offer, "einsatzstellen", "einsatzstelle", places_total="5", **{"sites-1-remove": "y"})
    )
    assert "Schulgarten Süd" not in added
    assert 'id="sites-1-name"' in added
    assert 'value=""' in added


def test_removing_every_row_leaves_an_empty_one_and_going_on_needs_a_site(client, offer):
    response = post_step(client, offer, "einsatzstellen", **{"sites-0-remove": "y", "sites-1-remove": "y"})
    page = text(response)
    assert error_at(page, "sites-0-name", "Bitte geben Sie mindestens eine Einsatzstelle an.")
    assert 'id="sites-0-name"' in page
    assert 'id="sites-1-name"' not in page


def test_an_incomplete_work_site_row_is_not_stored(client, offer):
    response = post_step(
        client, offer, "einsatzstellen", "entwurf", **{"sites-1-postal_code": "", "sites-1-places": "x"}
    )
    page = text(response)
    assert error_at(page, "sites-1-postal_code", "Bitte geben Sie die Postleitzahl an.")
    assert error_at(page, "sites-1-places", "Bitte geben Sie eine ganze Zahl an")
    assert "Postleitzahl der Einsatzstelle 2" in page
    assert "Die Plätze der Einsatzstellen ergeben" not in page
    assert [site.places for site in stored(offer).working_version.sites] == [10]


def test_a_municipal_service_needs_its_kind_and_has_no_allowance_or_criteria(client, offer):
    response = post_step(client, offer, "grunddaten", offer_type="municipal")
    assert error_at(text(response), "municipal_kind", "Bitte wählen Sie die Art der kommunalen Eingliederungsleistung.")
    response = post_step(client, offer, "grunddaten", offer_type="municipal", municipal_kind="debt_counselling")
    assert location(response).endswith(step_url(offer, "taetigkeit"))
    version = stored(offer).working_version
    assert (version.offer_type, version.municipal_kind) == (OfferType.MUNICIPAL, MunicipalKind.DEBT_COUNSELLING)
    kosten = text(client.get(step_url(offer, "kosten")))
    assert 'name="mae_rate"' not in kosten
    assert client.get(step_url(offer, "kriterien")).status_code == 404
    assert location(post_step(client, offer, "kontakt")).endswith(url(offer, "pruefen"))
    check = text(client.get(url(offer, "pruefen")))
    assert "Schuldnerberatung" in check
    assert "Mehraufwandsentschädigung je Stunde" not in check
    post_step(client, offer, "grunddaten", offer_type="other", municipal_kind="debt_counselling")
    assert stored(offer).working_version.municipal_kind is None


def test_an_unknown_step_is_not_found(client, offer):
    assert client.get(step_url(offer, "geheim")).status_code == 404


def test_a_stale_form_changes_nothing_and_says_why(client, offer):
    version = stored(offer).working_version
    seen = version.version_id
    post_step(client, offer, "zeitraum", "entwurf", hours_distribution="Erste Fassung")
    response = client.post(
        step_url(offer, "zeitraum"),
        data={"hours_distribution": "Zweite Fassung", "action": "entwurf", "version_id": str(seen)},
    )
    page = text(response)
    assert response.status_code == 200
    assert "Jemand anderes hat diese Daten inzwischen geändert. Ihre Änderung wurde nicht gespeichert." in page
    assert "Zweite Fassung" in page
    assert f'name="version_id" type="hidden" value="{seen}"' in page
    assert stored(offer).working_version.hours_distribution == "Erste Fassung"
    garbled = client.post(step_url(offer, "zeitraum"), data={"hours_distribution": "Dritte", "version_id": "abc"})
    assert "Jemand anderes" in text(garbled)
