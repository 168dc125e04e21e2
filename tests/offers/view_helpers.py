"""Helpers of the offer page tests: URLs, form input for every step, other browsers, stored objects."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from portal.extensions import db
from portal.offers.models import Offer, OfferVersion

BASE = "/portal/angebote"
START = date.today() + timedelta(days=100)
# What a provider types into each step of a complete work opportunity (AGH): 8 places at two sites.
STEP_INPUT: dict[str, dict[str, Any]] = {
    "grunddaten": {"offer_type": "agh_mae", "title": "Stadtgärten pflegen", "goal": "Tagesstruktur, Teamarbeit"},
    "taetigkeit": {"field_of_work": "gruenpflege", "tasks": "Beete pflegen, Laub sammeln"},
    "einsatzstellen": {
        "places_total": "8",
        "sites-0-name": "Stadtgarten Nord",
        "sites-0-street": "Lindenweg 3",
        "sites-0-postal_code": "50670",
        "sites-0-district": "Nordstadt",
        "sites-0-places": "5",
        "sites-1-name": "Schulgarten Süd",
        "sites-1-street": "Schulstraße 9",
        "sites-1-postal_code": "50677",
        "sites-1-district": "Südstadt",
        "sites-1-places": "3",
    },
    "zeitraum": {
        "start_date": START.isoformat(),
        "end_date": (START + timedelta(days=180)).isoformat(),
        "hours_per_week": "19,5",
        "hours_distribution": "Montag bis Freitag, 8 bis 12 Uhr",
    },
    "zielgruppen": {
        "target_groups": ["unter_25", "alleinerziehende"],
        "requirements": "keine",
        "barrier_free": "ja",
        "barrier_free_notes": "",
    },
    "betreuung": {
        "supervision_ratio": "1:8",
        "supervisor_qualification": "Gärtnermeister",
        "social_work_concept": "Sprechstunde jeden Mittwoch",
        "qualification_percent": "20",
    },
    "kosten": {"mae_rate": "1,50", "mkp_supervision": "130", "mkp_material": "50,00", "mkp_social_work": "0"},
    "kriterien": {
        "justification_additional": "Ohne Förderung würden die Gärten nicht gepflegt.",
        "justification_public_interest": "Die Gärten sind für alle offen.",
        "justification_competition": "Kein Gartenbaubetrieb hat diese Arbeit je erhalten.",
    },
    "kontakt": {"contact_name": "Jana Beispiel", "contact_phone": "0221 445566", "contact_email": "jana@traeger.de"},
}


def url(offer: Offer, *parts: str) -> str:
    return "/".join([BASE, str(offer.id), *parts])


def step_url(offer: Offer, slug: str) -> str:
    return url(offer, "schritt", slug)


def post_step(
    client: FlaskClient,
    offer: Offer,
    slug: str,
    action: str = "weiter",
    version: OfferVersion | None = None,
    **data: Any,
) -> TestResponse:
    """Send a step form as the browser does: the version counter it was rendered with, the button pressed."""
    shown = version or stored(offer).working_version
    assert shown is not None
    form = {**STEP_INPUT[slug], **data, "action": action, "version_id": str(shown.version_id)}
    return client.post(step_url(offer, slug), data=form)


def stored(offer: Offer) -> Offer:
    """The offer as the database has it now."""
    db.session.expire_all()
    found = db.session.get(Offer, offer.id)
    assert found is not None
    return found


def browser(make_app: Callable[..., Flask], login: Callable[..., Any], user: Any) -> FlaskClient:
    """Another person's browser, on an app of its own (each request gets a fresh `g`, so its own user).

    The test's data is committed first: requests of the other app end the shared database session.
    """
    db.session.commit()
    client = make_app().test_client()
    login(user, test_client=client)
    return client
