"""The report pages with the test client: a provider's month from the first participant to the approved payment,
signed scans, the due and overdue lists, autosave and the messages on the way."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime
from decimal import Decimal

from openpyxl import load_workbook
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from portal import pdfcheck, storage
from portal.assignments.forms import AssignmentForm
from portal.assignments.models import Assignment, AssignmentStatus
from portal.extensions import db
from portal.reports import services
from portal.reports.calc import CENT
from portal.reports.forms import grid_cells
from portal.reports.models import ParticipationReport, ReportStatus
from tests import pdfs
from tests.accounts.helpers import subjects
from tests.html_check import Page
from tests.reports.helpers import (
    CONFLICT,
    OFFER_END,
    TITLE,
    cell,
    draft,
    fresh,
    grid_form,
    grid_url,
    location,
    page,
    participants_url,
    text,
    upload,
    version_on,
)

TOO_LARGE = "Die Datei oder Eingabe ist zu groß"


def new_assignment(client, offer, **changes: str):
    data: dict[str, str] = {
        "customer_number": "123 a 456789",
        "initials": "m. k.",
        "start_date": "01.07.2025",
        "end_date": "2026-06-30",
        "weekly_hours": "20",
        "mae_rate": "1,50",
        "weekdays": "Mo–Fr",
        "site": "Stadtteilzentrum",
        **changes,
    }
    return client.post(f"/portal/angebote/{offer.id}/zuweisungen/neu", data=data)


def error_summary(html: str) -> list[str]:
    """The entries of the page's error summary, as read."""
    found = re.search(r'<div class="kern-alert kern-alert--danger error-summary".*?</ul>', html, re.S)
    assert found, "no error summary"
    return [" ".join(Page(item).texts).strip() for item in re.findall(r"<li>.*?</li>", found.group(0), re.S)]


def reports_of(offer) -> list[ParticipationReport]:
    return list(db.session.scalars(select(ParticipationReport).where(ParticipationReport.offer_id == offer.id)))


def german(amount: Decimal) -> str:
    return f"{amount:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")


# --- the journey ----------------------------------------------------------------------------------


def test_a_provider_reports_a_month_and_staff_approve_and_pay_it(
    app, client, login, browser, provider, staff, offer, mailbox
):
    desk = app.test_client()
    login(staff, test_client=desk)
    form = Page(page(desk, f"/portal/angebote/{offer.id}/zuweisungen/neu")).values
    assert (form["weekly_hours"], form["mae_rate"], form["end_date"]) == ("20,0", "1,50", "2026-06-30")
    for index in range(8):
        number = f"{101 + index} a {456000 + index}"
        assert location(new_assignment(desk, offer, customer_number=number)) == participants_url(offer)
    login(provider)
    overview = page(client, participants_url(offer))
    assert [f"{101 + index}A{456000 + index} (M. K.)" in overview for index in range(8)] == [True] * 8
    assert "Bericht Oktober 2025 beginnen" in overview
    assert "Bericht Dezember 2025 beginnen" not in overview
    for assignment in db.session.scalars(select(Assignment).order_by(Assignment.id)):  # the provider accepts all
        answer = {"action": "accept", "start_date": "01.07.2025", "version_id": assignment.version_id}
        assert location(client.post(f"/portal/zuweisungen/{assignment.id}/antwort", data=answer))

    started = client.post("/portal/berichte/neu", data={"offer_id": offer.id, "year": 2025, "month": 10})
    [report] = reports_of(offer)
    assert location(started) == grid_url(report)
    shown = page(client, grid_url(report))
    cells = grid_form(shown)
    assert len(cells) == 8 * 31 + 1
    first, last = report.lines[0].id, report.lines[-1].id
    assert set(cells.values()) - {str(report.version_id)} == {""}  # a new report starts empty
    for line in report.lines:  # "Alle Arbeitstage anwesend", without JavaScript: the server fills the row
        filled_row = client.post(grid_url(report), data={**cells, "fill": str(line.id), "action": "save"})
        cells = grid_form(text(filled_row))
    assert (cells[f"c-{first}-3"], cells[f"c-{first}-4"], cells[f"c-{first}-6"]) == ("F", "", "4")

    typed = {**cells, f"c-{first}-6": "K", f"c-{first}-7": "x1", f"c-{last}-8": "UE", "action": "save"}
    saved = client.post(grid_url(report), data=typed)
    assert saved.status_code == 200
    html = text(saved)
    assert error_summary(html) == [
        "101A456000 (M. K.), Di 07.10.2025: „x1“ verstehen wir nicht. Erlaubt sind: Stunden (z. B. 4 oder 3,5) "
        "oder E, UE, K, KK, U, F, -."
    ]
    assert f'href="#c-{first}-7"' in html
    assert Page(html).values[f"c-{first}-7"] == "x1"
    assert 'aria-invalid="true"' in html
    assert "Ihre Eingaben sind als Entwurf gespeichert." in html
    assert cell(report, 0, 7) == "x1"

    check = client.post(grid_url(report), data={**grid_form(html), "action": "check"})
    assert check.status_code == 200  # not complete: the grid again, with the summary
    assert "„x1“ verstehen wir nicht" in text(check)

    filled = client.post(grid_url(report), data={**grid_form(text(check)), "fill": str(first), "action": "save"})
    assert filled.status_code == 200
    assert [cell(report, 0, day) for day in (3, 6, 7)] == ["F", "4", "4"]
    assert cell(report, 7, 8) == "UE"
    again = {**grid_form(text(filled)), f"c-{first}-6": "K", "action": "check"}
    assert location(client.post(grid_url(report), data=again)) == grid_url(report, "/einreichen")

    summary = page(client, grid_url(report, "/einreichen"))
    assert "Bericht verbindlich einreichen" in summary
    assert "Wir versichern, dass die Angaben in diesem Bericht vollständig und richtig sind." in summary
    version = version_on(summary)
    refused = client.post(grid_url(report, "/einreichen"), data={"version_id": version})
    assert "Bitte bestätigen Sie, dass die Angaben vollständig und richtig sind." in text(refused)
    assert fresh(report).status is ReportStatus.DRAFT
    done = client.post(grid_url(report, "/einreichen"), data={"version_id": version, "confirm": "y"})
    assert location(done) == grid_url(report)
    assert "Der Bericht ist eingereicht." in page(client, grid_url(report))
    assert fresh(report).status is ReportStatus.SUBMITTED
    assert location(client.get(grid_url(report, "/einreichen"))) == grid_url(report)  # nothing left to submit

    download = client.get(grid_url(report, "/pdf"))
    assert download.status_code == 200
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"] == (
        f"attachment; filename=teilnahmebericht-{offer.id}-2025-10-fassung-1.pdf"
    )
    path = storage.path_of("reports", fresh(report).pdf_key)
    assert path is not None
    assert download.get_data() == path.read_bytes()
    download.close()

    review = browser(staff)
    staff_page = page(review, grid_url(report))
    assert "Entscheidung speichern" in staff_page
    assert 'name="c-' not in staff_page  # staff read the grid, they do not edit it
    staff_version = version_on(staff_page.split('id="entscheidung"')[1])  # the decision form's counter
    decided = review.post(grid_url(report, "/entscheidung"), data={"decision": "approve", "version_id": staff_version})
    assert location(decided) == grid_url(report)
    assert "Ihre Entscheidung ist gespeichert: Genehmigt." in page(review, grid_url(report))
    assert fresh(report).status is ReportStatus.APPROVED

    document = fresh(report).document
    assert document is not None
    totals = document["totals"]
    payments = page(review, "/portal/berichte/zahlungen?monat=2025-10")
    assert provider.organisation.name in payments
    for amount in (totals["mae_payable"], totals["mkp_claim"]):
        assert german(Decimal(amount)) in payments
    assert german(Decimal(totals["mae_payable"]) + Decimal(totals["mkp_claim"])) in payments

    exported = review.get("/portal/berichte/zahlungen/2025-10.csv")
    assert exported.headers["Content-Disposition"] == "attachment; filename=zahlungen-2025-10.csv"
    rows = list(csv.reader(io.StringIO(exported.get_data().decode("utf-8-sig")), delimiter=";"))
    header, body, total = rows[0], rows[1:-1], rows[-1]
    assert len(body) == 8
    assert {row[header.index("Kundennummer")] for row in body} == {f"{101 + i}A{456000 + i}" for i in range(8)}
    for column, key in (("Stunden", "hours_worked"), ("MAE (€)", "mae_payable"), ("MKP (€)", "mkp_claim")):
        parts = sum((Decimal(row[header.index(column)].replace(",", ".")) for row in body), Decimal(0))
        assert parts == Decimal(total[header.index(column)].replace(",", ".")) == Decimal(totals[key]), column

    workbook = load_workbook(io.BytesIO(review.get("/portal/berichte/zahlungen/2025-10.xlsx").get_data()))
    sheet = list(workbook["Zahlungen"].values)
    names = list(sheet[0])
    for column, key in (("MAE (€)", "mae_payable"), ("MKP (€)", "mkp_claim")):
        amounts = [Decimal(str(row[names.index(column)])).quantize(CENT) for row in sheet[1:-1]]
        assert sum(amounts, Decimal(0)) == Decimal(totals[key])
    sums = list(workbook["Summen je Träger"].values)
    assert sums[1][0] == provider.organisation.name
    assert Decimal(str(sums[1][-1])).quantize(CENT) == Decimal(totals["mae_payable"]) + Decimal(totals["mkp_claim"])
    per_provider = review.get("/portal/berichte/zahlungen/2025-10.traeger.csv")
    assert per_provider.headers["Content-Disposition"] == "attachment; filename=zahlungen-je-traeger-2025-10.csv"

    assert subjects(mailbox, staff.email) == [
        *[f"Zuweisung beantwortet: Angetreten ({TITLE})"] * 8,
        f"Teilnahmebericht eingereicht: {TITLE}, Oktober 2025",
    ]
    proposals = [f"Neue Zuweisung: {TITLE}"] * 8  # one mail for each assignment staff made
    assert subjects(mailbox, provider.email) == [*proposals, "Teilnahmebericht Oktober 2025: Genehmigt"]


# --- assignment and event forms -------------------------------------------------------------------


def test_the_assignment_form_normalises_and_explains(client, login, staff, offer):
    login(staff)
    assert location(new_assignment(client, offer)) == participants_url(offer)
    [assignment] = db.session.scalars(select(Assignment))
    assert (assignment.participant.customer_number, assignment.participant.initials) == ("123A456789", "M. K.")
    assert "123A456789 ist dem Angebot zugewiesen." in page(client, participants_url(offer))

    cases = {
        "customer_number": ("12A3", "Die Kundennummer hat 10 Zeichen"),
        "initials": ("Eva", "Bitte geben Sie nur die Anfangsbuchstaben an"),
        "start_date": ("01.01.2025", "Der Beginn muss im Zeitraum des Angebots liegen (01.07.2025 bis 30.06.2026)."),
        "weekly_hours": ("31", "Die Wochenstunden müssen über 0 und höchstens 30 sein."),
        "mae_rate": ("3,00", "Die MAE je Stunde muss zwischen 1,00 € und 2,50 € liegen."),
        "site": ("", "Bitte wählen Sie die Einsatzstelle."),
        "weekdays": ("Fr–Mo", "Ein Bereich geht von Montag in Richtung Sonntag"),
    }
    for name, (value, message) in cases.items():
        response = new_assignment(client, offer, **{"customer_number": "999A000001", name: value})
        assert response.status_code == 200, name
        html = text(response)
        assert message in html, name
        assert f'href="#{name}"' in html, name
        assert Page(html).values.get(name, value) == value or name == "site"
    assert db.session.scalar(select(func.count(Assignment.id))) == 1


def test_an_extension_beyond_24_months_needs_a_reason_on_the_form(client, login, factories, staff, offer):
    elsewhere = factories.live_offer(start_date=date(2023, 3, 1), end_date=date(2024, 10, 31))
    factories.assignment(elsewhere, customer_number="123A456789")
    login(staff)
    warned = new_assignment(client, offer, end_date="30.11.2025")
    html = text(warned)
    assert "Höchstdauer der Arbeitsgelegenheit" in html
    assert "01.03.2023" in html
    assert 'name="extension_reason"' in html
    assert db.session.scalar(select(func.count(Assignment.id))) == 1
    extended = new_assignment(client, offer, end_date="30.11.2025", extension_reason="Erneute Prüfung am 3.11.")
    assert location(extended) == participants_url(offer)
    assert db.session.scalar(select(func.count(Assignment.id))) == 2


def test_staff_are_warned_before_assigning_beyond_the_places(client, login, factories, staff, offer):
    for _ in range(10):  # the offer's 10 places, all filled for its whole period
        factories.assignment(offer)
    login(staff)
    warned = text(new_assignment(client, offer))
    assert "Mehr Zuweisungen als Plätze" in warned
    assert "Das Angebot hat 10 Plätze; mit dieser Zuweisung wären 11 belegt." in warned
    assert 'name="confirm_overbooking"' in warned
    assert db.session.scalar(select(func.count(Assignment.id))) == 10
    confirmed = new_assignment(client, offer, confirm_overbooking="y")
    assert location(confirmed) == participants_url(offer)
    assert db.session.scalar(select(func.count(Assignment.id))) == 11


def test_only_a_live_offer_shows_the_assignment_form(client, login, factories, staff, provider):
    login(staff)
    pending = factories.offer(provider.organisation)
    assert location(client.get(f"/portal/angebote/{pending.id}/zuweisungen/neu")) == participants_url(pending)
    assert "nur zu genehmigten, laufenden Angeboten" in page(client, participants_url(pending))


def test_the_old_participant_form_of_providers_is_gone(client, login, provider, offer):
    login(provider)
    refused = new_assignment(client, offer)
    assert refused.status_code in (403, 404)
    old = client.post(f"/portal/angebote/{offer.id}/teilnehmende/neu", data={"customer_number": "123A456789"})
    assert old.status_code in (403, 404, 405)
    assert db.session.scalar(select(func.count(Assignment.id))) == 0


def test_an_event_through_the_form(client, login, provider, staff, offer, assigned, mailbox):
    login(provider)
    report = draft(provider, offer)
    url = f"/portal/zuweisungen/{assigned[0].id}/meldung"
    form = page(client, url)
    assert f"Für {assigned[0].participant.pseudonym}, zugewiesen vom 01.07.2025 bis 30.06.2026." in form
    refused = client.post(url, data={"kind": "drop_out", "event_date": "15.10.2025", "reason": " "})
    assert "Bitte nennen Sie den Grund des Abbruchs (ohne Gesundheitsdaten)." in text(refused)
    outside = client.post(url, data={"kind": "job", "event_date": "01.01.2027"})
    assert "Das Datum muss in der Zuweisung liegen" in text(outside)
    assert mailbox.messages == []
    sent = client.post(url, data={"kind": "drop_out", "event_date": "2025-10-15", "reason": "Umzug"})
    assert location(sent) == participants_url(offer)
    after = page(client, participants_url(offer))
    assert "Die Meldung „Abbruch“ ist an die ARGE gegangen." in after
    assert "Abbruch am 15.10.2025" in after
    assert [message["To"] for message in mailbox.messages] == [staff.email]
    assert cell(report, 0, 16) == ""  # after the exit: not assigned, nothing stored
    grid = page(client, grid_url(report))
    assert "Umzug" in grid


def test_staff_list_every_assignment_and_filter_it(client, login, factories, staff, offer, stranger):
    factories.assignment(offer, status=AssignmentStatus.PROPOSED, customer_number="111A000111")
    factories.assignment(offer, customer_number="222A000222")
    theirs = factories.assignment(factories.live_offer(stranger.organisation), customer_number="333A000333")
    login(staff)
    everything = page(client, "/portal/zuweisungen")
    assert [number in everything for number in ("111A000111", "222A000222", "333A000333")] == [True] * 3
    assert "Filter anwenden" in everything
    assert '<label class="kern-label" for="status">Status</label>' in everything
    by_status = page(client, "/portal/zuweisungen?status=proposed")
    assert ("111A000111" in by_status, "222A000222" in by_status) == (True, False)
    by_offer = page(client, f"/portal/zuweisungen?angebot={theirs.offer_id}&status=")
    assert ("222A000222" in by_offer, "333A000333" in by_offer) == (False, True)
    nonsense = page(client, "/portal/zuweisungen?angebot=x%00&status=unbekannt")  # no filter, never an error
    assert "111A000111" in nonsense
    assert "Keine Zuweisungen gefunden." in page(client, f"/portal/zuweisungen?angebot={offer.id}&status=declined")
    assert ("<td>Vorgeschlagen</td>" in by_status, "<td>Angetreten</td>" in by_status) == (True, False)
    assert '<a class="kern-link" href="/portal/zuweisungen">Zuweisungen</a>' in page(client, "/portal/")


def test_staff_reach_every_live_offer_from_the_list_even_without_assignments(client, login, factories, staff):
    live, pending = factories.live_offer(), factories.offer()
    login(staff)
    html = page(client, "/portal/zuweisungen")
    assert f'href="/portal/angebote/{live.id}/zuweisungen/neu"' in html
    assert f"/portal/angebote/{pending.id}/zuweisungen/neu" not in html
    assert 'href="/portal/zuweisungen/hochladen"' in html


# --- versions -------------------------------------------------------------------------------------

ALL_VERSIONS = "Alle Fassungen dieses Monats"


def test_every_version_of_a_month_links_to_the_others(client, login, provider, staff, handed_in):
    login(provider)
    assert ALL_VERSIONS not in page(client, grid_url(handed_in))  # the month's only version
    services.decide(staff, handed_in, "request_correction", "Bitte prüfen Sie den 6. Oktober.", None)
    first = fresh(handed_in)
    second = draft(provider, first.offer)
    assert second.number == 2
    on_first, on_second = page(client, grid_url(first)), page(client, grid_url(second))
    assert ALL_VERSIONS in on_first
    assert f'href="{grid_url(second)}">Fassung 2<' in on_first
    assert ALL_VERSIONS in on_second
    assert f'href="{grid_url(first)}">Fassung 1<' in on_second
    assert "Die ARGE bittet um eine Korrektur" in on_second
    assert "Bitte prüfen Sie den 6. Oktober." in on_second


# --- scans ----------------------------------------------------------------------------------------


REFUSED_UPLOADS = [
    ("javascript.pdf", pdfs.with_document_javascript(), pdfcheck.ACTIVE_CONTENT),
    ("verschluesselt.pdf", pdfs.encrypted(), pdfcheck.ENCRYPTED),
    ("foto.pdf", b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x00" * 500, pdfcheck.NOT_PDF),
    ("kaputt.pdf", b"%PDF-1.4\n1 0 obj <<", pdfcheck.BROKEN),
    ("leer.pdf", b"", pdfcheck.NOT_PDF),
    ("", b"%PDF-1.4", "Bitte wählen Sie die PDF-Datei des unterschriebenen Berichts aus."),  # no file chosen
]


def test_signed_scans_through_the_form(client, login, provider, handed_in):
    login(provider)
    for name, data, reason in REFUSED_UPLOADS:
        response = upload(client, handed_in, data, name)
        assert response.status_code == 200, name
        assert reason in error_summary(text(response))[0], name
        assert fresh(handed_in).scan_key == ""
    clean = pdfs.clean_pdf()
    assert location(upload(client, handed_in, clean, "Unterschrift Oktober.pdf")) == grid_url(handed_in)
    html = page(client, grid_url(handed_in))
    assert "Der unterschriebene Bericht ist gespeichert." in html
    assert "Unterschriebenen Bericht herunterladen (Unterschrift Oktober.pdf)" in html
    download = client.get(grid_url(handed_in, "/scan"))
    assert download.headers["Content-Disposition"] == 'attachment; filename="Unterschrift Oktober.pdf"'
    assert (download.mimetype, download.get_data()) == ("application/pdf", clean)
    download.close()


def test_an_oversized_scan_is_refused_without_an_error(app, make_app, login, provider, handed_in):
    db.session.commit()
    data = b"%PDF-1.4\n" + b"0" * (pdfcheck.MAX_BYTES + 1)
    client = app.test_client()
    login(provider, test_client=client)
    response = upload(client, handed_in, data)
    assert response.status_code == 413
    assert TOO_LARGE in text(response)
    roomy = make_app(MAX_CONTENT_LENGTH=2 * pdfcheck.MAX_BYTES).test_client()
    login(provider, test_client=roomy)
    response = upload(roomy, handed_in, data)
    assert response.status_code == 200
    assert "Die Datei ist größer als 20 MB." in text(response)
    assert fresh(handed_in).scan_key == ""


def test_no_scan_for_a_draft(client, login, provider, offer, assigned):
    login(provider)
    report = draft(provider, offer)
    response = upload(client, report, pdfs.clean_pdf())
    assert response.status_code == 200
    assert "Bitte reichen Sie den Bericht zuerst ein" in text(response)
    assert client.get(grid_url(report, "/pdf")).status_code == 404
    assert client.get(grid_url(report, "/scan")).status_code == 404


# --- due and overdue ------------------------------------------------------------------------------


def test_due_and_overdue_reports_on_the_start_pages(
    client, login, browser, clock, provider, stranger, staff, offer, assigned
):
    clock.move_to(datetime(2025, 11, 5, 9, 0, tzinfo=UTC))
    september = draft(provider, offer, 2025, 9)
    august = draft(provider, offer, 2025, 8)
    august.status = ReportStatus.SUBMITTED  # handed in: no longer due
    db.session.commit()
    login(provider)
    home = page(client, "/portal/")
    assert "3 Berichte sind offen, davon 2 überfällig." in home
    reports = page(client, "/portal/berichte/")
    due = Page(reports.split('id="faellig"')[1].split('id="zuletzt"')[0]).texts
    rows = " ".join(due)
    for month, date_text in (
        ("Juli 2025", "10.08.2025"),
        ("September 2025", "10.10.2025"),
        ("Oktober 2025", "10.11.2025"),
    ):
        assert month in rows, month
        assert date_text in rows, month
    assert "August 2025" not in rows
    assert reports.count("kern-badge--danger") == 2  # "überfällig"
    assert f'href="{grid_url(september)}"' in reports
    assert "Noch nicht begonnen" in rows
    assert "Entwurf" in rows

    other = browser(stranger)
    assert "Zurzeit ist kein Teilnahmebericht offen." in page(other, "/portal/")
    assert TITLE not in page(other, "/portal/berichte/")

    review = browser(staff)
    assert f"{provider.organisation.name}: 3 Berichte offen</text>" in page(review, "/portal/")
    staff_reports = page(review, "/portal/berichte/")
    assert provider.organisation.name in staff_reports
    assert "Eingereichte Berichte, die auf Prüfung warten" in staff_reports
    assert f'href="{grid_url(august)}"' in staff_reports  # waiting for a decision

    clock.move_to(datetime(2025, 11, 11, 9, 0, tzinfo=UTC))
    login(provider)  # six days later: signed out after the idle time
    assert "3 Berichte sind offen, davon 3 überfällig." in page(client, "/portal/")
    assert page(client, "/portal/berichte/").count("kern-badge--danger") == 3


# --- autosave, conflicts and the start form -------------------------------------------------------


def test_autosave_answers_with_the_new_version_and_refuses_a_stale_one(client, login, provider, offer, assigned):
    login(provider)
    report = draft(provider, offer)
    form = grid_form(page(client, grid_url(report)))
    line = report.lines[0].id
    saved = client.post(grid_url(report), data={**form, f"c-{line}-6": "U", "action": "autosave"})
    assert saved.status_code == 204
    assert saved.headers["X-Version"] == str(fresh(report).version_id) == str(int(form["version_id"]) + 1)
    assert cell(report, 0, 6) == "U"
    stale = client.post(grid_url(report), data={**form, f"c-{line}-6": "K", "action": "autosave"})
    assert stale.status_code == 409
    assert CONFLICT in text(stale)
    assert cell(report, 0, 6) == "U"
    following = client.post(
        grid_url(report),
        data={
            **form,
            "version_id": saved.headers["X-Version"],
            f"c-{line}-6": "U",
            f"c-{line}-7": "E",
            "action": "autosave",
        },
    )
    assert following.status_code == 204
    assert [cell(report, 0, day) for day in (6, 7)] == ["U", "E"]


def test_autosave_of_a_locked_report_is_refused_and_no_conflict(client, login, provider, offer, assigned):
    """portal.js offers to load the current state after a conflict (409), but only shows a refusal (422)."""
    login(provider)
    report = draft(provider, offer)
    form = grid_form(page(client, grid_url(report)))
    report.status = ReportStatus.SUBMITTED
    db.session.commit()
    refused = client.post(grid_url(report), data={**form, "action": "autosave"})
    assert refused.status_code == 422
    assert text(refused) == "Dieser Bericht ist eingereicht und gesperrt."


def test_names_that_are_no_cells_of_the_grid_are_ignored(client, login, provider, offer, assigned):
    login(provider)
    report = draft(provider, offer)
    form = grid_form(page(client, grid_url(report)))
    line = report.lines[0].id
    before = dict(report.lines[0].days)
    odd = {"c-²-6": "K", f"c-{line}-²": "K", f"c-{line}-٦": "K", "c-" + "1" * 5000 + "-6": "K", f"c-{line}-32": "K"}
    for fill in ("²", "٣", "1" * 5000, "-1"):
        response = client.post(grid_url(report), data={**form, **odd, "fill": fill, "action": "save"})
        assert response.status_code == 200, fill
        form = grid_form(text(response))
    after = fresh(report).lines[0].days
    assert {day: cell for day, cell in after.items() if cell} == before  # weekends are saved empty
    assert "32" not in after


def test_a_stale_grid_form_shows_the_conflict(client, login, provider, offer, assigned):
    login(provider)
    report = draft(provider, offer)
    form = grid_form(page(client, grid_url(report)))
    line = report.lines[0].id
    assert client.post(grid_url(report), data={**form, f"c-{line}-6": "U"}).status_code == 200
    stale = client.post(grid_url(report), data={**form, f"c-{line}-6": "K"})
    assert location(stale) == grid_url(report)
    assert CONFLICT in page(client, grid_url(report))
    assert cell(report, 0, 6) == "U"


def test_a_failed_rendering_keeps_the_draft_and_says_so(client, login, provider, offer, assigned, pdf_service_down):
    login(provider)
    report = draft(provider, offer)
    response = client.post(grid_url(report, "/einreichen"), data={"confirm": "y", "version_id": report.version_id})
    assert response.status_code == 200
    html = text(response)
    assert "Der Bericht konnte nicht als PDF erzeugt werden. Bitte versuchen Sie es später erneut." in html
    assert "Bericht verbindlich einreichen" in html
    assert fresh(report).status is ReportStatus.DRAFT
    assert "Weiter zum Einreichen" in page(client, grid_url(report))  # still a draft on the next request


def test_the_assignment_form_takes_its_defaults_from_the_live_version(app, factories, offer):
    with app.test_request_context():
        form = AssignmentForm(formdata=None)
        form.prefill(factories.offer(offer.organisation))  # no live version: nothing to take
        assert (form.weekly_hours.data, form.mae_rate.data, form.end_date.data) == (None, None, None)
        form.prefill(offer)
        assert (form.weekly_hours.data, form.mae_rate.data, form.end_date.data) == (20, Decimal("1.50"), OFFER_END)


def test_starting_a_month_that_cannot_be_started(client, login, provider, offer, assigned):
    login(provider)
    future = client.post("/portal/berichte/neu", data={"offer_id": offer.id, "year": 2026, "month": 1})
    assert location(future) == participants_url(offer)
    assert "Berichte für künftige Monate können Sie noch nicht anlegen." in page(client, participants_url(offer))
    for data in (
        {"offer_id": offer.id, "year": 2025, "month": 13},
        {"offer_id": offer.id, "year": 1999, "month": 1},
        {},
    ):
        assert client.post("/portal/berichte/neu", data=data).status_code == 400
    assert reports_of(offer) == []


def test_the_payments_page_chooses_a_month(browser, staff):
    review = browser(staff)
    for query in ("", "?monat=abc", "?monat=1999-01", "?monat=2025-13"):
        assert "Zahlungen Oktober 2025" in page(review, f"/portal/berichte/zahlungen{query}"), query
    html = page(review, "/portal/berichte/zahlungen?monat=2025-03")
    assert "Zahlungen März 2025" in html
    assert "Für März 2025 ist noch kein Bericht genehmigt." in html
    for path in ("2025-10.pdf", "2025-13.csv", "1999-01.csv"):
        assert review.get(f"/portal/berichte/zahlungen/{path}").status_code == 404, path
    empty = review.get("/portal/berichte/zahlungen/2025-03.csv")
    assert empty.get_data().decode("utf-8-sig").count("\r\n") == 1  # the header alone


def test_grid_cells_are_read_only_for_own_lines_and_real_days_without_control_characters():
    typed = MultiDict({"c-1-2": "4\x00\n", "c-1-3": "E\t", "c-9-2": "E", "c-1-40": "E", "x-1-2": "E", "c-1": "E"})
    assert grid_cells(typed, {1}) == {(1, 2): "4", (1, 3): "E"}
