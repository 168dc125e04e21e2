"""Helpers of the report tests: a fixed "today", reports, requests and what the pages and mails show.

The clock stands on 20 November 2025 (it ticks, so that time-outs still work): October 2025 is the last month, its
report is due on 10 November, so it is overdue; 3 October 2025, a public holiday, is a Friday.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from email.header import decode_header, make_header
from email.message import Message
from io import BytesIO
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import TestResponse, encode_multipart

from portal.accounts.models import User
from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.notifications.delivery import deliver_pending
from portal.offers.models import Offer
from portal.reports import services
from portal.reports.models import ParticipationReport, ReportLine
from portal.reports.sheet import build_sheet
from tests.conftest import Mailbox
from tests.html_check import Page

NOW = datetime(2025, 11, 20, 9, 30, tzinfo=UTC)
YEAR, MONTH = 2025, 10  # the last month before NOW
OFFER_START, OFFER_END = date(2025, 7, 1), date(2026, 6, 30)  # factories.live_offer(months_ago=4) at NOW
CONFLICT = "Jemand anderes hat diese Daten inzwischen geändert."
TITLE = "Pflege der Grünanlagen"  # the factory's offer title


def draft(
    user: User, offer: Offer, year: int = YEAR, month: int = MONTH, *, filled: bool = True
) -> ParticipationReport:
    """The month's draft; `filled`: every row as "Alle Arbeitstage anwesend" fills it (a new draft is empty)."""
    report = services.start_report(user, offer, year, month)
    for line in report.lines if filled else ():
        services.save_grid(user, report, {}, None, fill_line=line.id)
    return report


def fresh(report: ParticipationReport) -> ParticipationReport:
    """The report as the database has it now."""
    found = db.session.get(ParticipationReport, report.id, populate_existing=True)
    assert found is not None
    return found


def cell(report: ParticipationReport, position: int, day: int) -> str:
    return fresh(report).lines[position].days.get(str(day), "")


def line_of(report: ParticipationReport, position: int) -> ReportLine:
    return fresh(report).lines[position]


def complete_sheet(report: ParticipationReport) -> bool:
    return build_sheet(fresh(report)).complete


def audit(action: str, obj: Any = None) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    if obj is not None:
        query = query.where(AuditEntry.object_type == type(obj).__name__, AuditEntry.object_id == str(obj.id))
    return list(db.session.scalars(query))


def delivered(mailbox: Mailbox) -> Mailbox:
    """Send what the services queued (a request would do that after its response), then read the mailbox."""
    deliver_pending()
    return mailbox


def subject(message: Message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def body(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode().replace("\r\n", "\n")


# --- pages ----------------------------------------------------------------------------------------

VERSION_FIELD = re.compile(r'name="version_id" (?:[^>]*?)value="(\d*)"')


def text(response: TestResponse) -> str:
    return response.get_data(as_text=True)


def location(response: TestResponse) -> str:
    assert response.status_code == 302, text(response)[:3000]
    return response.headers["Location"]


def page(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return text(response)


def version_on(html: str) -> str:
    """The version counter of the (first) form on the page."""
    found = VERSION_FIELD.search(html)
    assert found, "no version counter on the page"
    return found.group(1)


def grid_form(html: str) -> dict[str, str]:
    """What the browser sends with the grid as the page shows it: every cell and the version counter."""
    values = {name: value for name, value in Page(html).values.items() if name.startswith("c-")}
    return {**values, "version_id": version_on(html)}


def grid_url(report: ParticipationReport, suffix: str = "") -> str:
    return f"/portal/berichte/{report.id}{suffix}"


def participants_url(offer: Offer) -> str:
    return f"/portal/angebote/{offer.id}/teilnehmende"


def upload(client: FlaskClient, report: ParticipationReport, data: bytes, name: str = "scan.pdf") -> TestResponse:
    """The scan form as a browser sends it (quotes and line breaks of the name escaped). The body is built in
    memory: the test client would spool a large one to a temporary file that it never closes."""
    escaped = name.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")  # as the HTML standard says
    files = MultiDict({"scan": FileStorage(BytesIO(data), filename=escaped, content_type="application/pdf")})
    boundary, body = encode_multipart(files)
    return client.post(grid_url(report, "/scan"), data=body, content_type=f"multipart/form-data; boundary={boundary}")
