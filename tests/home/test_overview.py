"""The staff overview at /portal/: charts as accessible SVG, each with its table and a sentence; the links to the
filtered lists of reports and settlements; what waits for the signed-in user. Providers keep their start page."""

from __future__ import annotations

import re
from datetime import date

import pytest

from portal.accounts.models import Role
from portal.extensions import db
from portal.offers.models import VersionStatus
from portal.reports.models import ParticipationReport, ReportStatus
from portal.settlements.models import Settlement, SettlementStatus
from tests.accounts.helpers import text
from tests.budget.helpers import committed_offer, release

PAGE = "/portal/"


def months_ago(count: int) -> tuple[int, int]:
    index = date.today().year * 12 + date.today().month - 1 - count
    return index // 12, index % 12 + 1


def settlement(organisation_id: int, months: int, status: SettlementStatus) -> Settlement:
    year, month = months_ago(months)
    made = Settlement(organisation_id=organisation_id, year=year, month=month, status=status)
    db.session.add(made)
    db.session.commit()
    return made


def section(page: str, anchor: str) -> str:
    """The part of the page from the heading with the id up to the next second-level heading."""
    start = page.index(f'id="{anchor}"')
    end = page.find("<h2", start)
    return page[start : end if end > 0 else None]


def test_every_chart_is_an_image_with_title_description_table_and_sentence(browser, staff, factories):
    factories.budget(2026, 100_000)
    offer = committed_offer(factories, factories.user(Role.ADMIN), {2026: 12_000})
    release(offer, 2026, 1, 2000)
    factories.assignment(offer)
    page = text(browser(staff).get(PAGE))
    for anchor in ("wartet", "budget", "plaetze", "faellig"):
        part = section(page, anchor)
        assert part.count('role="img"') == 1, anchor
        key = re.search(r'aria-labelledby="chart-(\w+)-title chart-\1-desc"', part).group(1)
        assert f'<title id="chart-{key}-title">' in part
        assert f'<desc id="chart-{key}-desc">' in part
        assert part.index("</svg>") < part.index("<table") < part.index('<p class="kern-body">')
        assert '<th scope="col">' in part
    assert " style=" not in page
    assert "<script" not in page[page.index("<main") : page.index("</main>")]
    assert (
        "2026: 12.000,00 € von 100.000,00 € gebunden (12 %), davon 2.000,00 € durch Abrechnungen freigegeben; " in page
    )
    assert "88.000,00 € frei." in page
    assert "Von 10 Plätzen der laufenden Angebote sind heute 1 besetzt (10 %)." in page
    assert '<text class="chart__text" x="0" y="66">Grünpflege: 1 von 10 besetzt</text>' in page


def test_an_overdrawn_year_says_so(browser, approver, factories):
    factories.budget(2026, 10_000)
    committed_offer(factories, factories.user(Role.ADMIN), {2026: 12_000})
    assert "das Budget ist um 2.000,00 € überschritten." in text(browser(approver).get(PAGE))


def test_empty_overview(browser, staff):
    page = text(browser(staff).get(PAGE))
    assert "Es ist noch für kein Jahr ein Eingliederungsbudget festgelegt." in page
    assert "Zurzeit läuft kein Angebot." in page
    assert "Zurzeit ist kein Teilnahmebericht und keine Abrechnung offen." in page
    assert "Zurzeit wartet nichts auf Sie." in page
    assert page.count('role="img"') == 1  # only "waiting for you", with its zeros


def test_settlements_due_and_overdue_per_provider(browser, staff, factories):
    """A draft of three months ago is overdue (due at the end of the following month); a draft of last month is
    not yet; an approved report of four months ago without a settlement is due and overdue; a released one is
    done."""
    offer = factories.live_offer(months_ago=6)
    organisation_id = offer.organisation_id
    settlement(organisation_id, 3, SettlementStatus.DRAFT)
    settlement(organisation_id, 1, SettlementStatus.CORRECTION_REQUESTED)
    settlement(organisation_id, 2, SettlementStatus.RELEASED)
    year, month = months_ago(4)
    db.session.add(ParticipationReport(offer_id=offer.id, year=year, month=month, status=ReportStatus.APPROVED))
    db.session.commit()
    page = section(text(browser(staff).get(PAGE)), "faellig")
    name = offer.organisation.name
    link = f'<a class="kern-link" href="/portal/abrechnungen?traeger={organisation_id}">3<span class="kern-sr-only">'
    assert link in page
    assert f"{name}: 3 Abrechnungen offen" in page
    cells = page[page.index(link) :].split("</td>")
    assert cells[1].endswith(">2")  # overdue: three and four months ago
    assert f'href="/portal/berichte/?traeger={organisation_id}"' in page


def test_the_links_show_one_providers_lists(browser, staff, factories):
    first, second = factories.organisation(name="Erster Träger"), factories.organisation(name="Zweiter Träger")
    settlement(first.id, 1, SettlementStatus.DRAFT)
    settlement(second.id, 1, SettlementStatus.DRAFT)
    client = browser(staff)
    page = text(client.get(f"/portal/abrechnungen?traeger={first.id}"))
    assert "Erster Träger" in page
    assert "Zweiter Träger" not in page
    assert f'<input type="hidden" name="traeger" value="{first.id}">' in page
    assert "Abrechnungen aller Träger anzeigen" in page
    assert "Zweiter Träger" in text(client.get("/portal/abrechnungen?traeger=abc"))
    offer = factories.live_offer(first, months_ago=3)
    factories.assignment(offer)
    factories.assignment(factories.live_offer(second, months_ago=3))
    page = text(client.get(f"/portal/berichte/?traeger={first.id}"))
    assert "Erster Träger" in page
    assert "Zweiter Träger" not in page
    assert "Berichte aller Träger anzeigen" in page


def test_a_provider_cannot_look_at_another_provider(browser, provider, factories):
    other = factories.organisation(name="Fremder Träger")
    settlement(other.id, 1, SettlementStatus.DRAFT)
    page = text(browser(provider).get(f"/portal/abrechnungen?traeger={other.id}"))
    assert "Fremder Träger" not in page
    assert "Abrechnungen aller Träger anzeigen" not in page


@pytest.mark.parametrize(("role", "second_steps"), [(Role.STAFF, False), (Role.APPROVER, True)])
def test_waiting_for_me(browser, factories, role, second_steps):
    user, other = factories.user(role), factories.user(Role.APPROVER)
    mine = factories.offer(status=VersionStatus.IN_REVIEW)
    mine.current.assigned_to_id = user.id
    factories.offer(status=VersionStatus.IN_REVIEW)  # nobody's
    factories.offer(status=VersionStatus.FIRST_APPROVED, first_approved_by_id=other.id)
    factories.offer(status=VersionStatus.FIRST_APPROVED, first_approved_by_id=user.id)  # needs somebody else
    released = settlement(factories.organisation().id, 1, SettlementStatus.AWAITING_SECOND_RELEASE)
    released.released_by_id = other.id
    settlement(factories.organisation().id, 1, SettlementStatus.SUBMITTED)
    db.session.commit()
    page = section(text(browser(user).get(PAGE)), "wartet")
    assert "Anträge, die Sie bearbeiten: 1</text>" in page
    assert "Eingereichte Abrechnungen: 1</text>" in page
    assert ('href="/portal/pruefung/?status=first_approved"' in page) is second_steps
    if second_steps:
        assert "Anträge, die auf Ihre zweite Freigabe warten: 1</text>" in page
        assert "Abrechnungen, die auf Ihre zweite Freigabe warten: 1</text>" in page
        assert "Auf Sie warten 4 Vorgänge." in page
    else:
        assert "Auf Sie warten 2 Vorgänge." in page


def test_providers_keep_their_start_page(browser, provider):
    page = text(browser(provider).get(PAGE))
    assert "Sie sind angemeldet für" in page
    assert "<svg" not in page
    assert "Eingliederungsbudget" not in page
