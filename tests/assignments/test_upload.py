"""The upload of assignments by staff: the file, its preview, one import of all rows, never twice."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from sqlalchemy import select

from portal import storage
from portal.accounts.models import User
from portal.assignments import services
from portal.assignments.models import Assignment, AssignmentStatus
from portal.audit.models import AuditEntry
from portal.errors import ServiceError
from portal.extensions import db
from portal.offers.models import Offer
from tests.factories import Factories

HEADER = "Kundennummer;Initialen;Angebot;Einsatzstelle;Beginn;Ende;Wochenstunden;Wochentage;MAE-Satz"


def export(offer: Offer, *hours: str) -> bytes:
    """A CSV export with one assignment per weekly-hours value (an invalid value is a bad row)."""
    lines = [
        f"{100 + index}A456789;M. K.;{offer.id};;01.03.2026;31.08.2026;{value};Mo–Fr;1,50"
        for index, value in enumerate(hours)
    ]
    return "\n".join([HEADER, *lines]).encode()


def assignments() -> list[Assignment]:
    return list(db.session.scalars(select(Assignment).order_by(Assignment.id)))


def test_the_service_imports_every_row_as_a_proposed_audited_assignment(green: Offer, factories: Factories) -> None:
    staff = factories.staff()
    first = services.import_assignments(staff, "zuweisungen.csv", export(green, "20", "19,5", "30"))
    made = assignments()
    assert first == made[0]
    assert [(item.participant.customer_number, item.weekly_hours) for item in made] == [
        ("100A456789", 20),
        ("101A456789", 19.5),
        ("102A456789", 30),
    ]
    assert {item.status for item in made} == {AssignmentStatus.PROPOSED}
    assert {item.created_by_id for item in made} == {staff.id}
    ids = sorted(str(item.id) for item in made)  # the audit log outlives the parallel tests' committed rows
    logged = select(AuditEntry.object_id).filter_by(action="assignment_created").where(AuditEntry.object_id.in_(ids))
    assert sorted(db.session.scalars(logged)) == ids


def test_the_same_file_imports_once(green: Offer, factories: Factories) -> None:
    staff = factories.staff()
    content = export(green, "20", "30")
    first = services.import_assignments(staff, "zuweisungen.csv", content)
    again = services.import_assignments(factories.staff(), "kopie.csv", content)
    assert again == first
    assert len(assignments()) == 2
    assert services.imported(services.content_token(content))


def test_a_bad_row_stores_nothing(green: Offer, factories: Factories) -> None:
    with pytest.raises(ServiceError, match=r"Zeile 3, Spalte „Wochenstunden“: „viel“ ist keine Zahl"):
        services.import_assignments(factories.staff(), "zuweisungen.csv", export(green, "20", "viel"))
    assert assignments() == []
    assert not services.imported(services.content_token(export(green, "20", "viel")))


def test_a_provider_cannot_import(green: Offer, factories: Factories) -> None:
    with pytest.raises(ServiceError, match="Beschäftigte der ARGE"):
        services.import_assignments(factories.provider(), "zuweisungen.csv", export(green, "20"))
    assert assignments() == []


def test_the_command_line_imports_without_a_user(green: Offer) -> None:
    services.import_assignments(None, "zuweisungen.csv", export(green, "20"))
    [made] = assignments()
    assert made.created_by_id is None
    entry = db.session.scalars(select(AuditEntry).filter_by(action="assignment_created", object_id=str(made.id))).one()
    assert (entry.actor_id, entry.actor_email) == (None, services.COMMAND_LINE)


# --- the pages ------------------------------------------------------------------------------------


def send(client, content: bytes, name: str = "zuweisungen.csv"):
    return client.post("/portal/zuweisungen/hochladen", data={"upload": (io.BytesIO(content), name)})


def hidden(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input[^>]*name="(key|sha256|filename)"[^>]*value="([^"]*)"', html))


def test_upload_preview_and_import(client, login, green: Offer, factories: Factories) -> None:
    staff: User = factories.staff()
    login(staff)
    assert "Zuweisungen hochladen" in client.get("/portal/").get_data(as_text=True)
    assert client.get("/portal/zuweisungen/hochladen").status_code == 200
    preview = send(client, export(green, "20", "30"))
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Vorschau: 2 Zuweisungen" in html
    assert [number in html for number in ("100A456789", "101A456789", "Mo–Fr")] == [True] * 3
    assert assignments() == []  # a preview stores nothing
    form = hidden(html)
    assert set(form) == {"key", "sha256", "filename"}
    done = client.post("/portal/zuweisungen/hochladen/import", data=form)
    assert done.status_code == 302
    assert "sind angelegt" in client.get(done.location).get_data(as_text=True)
    assert len(assignments()) == 2
    again = client.post("/portal/zuweisungen/hochladen/import", data=form)
    assert "bereits importiert" in client.get(again.location).get_data(as_text=True)
    assert len(assignments()) == 2


def test_a_bad_row_is_shown_with_its_number_and_nothing_is_stored(client, login, green: Offer, factories) -> None:
    login(factories.staff())
    html = send(client, export(green, "20", "viel")).get_data(as_text=True)
    assert "Die Datei lässt sich so nicht importieren" in html
    assert re.search(r"<th scope=\"row\">3</th><td>Wochenstunden</td><td>„viel“ ist keine Zahl", html)
    assert "/hochladen/import" not in html  # no preview, no import button
    assert assignments() == []


def test_a_changed_file_is_not_imported(client, login, green: Offer, factories) -> None:
    login(factories.staff())
    form = hidden(send(client, export(green, "20")).get_data(as_text=True))
    forged = client.post("/portal/zuweisungen/hochladen/import", data={**form, "sha256": "0" * 64})
    assert "nicht mehr vor" in client.get(forged.location).get_data(as_text=True)
    assert assignments() == []
    assert storage.delete("imports", form["key"])  # kept for the real import (the storage serves the session)


def test_providers_may_not_upload(client, login, green: Offer, factories) -> None:
    login(factories.provider())
    assert client.get("/portal/zuweisungen/hochladen").status_code == 403
    assert send(client, export(green, "20")).status_code == 403
    assert assignments() == []


# --- the checks of a single assignment, row by row ---------------------------------------------------


def rows(*lines: str) -> bytes:
    return "\n".join([HEADER, *lines]).encode()


def row(offer: Offer, start: str, end: str, number: str = "200A456789") -> str:
    return f"{number};M. K.;{offer.id};;{start};{end};20;Mo–Fr;1,50"


@pytest.fixture
def fifteen_months_elsewhere(factories: Factories) -> None:
    """200A456789 spent March 2023 to May 2024 (15 months) in another provider's AGH: the frame runs to February
    2028, 9 months are left."""
    elsewhere = factories.live_offer(start_date=date(2023, 3, 1), end_date=date(2024, 5, 31))
    factories.assignment(elsewhere, customer_number="200A456789")


def test_a_row_beyond_24_months_is_refused_with_its_number_and_nothing_is_stored(
    client, login, green: Offer, factories: Factories, fifteen_months_elsewhere: None
) -> None:
    """15 months + March to August 2026 (6) = 21 fit; with January to June 2025 (6) in the row before, 27 do not."""
    earlier = factories.live_offer(start_date=date(2025, 1, 1), end_date=date(2025, 12, 31))
    login(factories.staff())
    fits = send(client, rows(row(green, "01.03.2026", "31.08.2026")))
    assert "Vorschau: 1 Zuweisung" in fits.get_data(as_text=True)
    html = send(client, rows(row(earlier, "01.01.2025", "30.06.2025"), row(green, "01.03.2026", "31.08.2026")))
    text = html.get_data(as_text=True)
    assert "Die Datei lässt sich so nicht importieren" in text
    assert re.search(r"<th scope=\"row\">3</th><td>Ende</td><td>Der Fünfjahreszeitraum", text)
    assert "Höchstdauer um 3 Monate überschritten" in text
    assert "indem Sie diese Zuweisung einzeln anlegen" in text
    assert '<th scope="row">2</th>' not in text  # the first row fits
    assert "/hochladen/import" not in text
    assert len(assignments()) == 1  # only the one elsewhere
    checks = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "participant_data_viewed")).all()
    assert sum("200A456789 geprüft" in entry.details for entry in checks) == 3  # one per row and upload


def test_over_booking_is_shown_per_row_and_imports_only_when_confirmed(client, login, factories: Factories) -> None:
    one_place = factories.live_offer(start_date=date(2026, 1, 1), end_date=date(2026, 12, 31), places_total=1)
    login(factories.staff())
    html = send(client, export(one_place, "20", "20")).get_data(as_text=True)
    assert "Mehr Zuweisungen als Plätze" in html
    assert "Bei 1 Zeile wären mehr Plätze belegt" in html
    assert re.search(
        r"<th scope=\"row\">3</th>.*Das Angebot hat 1 Platz; mit dieser Zuweisung wären 2 belegt", html, re.S
    )
    form = hidden(html)
    refused = client.post("/portal/zuweisungen/hochladen/import", data=form)
    assert refused.status_code == 200
    assert "Bitte bestätigen Sie, dass Sie trotz der Warnungen importieren möchten." in refused.get_data(as_text=True)
    assert assignments() == []
    done = client.post("/portal/zuweisungen/hochladen/import", data={**form, "confirm_overbooking": "y"})
    assert done.status_code == 302
    assert len(assignments()) == 2
