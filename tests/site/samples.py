"""Sample snapshots for building test sites without a database, and the XSS payloads of docs/security.md 15."""

from __future__ import annotations

from typing import Any

from portal.publishing.snapshot import OFFER_FIELDS, SCHEMA_VERSION
from portal.text import clean

PAYLOADS = [
    "</title><script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
    "{{ config }}",
    "{% raw %}{{ 7*7 }}{% endraw %}",
    "[Klick](javascript:alert(1)) ![Bild](https://evil.example/x.png)",
    '<a href="javascript:alert(1)">x</a>',
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    'data-search-exclude="1" style="color:red" onmouseover="alert(1)"',
    "\u202eRTL-Umkehrung\u202c und עברית und العربية",
    "Steuerzeichen\x00\x02wzxhzdk:0\x03\x1b[31m Ende",
    "<!-- Kommentar --> <style>body{display:none}</style>",
    "Sehr lang " + "ä" * 3000,
]
# Provider text fields of an offer and of its work sites.
TEXT_FIELDS = (
    "title",
    "provider",
    "provider_contact",
    "goal",
    "tasks",
    "requirements",
    "hours_distribution",
    "barrier_free_notes",
)
SITE_FIELDS = ("name", "street", "postal_code", "district")
UNIQUE_WORD = "Obstbaumschnitt"  # appears only in the tasks of offer 2


def visible(payload: str) -> str:
    """How a payload reads on the page: control characters dropped, whitespace collapsed."""
    return " ".join(clean(payload).split())


def sample_offer(offer_id: int, **values: Any) -> dict[str, Any]:
    offer: dict[str, Any] = {
        "id": offer_id,
        "url": f"angebote/{offer_id}/",
        "title": f"Pflege der Grünanlagen {offer_id}",
        "provider": "Caritasverband Musterstadt e. V.",
        "provider_contact": "Telefon 0221 1234\nMontag bis Freitag 9 bis 12 Uhr",
        "provider_website": "https://caritas.example/",
        "type": "agh_mae",
        "type_label": "Arbeitsgelegenheit mit Mehraufwandsentschädigung (Zusatzjob)",
        "legal_basis": "§ 16d SGB II",
        "field_of_work": "gruenpflege",
        "field_of_work_label": "Grünpflege",
        "goal": "Eine feste Tagesstruktur und Arbeit im Team.",
        "tasks": "Rasen mähen, Beete pflegen und Hecken schneiden.",
        "requirements": "Keine Vorkenntnisse nötig.",
        "districts": ["Nordstadt", "Südstadt"],
        "sites": [
            {"name": "Stadtpark", "street": "Parkweg 1", "postal_code": "50667", "district": "Nordstadt", "places": 4},
            {"name": "Schulhof", "street": "Schulweg 2", "postal_code": "50677", "district": "Südstadt", "places": 4},
        ],
        "places_total": 8,
        "places_free": 3,
        "hours_per_week": 20,
        "hours_distribution": "Montag bis Freitag vormittags",
        "start": "2026-12-01",
        "end": "2027-05-31",
        "target_groups": ["unter_25", "alleinerziehende"],
        "target_group_labels": ["Unter 25 Jahren", "Alleinerziehende"],
        "barrier_free": True,
        "barrier_free_notes": "Ebenerdiger Zugang.",
        "updated": "2026-11-20T10:00:00+00:00",
    }
    offer.update(values)
    assert tuple(offer) == OFFER_FIELDS
    return offer


def hostile_offer(offer_id: int, payload: str) -> dict[str, Any]:
    """An offer with the payload in every provider text field, its sites, its district and website."""
    site = dict.fromkeys(SITE_FIELDS, payload) | {"places": 2}
    return sample_offer(
        offer_id,
        **dict.fromkeys(TEXT_FIELDS, payload),
        provider_website=payload,
        districts=[payload],
        sites=[site],
        field_of_work=payload,
        field_of_work_label=payload,
        target_groups=[payload],
        target_group_labels=[payload],
    )


def sample_snapshot(offers: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    if offers is None:
        offers = [
            sample_offer(1),
            sample_offer(2, title="Obstwiese am Stadtrand", tasks=f"{UNIQUE_WORD} und Ernte der Äpfel."),
            sample_offer(
                3,
                title="Mittagstisch im Stadtteilzentrum",
                field_of_work="hauswirtschaft",
                field_of_work_label="Hauswirtschaft",
                districts=["Altstadt"],
                sites=[
                    {
                        "name": "Zentrum",
                        "street": "Markt 3",
                        "postal_code": "50668",
                        "district": "Altstadt",
                        "places": 5,
                    }
                ],
                places_total=5,
                places_free=0,
                hours_per_week=15.5,
                barrier_free=None,
                end=None,
            ),
        ]
        offers += [hostile_offer(100 + number, payload) for number, payload in enumerate(PAYLOADS)]
    return {"schema_version": SCHEMA_VERSION, "generated": "2026-11-24T09:00:00+00:00", "offers": offers}
