"""`portal check-pdf FILE...`: the upload check for files that reach staff by other ways."""

from __future__ import annotations

from pathlib import Path

import click

from portal.pdfcheck import MAX_BYTES, check_pdf


def read_at_most(path: Path, limit: int) -> bytes:
    """The first `limit` bytes of the file: enough to refuse an oversized file without reading all of it."""
    with path.open("rb") as stream:
        return stream.read(limit)


@click.command("check-pdf")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def check_pdf_command(files: tuple[Path, ...]) -> None:
    """Prüft PDF-Dateien wie beim Hochladen (Exit-Code 0: alle in Ordnung, 1: mindestens eine abgelehnt)."""
    refused = 0
    for path in files:
        reason = check_pdf(read_at_most(path, MAX_BYTES + 1))
        if reason is None:
            click.echo(f"{path}: in Ordnung")
        else:
            refused += 1
            click.echo(f"{path}: {reason}")
    if refused:
        raise SystemExit(1)
