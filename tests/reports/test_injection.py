"""docs/security.md 15 for the report pages: script and template injection through what providers (and staff) type.

Each payload of the offer tests goes through the real forms: the reason of an event, the cells of the grid, the
name of a scanned file and a decision's reason; initials and Kundennummer are refused, and shown back as typed.
Every page that shows the input is parsed as a browser would: nothing on it may come from the input.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest

from portal.reports import services
from portal.reports.forms import DecisionForm, EventForm
from portal.reports.sheet import MAX_CELL_LENGTH
from tests import pdfs
from tests.html_check import assert_inert
from tests.offers.controls import fit, max_length
from tests.offers.test_injection import PAYLOADS
from tests.reports.helpers import draft, fresh, grid_form, grid_url, location, page, participants_url, text, upload

CASES = pytest.mark.parametrize("payload", list(PAYLOADS.values()), ids=list(PAYLOADS))
REASON_LIMIT = max_length(EventForm.reason.kwargs["validators"])
DECISION_LIMIT = max_length(DecisionForm.reason.kwargs["validators"])


@CASES
def test_an_event_reason_is_shown_as_typed_everywhere(browser, provider, staff, offer, assigned, payload):
    own = browser(provider)
    report = draft(provider, offer)
    url = f"/portal/zuweisungen/{assigned[0].id}/meldung"
    reason = fit(payload, REASON_LIMIT)
    if reason != payload:  # too long: refused, and shown again as typed
        refused = own.post(url, data={"kind": "long_sickness", "event_date": "15.10.2025", "reason": payload})
        assert "Bitte fassen Sie sich kürzer (höchstens 1000 Zeichen)." in text(refused)
        assert assert_inert(text(refused)).values["reason"] == payload
    sent = own.post(url, data={"kind": "long_sickness", "event_date": "15.10.2025", "reason": reason})
    assert location(sent) == participants_url(offer)
    shown = reason.strip()
    assert_inert(page(own, grid_url(report)), shown)
    assert_inert(page(own, grid_url(report, "/einreichen")), shown)
    assert_inert(page(own, participants_url(offer)))
    review = browser(staff)
    assert_inert(page(review, grid_url(report)), shown)
    assert_inert(page(review, participants_url(offer)))


@CASES
def test_grid_cells_are_shown_as_typed(browser, provider, staff, offer, assigned, payload):
    own = browser(provider)
    report = draft(provider, offer)
    line = report.lines[0].id
    form = {**grid_form(page(own, grid_url(report))), f"c-{line}-6": payload, f"c-{line}-7": payload[:3]}
    response = own.post(grid_url(report), data={**form, "action": "check"})
    assert response.status_code == 200
    kept = payload.strip()[:MAX_CELL_LENGTH]
    values = assert_inert(text(response), kept).values
    assert (values[f"c-{line}-6"], values[f"c-{line}-7"]) == (kept, payload[:3].strip())
    assert_inert(page(own, grid_url(report)), kept)
    assert_inert(page(browser(staff), grid_url(report)), kept)  # read-only: the cell as text


@CASES
def test_refused_initials_and_kundennummer_are_shown_as_typed(browser, staff, offer, payload):
    own = browser(staff)
    data = {"customer_number": payload, "initials": payload, "start_date": "01.10.2025", "end_date": "31.10.2025"}
    data |= {"weekly_hours": "20", "weekdays": "Mo–Fr"}
    response = own.post(f"/portal/angebote/{offer.id}/zuweisungen/neu", data=data)
    assert response.status_code == 200
    values = assert_inert(text(response)).values
    assert (values["customer_number"], values["initials"]) == (payload.strip(), payload.strip())
    assert "Bitte korrigieren Sie" in text(response)


def test_scan_names_and_a_decision_reason_are_shown_as_typed(browser, provider, staff, offer, assigned):
    """One submitted report: a scan under every payload's name in turn, then every payload in a decision."""
    report = draft(provider, offer)
    services.submit_report(provider, report, None, confirmed=True)
    own, review = browser(provider), browser(staff)
    clean = pdfs.clean_pdf()
    for payload in PAYLOADS.values():
        assert location(upload(own, report, clean, payload + ".pdf")) == grid_url(report)
        name = fresh(report).scan_name
        assert set(name) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._- ") | {
            char for char in payload if char.isalnum()
        }
        assert_inert(page(own, grid_url(report)), name)
        assert_inert(page(review, grid_url(report)), name)
        download = own.get(grid_url(report, "/scan"))
        disposition = download.headers["Content-Disposition"]
        download.close()
        assert disposition.startswith("attachment; filename")
        assert not re.search(r"[\r\n<>]", unquote(disposition))
    reason = fit("\n".join(PAYLOADS.values()), DECISION_LIMIT)
    form = {"decision": "request_correction", "reason": reason, "version_id": str(fresh(report).version_id)}
    assert location(review.post(grid_url(report, "/entscheidung"), data=form)) == grid_url(report)
    kept = reason.strip()
    assert_inert(page(review, grid_url(report)), *kept.splitlines())
    second = draft(provider, offer)
    assert second.number == 2
    assert_inert(page(own, grid_url(report)), *kept.splitlines())
    assert_inert(page(own, grid_url(second)), *kept.splitlines())
