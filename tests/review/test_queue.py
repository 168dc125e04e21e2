"""The review queue: what it lists, its filters and sorting (plain GET parameters), and its cost in SQL."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from flask import request

from portal.extensions import db
from portal.models import utcnow
from portal.offers.models import OfferType, VersionStatus
from portal.review.forms import QueueFilterForm
from portal.review.queries import QueueFilter, review_queue, waiting_count, waiting_days
from tests.accounts.helpers import text
from tests.review.helpers import counted_statements, revise

QUEUE = "/portal/pruefung/"


def order_of(page: str, *titles: str) -> list[str]:
    """The titles in the order the page shows them."""
    assert all(title in page for title in titles), titles
    return sorted(titles, key=page.index)


def test_lists_every_version_waiting_for_a_decision_and_nothing_else(browser, staff, provider, factories, submitted):
    for status in VersionStatus:
        submitted(status=status, title=f"Titel {status.value}")
    live = submitted(status=VersionStatus.APPROVED, title="Altes Angebot")
    revise(provider, live, title="Geändertes Angebot")

    page = text(browser(staff).get(QUEUE))

    shown = {"submitted", "in_review", "resubmitted", "first_approved"}
    for status in VersionStatus:
        assert (f"Titel {status.value}" in page) == (status.value in shown), status
    assert "Geändertes Angebot" in page
    assert "Änderung eines genehmigten Angebots" in page
    assert "5 Anträge in der Prüfliste" in page
    assert waiting_count() == 5


def test_shows_waiting_time_holder_and_second_approval(browser, staff, approver, submitted):
    waiting = submitted(title="Wartet lange", waiting=timedelta(days=12, hours=1))
    waiting.current.assigned_to_id = staff.id
    submitted(status=VersionStatus.FIRST_APPROVED, title="Halb freigegeben", first_approved_by_id=approver.id)
    submitted(title="Großes Angebot", places_total=40)

    page = text(browser(staff).get(QUEUE))

    assert "12 Tage" in page
    assert "Sachbearbeiterin Stein" in page
    assert "ja, fehlt noch" in page  # first approval given, the second is missing
    assert ">ja<" in page  # above the threshold
    assert "niemand" in page


def test_filters_by_status_type_district_provider_waiting_time_and_holder(browser, staff, factories, submitted):
    submitted(title="Neu eingereicht")
    submitted(status=VersionStatus.IN_REVIEW, title="Schon in Prüfung").current.assigned_to_id = staff.id
    submitted(title="Aktivierung im Quartier", offer_type=OfferType.OTHER)
    submitted(title="Am Hafen").current.sites[0].district = "Hafen"
    other = factories.offer(
        organisation=factories.organisation(name="Anderer Träger e. V."),
        status=VersionStatus.SUBMITTED,
        title="Vom anderen Träger",
    )
    submitted(title="Seit Wochen", waiting=timedelta(days=30))
    factories.offer(status=VersionStatus.DRAFT, organisation=other.organisation, title="Entwurf")
    client = browser(staff)

    def titles(**query: str) -> set[str]:
        page = text(client.get(QUEUE, query_string=query))
        every = (
            "Neu eingereicht",
            "Schon in Prüfung",
            "Aktivierung im Quartier",
            "Am Hafen",
            "Vom anderen Träger",
            "Seit Wochen",
        )
        return {title for title in every if title in page}

    assert titles(status="in_review") == {"Schon in Prüfung"}
    assert titles(art="other") == {"Aktivierung im Quartier"}
    assert titles(stadtteil="Hafen") == {"Am Hafen"}
    assert titles(traeger=str(other.organisation_id)) == {"Vom anderen Träger"}
    assert titles(wartezeit="28") == {"Seit Wochen"}
    assert titles(wartezeit="7", art="other") == set()
    assert titles(bearbeitung="ich") == {"Schon in Prüfung"}
    assert "Schon in Prüfung" not in titles(bearbeitung="frei")
    assert len(titles(bearbeitung="frei")) == 5


def test_unknown_filter_values_mean_no_filter(browser, staff, submitted):
    submitted(title="Bleibt sichtbar")
    response = browser(staff).get(
        QUEUE,
        query_string={
            "status": "draft",
            "art": "x",
            "stadtteil": "Mond",
            "traeger": "abc",
            "wartezeit": "3",
            "bearbeitung": "alle",
            "sortierung": "zufall",
        },
    )
    assert response.status_code == 200
    assert "Bleibt sichtbar" in text(response)


def test_empty_queue_explains_itself(browser, staff):
    client = browser(staff)
    assert "Zurzeit wartet nichts auf eine Entscheidung" in text(client.get(QUEUE))
    assert "Bitte ändern Sie die Filter" in text(client.get(QUEUE, query_string={"status": "submitted"}))


def test_filter_form_is_a_plain_get_form_with_labels(browser, staff, submitted):
    submitted(title="Irgendwas")
    page = text(browser(staff).get(QUEUE))
    assert '<form method="get"' in page
    for name in ("status", "art", "stadtteil", "traeger", "wartezeit", "bearbeitung", "sortierung"):
        assert f'<label class="kern-label" for="{name}">' in page
    assert "<legend" in page
    assert 'type="submit"' in page
    assert "<script" not in page.split("</head>")[1]


def test_provider_filter_offers_the_waiting_providers_escaped_with_the_choice_kept(browser, staff, factories):
    organisation = factories.organisation(name='Hilfe <&> "Zukunft" e. V.')
    factories.offer(organisation=organisation, status=VersionStatus.SUBMITTED, title="Wartet")
    factories.organisation(name="Ohne Antrag e. V.")
    db.session.commit()

    page = text(browser(staff).get(QUEUE, query_string={"traeger": str(organisation.id), "sortierung": "titel"}))

    assert f'<option value="{organisation.id}" selected>Hilfe &lt;&amp;&gt; &quot;Zukunft&quot; e. V.</option>' in page
    assert '<option value="titel" selected>Bezeichnung (A bis Z)</option>' in page
    assert page.count(" selected>") == 2  # nothing else chosen
    assert "Ohne Antrag e. V." not in page
    assert "Wartet" in page


def test_sorting(browser, staff, submitted):
    submitted(title="Bäckerei", waiting=timedelta(days=3), places_total=5)
    submitted(title="Atelier", waiting=timedelta(days=1), places_total=40)
    submitted(title="Chor", waiting=timedelta(days=9), places_total=10)
    client = browser(staff)

    def order(sort: str) -> list[str]:
        return order_of(text(client.get(QUEUE, query_string={"sortierung": sort})), "Atelier", "Bäckerei", "Chor")

    assert order("wartezeit") == ["Chor", "Bäckerei", "Atelier"]
    assert order("eingang") == ["Atelier", "Bäckerei", "Chor"]
    assert order("kosten") == ["Atelier", "Chor", "Bäckerei"]
    assert order("titel") == ["Atelier", "Bäckerei", "Chor"]
    assert order_of(text(client.get(QUEUE)), "Atelier", "Bäckerei", "Chor") == ["Chor", "Bäckerei", "Atelier"]


def test_queue_page_needs_the_same_number_of_statements_for_one_or_many_rows(browser, staff, factories, submitted):
    client = browser(staff)
    first = submitted(title="Erstes")
    first.current.assigned_to_id = staff.id
    client.get(QUEUE)  # warm up: the signed-in user is loaded the same way every time
    with counted_statements() as one:
        assert "Erstes" in text(client.get(QUEUE))
    for number in range(5):
        offer = factories.offer(
            organisation=factories.organisation(), status=VersionStatus.RESUBMITTED, title=f"Weiteres {number}"
        )
        offer.current.assigned_to_id = factories.staff().id
    db.session.flush()
    with counted_statements() as many:
        assert "Weiteres 4" in text(client.get(QUEUE))
    assert len(many) == len(one), (one, many)
    assert len(one) < 10


def test_waiting_days_fall_back_to_the_status_change():
    class Version:
        submitted_at = None
        status_changed_at = utcnow() - timedelta(days=2, hours=3)

    assert waiting_days(Version()) == 2  # type: ignore[arg-type]


def test_review_queue_query_directly(app, staff, provider, submitted):
    cheap = submitted(title="Günstig", places_total=2)
    costly = submitted(title="Teuer", places_total=30)
    costly.current.assigned_to_id = staff.id
    items = review_queue(QueueFilter(sort="kosten"), staff.id).items
    assert [item.offer_id for item in items] == [costly.id, cheap.id]
    assert items[0].total_cost == costly.current.total_cost > Decimal(0)
    assert (items[0].holder, items[1].holder) == ("Sachbearbeiterin Stein", None)
    assert items[0].organisation == provider.organisation.name
    assert items[0].type_label == "Arbeitsgelegenheit mit Mehraufwandsentschädigung (Zusatzjob)"
    assert items[0].status_label == costly.current.status_label
    assert not items[0].is_revision


def test_filter_form_reads_only_known_values(app):
    with app.test_request_context("/?status=in_review&traeger=7&wartezeit=14&bearbeitung=ich&sortierung=titel"):
        criteria = QueueFilterForm(formdata=request.args).criteria()
    assert criteria == QueueFilter(
        status=VersionStatus.IN_REVIEW, organisation_id=7, waiting_days=14, holder="ich", sort="titel"
    )
