"""docs/security.md 18: the upload check refuses dangerous and broken PDFs with a German reason and never raises."""

from __future__ import annotations

import subprocess
from io import BytesIO, StringIO
from pathlib import Path
from typing import Any

import pytest

from portal import pdfcheck, pdfcheck_worker
from portal.pdfcheck import (
    ACTIVE_CONTENT,
    BOMB,
    BROKEN,
    EMBEDDED_FILES,
    ENCRYPTED,
    FORM_ACTIONS,
    LINKS,
    MEDIA_OR_XFA,
    NOT_PDF,
    POLYGLOT,
    UNCHECKABLE,
    check_pdf,
    raw_names,
    size_text,
)
from tests import pdfs

DANGEROUS = [
    pytest.param(pdfs.encrypted, ENCRYPTED, "encrypted", id="encrypted"),
    pytest.param(pdfs.with_document_javascript, ACTIVE_CONTENT, "active", id="document-javascript"),
    pytest.param(pdfs.with_open_action, ACTIVE_CONTENT, "active", id="open-action-launch"),
    pytest.param(pdfs.with_page_action, ACTIVE_CONTENT, "active", id="additional-actions"),
    pytest.param(pdfs.with_attachment, EMBEDDED_FILES, "embedded", id="embedded-file"),
    pytest.param(pdfs.with_xfa, MEDIA_OR_XFA, "media", id="xfa"),
    pytest.param(pdfs.with_rich_media, MEDIA_OR_XFA, "media", id="rich-media"),
    pytest.param(pdfs.hex_escaped_javascript, ACTIVE_CONTENT, "active", id="hex-escaped-javascript"),
    pytest.param(pdfs.with_launch_link, ACTIVE_CONTENT, "active", id="launch-link"),
    pytest.param(pdfs.with_uri, LINKS, "links", id="uri"),
    pytest.param(pdfs.hex_escaped_uri, LINKS, "links", id="hex-escaped-uri"),
    pytest.param(pdfs.with_remote_goto, LINKS, "links", id="goto-remote"),
    pytest.param(pdfs.with_submit_form, FORM_ACTIONS, "form_actions", id="submit-form"),
    pytest.param(pdfs.with_import_data, FORM_ACTIONS, "form_actions", id="import-data"),
]


def test_a_clean_pdf_is_accepted() -> None:
    assert check_pdf(pdfs.clean_pdf(3)) is None


@pytest.mark.parametrize(("build", "reason", "verdict"), DANGEROUS)
def test_dangerous_pdfs_are_refused(build: Any, reason: str, verdict: str) -> None:
    assert check_pdf(build()) == reason


@pytest.mark.parametrize(("build", "reason", "verdict"), DANGEROUS)
def test_the_parser_finds_them_without_the_byte_scan(build: Any, reason: str, verdict: str) -> None:
    """The object tree walk is a second, independent line: names inside compressed object streams reach only it."""
    assert pdfcheck_worker.verdict_on(build()) == {"verdict": verdict, "pages": 0}


def test_hex_escaped_names_are_decoded_by_the_byte_scan() -> None:
    data = pdfs.hex_escaped_javascript()
    assert b"/JavaScript" not in data
    assert {"JavaScript", "JS"} <= raw_names(data)
    assert "URI" in raw_names(pdfs.hex_escaped_uri())


@pytest.mark.parametrize(
    ("build", "reason"),
    [
        pytest.param(pdfs.javascript_in_object_stream, ACTIVE_CONTENT, id="javascript"),
        pytest.param(pdfs.uri_in_object_stream, LINKS, id="uri"),
    ],
)
def test_objects_inside_compressed_object_streams_are_checked(build: Any, reason: str) -> None:
    data = build()
    assert not {"OpenAction", "JavaScript", "URI"} & raw_names(data)  # only the parsed tree shows them
    assert check_pdf(data) == reason


def test_a_clean_file_with_object_streams_is_accepted() -> None:
    assert check_pdf(pdfs.in_object_stream()) is None


# --- decompression bombs --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(pdfs.decompression_bomb, id="100-mb-of-zeros"),
        pytest.param(pdfs.nested_bomb, id="stacked-filters-beyond-the-ratio"),
        pytest.param(lambda: pdfs.in_object_stream(padding=100 * 1024 * 1024), id="object-stream"),
    ],
)
def test_decompression_bombs_are_refused_in_the_worker(build: Any) -> None:
    data = build()
    assert len(data) < 200_000
    assert check_pdf(data) == BOMB


def test_a_stream_decoding_beyond_the_size_cap_is_a_bomb(monkeypatch: pytest.MonkeyPatch) -> None:
    data = pdfs.scan_pdf(1)
    assert pdfcheck_worker.verdict_on(data)["verdict"] == "ok"
    monkeypatch.setattr(pdfcheck_worker, "MAX_DECODED_BYTES", 500_000)  # the page's image is 544 KB decoded
    assert pdfcheck_worker.verdict_on(data) == {"verdict": "bomb", "pages": 0}


def test_a_blank_page_scanned_at_300_dpi_is_below_the_ratio() -> None:
    """Deflate packs an empty white page about 1026 to 1, the most one pass can: still a clean scan."""
    assert check_pdf(pdfs.blank_scan_page()) is None
    assert check_pdf(pdfs.scan_pdf(3)) is None


def test_a_stream_with_a_filter_nobody_decodes_is_not_judged() -> None:
    assert pdfcheck_worker.verdict_on(pdfs.with_stream(b"x" * 100, ["/Unbekannt"]))["verdict"] == "ok"


def test_longer_names_are_not_mistaken_for_refused_ones() -> None:
    assert raw_names(b"/AAPL /JSON /ABCDEF+Arial /Type/Page") == {"AAPL", "JSON", "ABCDEF+Arial", "Type", "Page"}


def test_a_pdf_with_a_zip_appended_is_refused() -> None:
    data = pdfs.with_zip_appended()
    assert pdfcheck_worker.verdict_on(data)["verdict"] == "ok"  # a parser alone would let it through
    assert check_pdf(data) == POLYGLOT


@pytest.mark.parametrize("signature", [b"PK\x03\x04", b"PK\x05\x06"])
def test_zip_signatures_anywhere_are_refused(signature: bytes) -> None:
    data = pdfs.clean_pdf()
    middle = len(data) // 2
    assert check_pdf(data[:middle] + signature + data[middle:]) == POLYGLOT


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, id="png-renamed"),
        pytest.param(b"", id="empty"),
        pytest.param(b" %PDF-1.7\n", id="signature-not-at-start"),
        pytest.param(b"Rechnung.docx", id="text"),
    ],
)
def test_non_pdfs_are_refused(data: bytes) -> None:
    assert check_pdf(data) == NOT_PDF


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(pdfs.clean_pdf()[:200], id="truncated"),
        pytest.param(b"%PDF-1.7\n" + bytes(range(256)) * 8, id="garbage"),
        pytest.param(b"%PDF-", id="signature-only"),
    ],
)
def test_broken_pdfs_are_refused(data: bytes) -> None:
    assert check_pdf(data) == BROKEN


def test_the_size_cap() -> None:
    data = pdfs.clean_pdf()
    assert check_pdf(data, max_bytes=len(data)) is None
    assert check_pdf(data, max_bytes=len(data) - 1) == f"Die Datei ist größer als {len(data) - 1} Bytes."
    assert check_pdf(b"%PDF-" + b"0" * (20 * 1024 * 1024)) == "Die Datei ist größer als 20 MB."


@pytest.mark.parametrize(
    ("size", "text"), [(20 * 1024 * 1024, "20 MB"), (1536 * 1024, "1,5 MB"), (2048, "2 KB"), (1000, "1000 Bytes")]
)
def test_sizes_are_written_in_german(size: int, text: str) -> None:
    assert size_text(size) == text


def test_the_page_cap() -> None:
    assert check_pdf(pdfs.clean_pdf(3), max_pages=3) is None
    assert check_pdf(pdfs.clean_pdf(4), max_pages=3) == "Die Datei hat mehr als 3 Seiten."


def test_a_worker_over_time_is_a_refusal() -> None:
    assert check_pdf(pdfs.clean_pdf(), timeout=0.001) == UNCHECKABLE


def test_a_worker_out_of_memory_is_a_refusal() -> None:
    assert check_pdf(pdfs.clean_pdf(), memory_bytes=1) == UNCHECKABLE


def test_a_crashing_worker_is_a_refusal(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(pdfcheck, "WORKER", tmp_path / "fehlt.py")  # the child exits with status 2
    assert check_pdf(pdfs.clean_pdf()) == UNCHECKABLE


@pytest.mark.parametrize(
    "stdout",
    [
        b"",
        b"kein JSON",
        b"[]",
        b'{"verdict": "ok"}',
        b'{"verdict": "ok", "pages": "viele"}',
        b'{"verdict": "?", "pages": 0}',
    ],
)
def test_a_garbled_answer_from_the_worker_is_a_refusal(monkeypatch: pytest.MonkeyPatch, stdout: bytes) -> None:
    def fake_run(command: list[str], **_kwargs: Any) -> subprocess.CompletedProcess[bytes]:
        return subprocess.CompletedProcess(command, 0, stdout, b"")

    monkeypatch.setattr(pdfcheck.subprocess, "run", fake_run)
    assert check_pdf(pdfs.clean_pdf()) == UNCHECKABLE


def test_a_worker_that_cannot_start_is_a_refusal(monkeypatch: pytest.MonkeyPatch) -> None:
    def failing_run(*_args: Any, **_kwargs: Any) -> None:
        raise OSError("Zu viele offene Dateien")

    monkeypatch.setattr(pdfcheck.subprocess, "run", failing_run)
    assert check_pdf(pdfs.clean_pdf()) == UNCHECKABLE


def test_the_worker_limits_itself_then_answers_in_json(monkeypatch: pytest.MonkeyPatch) -> None:
    limits: list[tuple[int, tuple[int, int]]] = []
    monkeypatch.setattr(pdfcheck_worker.resource, "setrlimit", lambda kind, value: limits.append((kind, value)))
    stdout = StringIO()
    pdfcheck_worker.main(["1000000", "21"], BytesIO(pdfs.clean_pdf(2)), stdout)
    assert limits == [
        (pdfcheck_worker.resource.RLIMIT_AS, (1000000, 1000000)),
        (pdfcheck_worker.resource.RLIMIT_CPU, (21, 21)),
    ]
    assert stdout.getvalue() == '{"verdict": "ok", "pages": 2}'


def test_a_file_too_large_to_walk_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdfcheck_worker, "MAX_NODES", 2)
    assert pdfcheck_worker.verdict_on(pdfs.clean_pdf()) == {"verdict": "too_complex", "pages": 0}


def test_memory_errors_while_parsing_are_a_refusal(monkeypatch: pytest.MonkeyPatch) -> None:
    def exhausted(_data: bytes) -> None:
        raise MemoryError

    monkeypatch.setattr(pdfcheck_worker, "verdict_of_parsed", exhausted)
    assert pdfcheck_worker.verdict_on(pdfs.clean_pdf()) == {"verdict": "too_complex", "pages": 0}


def test_the_worker_survives_broken_files_without_warnings() -> None:
    """pypdf warns on damaged files; the worker keeps that to itself (the suite turns warnings into errors)."""
    assert pdfcheck_worker.verdict_on(pdfs.clean_pdf()[:-40]) in (
        {"verdict": "ok", "pages": 1},
        {"verdict": "broken", "pages": 0},
    )
