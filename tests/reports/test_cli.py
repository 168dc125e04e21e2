"""`portal check-pdf FILE...`: exit 0 when every file is acceptable, 1 with a German reason per refused file."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from portal.pdfcheck import ACTIVE_CONTENT, MAX_BYTES, NOT_PDF
from portal.reports.cli import read_at_most
from tests import pdfs


def test_acceptable_files_exit_zero(app: Flask, tmp_path: Path) -> None:
    first, second = tmp_path / "scan.pdf", tmp_path / "bericht.pdf"
    first.write_bytes(pdfs.clean_pdf())
    second.write_bytes(pdfs.clean_pdf(2))
    result = app.test_cli_runner().invoke(args=["check-pdf", str(first), str(second)])
    assert result.exit_code == 0
    assert result.output.splitlines() == [f"{first}: in Ordnung", f"{second}: in Ordnung"]


def test_refused_files_exit_one_with_a_reason_each(app: Flask, tmp_path: Path) -> None:
    good, script, renamed = tmp_path / "gut.pdf", tmp_path / "skript.pdf", tmp_path / "foto.pdf"
    good.write_bytes(pdfs.clean_pdf())
    script.write_bytes(pdfs.with_document_javascript())
    renamed.write_bytes(b"\xff\xd8\xff\xe0JFIF")
    result = app.test_cli_runner().invoke(args=["check-pdf", str(good), str(script), str(renamed)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{good}: in Ordnung",
        f"{script}: {ACTIVE_CONTENT}",
        f"{renamed}: {NOT_PDF}",
    ]


def test_an_oversized_file_is_refused_without_reading_all_of_it(app: Flask, tmp_path: Path) -> None:
    huge = tmp_path / "riesig.pdf"
    with huge.open("wb") as stream:
        stream.write(b"%PDF-1.7\n")
        stream.truncate(MAX_BYTES * 3)  # sparse: no 60 MB written to disk
    assert len(read_at_most(huge, MAX_BYTES + 1)) == MAX_BYTES + 1
    result = app.test_cli_runner().invoke(args=["check-pdf", str(huge)])
    assert result.exit_code == 1
    assert result.output == f"{huge}: Die Datei ist größer als 20 MB.\n"


def test_missing_files_and_no_files_are_usage_errors(app: Flask, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    assert runner.invoke(args=["check-pdf"]).exit_code == 2
    assert runner.invoke(args=["check-pdf", str(tmp_path / "fehlt.pdf")]).exit_code == 2
