"""`portal assignments import FILE [--dry-run]`: the upload's checks and import on the command line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from portal.assignments.models import Assignment
from portal.extensions import db
from portal.offers.models import Offer
from tests.assignments.test_upload import export


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=["assignments", "import", *args])


def count() -> int:
    return db.session.scalar(select(func.count(Assignment.id))) or 0


def test_a_dry_run_shows_the_rows_and_stores_nothing(app, tmp_path: Path, green: Offer) -> None:
    path = tmp_path / "zuweisungen.csv"
    path.write_bytes(export(green, "20", "19,5"))
    result = run(app, str(path), "--dry-run")
    assert result.exit_code == 0, result.output
    assert f"Zeile 2: 100A456789 (M. K.), Angebot Nr. {green.id}, Stadtteilzentrum, 01.03.2026 bis 31.08.2026" in (
        result.output
    )
    assert "19,5 Wochenstunden, Mo–Fr, MAE 1,50 € je Stunde" in result.output
    assert "Probelauf: 2 Zuweisung(en) würden angelegt; nichts gespeichert." in result.output
    assert count() == 0


def test_imports_once(app, tmp_path: Path, green: Offer) -> None:
    path = tmp_path / "zuweisungen.csv"
    path.write_bytes(export(green, "20", "30"))
    first = run(app, str(path))
    assert first.exit_code == 0, first.output
    assert "2 Zuweisung(en) angelegt" in first.output
    assert count() == 2
    again = run(app, str(path))
    assert (again.exit_code, again.output) == (0, "Diese Datei ist bereits importiert; nichts angelegt.\n")
    assert count() == 2


def test_errors_are_printed_per_row_and_exit_1(app, tmp_path: Path, green: Offer) -> None:
    path = tmp_path / "zuweisungen.csv"
    path.write_bytes(export(green, "20", "viel"))
    result = run(app, str(path))
    assert result.exit_code == 1
    assert "Zeile 3, Spalte „Wochenstunden“: „viel“ ist keine Zahl." in result.output
    assert "Nichts angelegt" in result.output
    assert count() == 0


def test_over_booking_is_a_warning_and_imports_only_when_allowed(app, tmp_path: Path, factories) -> None:
    one_place = factories.live_offer(start_date=date(2026, 1, 1), end_date=date(2026, 12, 31), places_total=1)
    path = tmp_path / "zuweisungen.csv"
    path.write_bytes(export(one_place, "20", "20"))
    dry = run(app, str(path), "--dry-run")
    assert "  Warnung: Das Angebot hat 1 Platz; mit dieser Zuweisung wären 2 belegt." in dry.output
    refused = run(app, str(path))
    assert refused.exit_code == 1
    assert "Nichts angelegt: Mit --allow-overbooking importieren Sie trotz der Warnungen." in refused.output
    assert count() == 0
    assert run(app, str(path), "--allow-overbooking").exit_code == 0
    assert count() == 2


def test_a_row_beyond_24_months_is_refused_even_in_a_dry_run(app, tmp_path: Path, green: Offer, factories) -> None:
    elsewhere = factories.live_offer(start_date=date(2023, 3, 1), end_date=date(2024, 10, 31))  # 20 months
    factories.assignment(elsewhere, customer_number="100A456789")
    path = tmp_path / "zuweisungen.csv"
    path.write_bytes(export(green, "20"))  # March to August 2026: 6 months more
    result = run(app, str(path), "--dry-run")
    assert result.exit_code == 1
    assert "Zeile 2, Spalte „Ende“: Der Fünfjahreszeitraum" in result.output
    assert count() == 1
