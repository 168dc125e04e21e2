"""The open data files: daten/angebote.json (the snapshot itself) and daten/angebote.csv (one row per offer)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path
from typing import Any

from portal.publishing.snapshot import OFFER_FIELDS, Snapshot
from portal.text import FORMULA_STARTS, clean

LIST_SEPARATOR = "; "


def write_open_data(snapshot: Snapshot, snapshot_file: Path, folder: Path) -> None:
    """The JSON is a byte-for-byte copy of the snapshot file; the CSV holds the same offers and fields."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(snapshot_file, folder / "angebote.json")
    with (folder / "angebote.csv").open("w", encoding="utf-8", newline="") as output:
        writer = csv.writer(output)
        writer.writerow(OFFER_FIELDS)
        for offer in snapshot["offers"]:
            writer.writerow([csv_cell(offer[field]) for field in OFFER_FIELDS])


def csv_cell(value: Any) -> str:
    """One value as CSV text: lists joined with "; ", sites as one line each, booleans true/false, None empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        text = LIST_SEPARATOR.join(_site_text(item) if isinstance(item, dict) else str(item) for item in value)
    else:
        text = str(value)
    text = clean(text)  # no NUL or other control characters that break CSV readers
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _site_text(site: dict[str, Any]) -> str:
    return f"{site['name']}, {site['street']}, {site['postal_code']} {site['district']} ({site['places']})"
