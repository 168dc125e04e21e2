"""docs/security.md 18: a corpus of hostile PDFs, built here, goes through every upload route as the right user and
through `portal check-pdf`. Each is refused with its German reason, never a 500, and nothing is stored (no file in
the storage folder, no key in a row, no audit entry); clean multi-page scans are accepted on every way."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.accounts.models import User
from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.offers.models import Offer
from portal.pdfcheck import (
    ACTIVE_CONTENT,
    BOMB,
    EMBEDDED_FILES,
    ENCRYPTED,
    FORM_ACTIONS,
    LINKS,
    MAX_PAGES,
    POLYGLOT,
)
from portal.reports.models import ParticipationReport
from tests import pdfs
from tests.factories import Factories
from tests.offers.view_helpers import STEP_INPUT, step_url
from tests.reports.helpers import fresh, text, upload

TOO_MANY_PAGES = f"Die Datei hat mehr als {MAX_PAGES} Seiten."
CORPUS: dict[str, tuple[Callable[[], bytes], str]] = {
    "javascript-open-action": (pdfs.with_javascript_open_action, ACTIVE_CONTENT),
    "document-javascript": (pdfs.with_document_javascript, ACTIVE_CONTENT),
    "launch-open-action": (pdfs.with_open_action, ACTIVE_CONTENT),
    "launch-link": (pdfs.with_launch_link, ACTIVE_CONTENT),
    "embedded-exe": (pdfs.with_embedded_exe, EMBEDDED_FILES),
    "encrypted": (pdfs.encrypted, ENCRYPTED),
    "pdf-zip-polyglot": (pdfs.with_zip_appended, POLYGLOT),
    "250-pages": (lambda: pdfs.clean_pdf(250), TOO_MANY_PAGES),
    "decompression-bomb": (pdfs.decompression_bomb, BOMB),
    "stacked-decompression-bomb": (pdfs.nested_bomb, BOMB),
    "uri": (pdfs.with_uri, LINKS),
    "submit-form": (pdfs.with_submit_form, FORM_ACTIONS),
    "import-data": (pdfs.with_import_data, FORM_ACTIONS),
    "goto-remote": (pdfs.with_remote_goto, LINKS),
    "hex-escaped-javascript": (pdfs.hex_escaped_javascript, ACTIVE_CONTENT),
    "hex-escaped-uri": (pdfs.hex_escaped_uri, LINKS),
    "javascript-in-object-stream": (pdfs.javascript_in_object_stream, ACTIVE_CONTENT),
    "uri-in-object-stream": (pdfs.uri_in_object_stream, LINKS),
}
CLEAN: dict[str, Callable[[], bytes]] = {
    "scan-3-pages": pdfs.scan_pdf,
    "blank-page-300-dpi": pdfs.blank_scan_page,
    "object-streams": pdfs.in_object_stream,
    "200-pages": lambda: pdfs.clean_pdf(MAX_PAGES),
}


@pytest.fixture(scope="module")
def corpus() -> dict[str, bytes]:
    """Every file built once for the module (the bomb takes a moment)."""
    return {name: build() for name, (build, _reason) in CORPUS.items()} | {
        name: build() for name, build in CLEAN.items()
    }


@pytest.fixture
def draft_offer(factories: Factories, provider: User) -> Offer:
    """An offer of provider A in draft: its last step takes the chamber certificate."""
    offer = factories.offer(organisation=provider.organisation)
    db.session.commit()
    return offer


def stored_files(app: Flask) -> set[Path]:
    return {path for path in Path(app.config["STORAGE_DIR"]).rglob("*") if path.is_file()}


def upload_certificate(client: FlaskClient, offer: Offer, data: bytes) -> str:
    version = db.session.get(Offer, offer.id, populate_existing=True).working_version
    form = {**STEP_INPUT["kontakt"], "action": "entwurf", "version_id": str(version.version_id)}
    form["certificate"] = (io.BytesIO(data), "bescheinigung.pdf")
    response = client.post(step_url(offer, "kontakt"), data=form, content_type="multipart/form-data")
    assert response.status_code in (200, 302), response.status_code
    return text(response) if response.status_code == 200 else ""


def certificate_key(offer: Offer) -> str:
    return db.session.get(Offer, offer.id, populate_existing=True).working_version.certificate_key


def audit_entries(*actions: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action.in_(actions))))


@pytest.mark.parametrize("name", CORPUS)
def test_hostile_pdfs_are_refused_on_every_upload_route(
    app: Flask,
    client: FlaskClient,
    login: Callable[..., object],
    provider: User,
    draft_offer: Offer,
    handed_in: ParticipationReport,
    corpus: dict[str, bytes],
    name: str,
) -> None:
    reason = CORPUS[name][1]
    before = stored_files(app)
    login(provider)
    assert reason in upload_certificate(client, draft_offer, corpus[name])
    response = upload(client, handed_in, corpus[name])
    assert response.status_code == 200
    assert reason in text(response)
    assert stored_files(app) == before
    assert certificate_key(draft_offer) == ""
    assert fresh(handed_in).scan_key == ""
    assert audit_entries("offer_certificate", "report_scan_stored") == []


@pytest.mark.parametrize("name", CORPUS)
def test_hostile_pdfs_are_refused_by_check_pdf(app: Flask, tmp_path: Path, corpus: dict[str, bytes], name: str) -> None:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(corpus[name])
    result = app.test_cli_runner().invoke(args=["check-pdf", str(path)])
    assert (result.exit_code, result.output) == (1, f"{path}: {CORPUS[name][1]}\n")


@pytest.mark.parametrize("name", CLEAN)
def test_clean_scans_are_accepted_everywhere(
    app: Flask,
    client: FlaskClient,
    login: Callable[..., object],
    provider: User,
    draft_offer: Offer,
    handed_in: ParticipationReport,
    corpus: dict[str, bytes],
    tmp_path: Path,
    name: str,
) -> None:
    login(provider)
    upload_certificate(client, draft_offer, corpus[name])
    assert certificate_key(draft_offer) != ""
    assert upload(client, handed_in, corpus[name]).status_code == 302
    assert fresh(handed_in).scan_key != ""
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(corpus[name])
    assert app.test_cli_runner().invoke(args=["check-pdf", str(path)]).exit_code == 0
