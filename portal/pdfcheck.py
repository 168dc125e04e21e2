"""Checks an uploaded PDF before it is stored (docs/security.md 18); `portal.storage.store_pdf` runs it on every upload.

Cheap checks run here: the `%PDF-` signature, the size cap, PDF+ZIP polyglots and a raw scan of all names in the
file (hex escapes such as `/J#61vaScript` decoded). The file is then parsed with pypdf in a separate process
(`pdfcheck_worker.py`, run as a script) with a time and a memory limit, because a hostile file can make a parser loop or
allocate without end. Whatever goes wrong in that process is a refusal with a German reason, never an exception.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from io import BytesIO
from pathlib import Path

from portal.pdfcheck_worker import verdict_for_names

MIB = 1024 * 1024
MAX_BYTES = 20 * MIB
MAX_PAGES = 200
TIMEOUT_SECONDS = 20.0
MEMORY_BYTES = 512 * MIB
# Run as a script, not with -m: importing the `portal` package would load Flask and SQLAlchemy before the limits.
WORKER = Path(__file__).with_name("pdfcheck_worker.py")

NOT_PDF = "Die Datei ist kein PDF."
ENCRYPTED = "Die Datei ist verschlüsselt. Bitte laden Sie eine unverschlüsselte PDF-Datei hoch."
ACTIVE_CONTENT = (
    "Die Datei enthält JavaScript oder automatische Aktionen und wird aus Sicherheitsgründen nicht angenommen."
)
EMBEDDED_FILES = (
    "Die Datei enthält eingebettete Dateien und wird aus Sicherheitsgründen nicht angenommen. "
    "Bitte laden Sie eine PDF-Datei ohne Anhänge hoch."
)
MEDIA_OR_XFA = (
    "Die Datei enthält eingebettete Medien oder dynamische Formulare (XFA) "
    "und wird aus Sicherheitsgründen nicht angenommen."
)
LINKS = (
    "Die Datei enthält Links auf Internetseiten oder andere Dateien und wird aus Sicherheitsgründen nicht angenommen. "
    "Bitte laden Sie eine PDF-Datei ohne Links hoch."
)
FORM_ACTIONS = (
    "Die Datei enthält ein Formular, das Daten versendet oder einliest, und wird aus Sicherheitsgründen nicht "
    "angenommen. Bitte laden Sie eine PDF-Datei ohne Formularfunktionen hoch."
)
BOMB = (
    "Die Datei enthält gepackte Daten, die beim Entpacken übermäßig groß werden, und wird aus Sicherheitsgründen "
    "nicht angenommen. Bitte speichern Sie sie neu als PDF und laden Sie sie noch einmal hoch."
)
POLYGLOT = "Die Datei enthält zusätzlich ein ZIP-Archiv und wird aus Sicherheitsgründen nicht angenommen."
BROKEN = "Die Datei ist beschädigt und kann nicht gelesen werden."
UNCHECKABLE = (
    "Die Datei ist beschädigt oder zu aufwendig aufgebaut und kann nicht geprüft werden. "
    "Bitte speichern Sie sie neu als PDF und laden Sie sie noch einmal hoch."
)

VERDICTS = {
    "encrypted": ENCRYPTED,
    "active": ACTIVE_CONTENT,
    "embedded": EMBEDDED_FILES,
    "media": MEDIA_OR_XFA,
    "links": LINKS,
    "form_actions": FORM_ACTIONS,
    "bomb": BOMB,
    "broken": BROKEN,
    "too_complex": UNCHECKABLE,
}

# A name token: a slash followed by regular characters (PDF 32000-1, 7.2.2 and 7.3.5).
NAME_TOKEN = re.compile(rb"/([^\x00\t\n\x0c\r /\[\]()<>{}%]*)")
HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
# Any ZIP local file header or end-of-central-directory record makes the file a possible PDF+ZIP polyglot.
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")


def check_pdf(
    data: bytes,
    max_bytes: int = MAX_BYTES,
    max_pages: int = MAX_PAGES,
    *,
    timeout: float = TIMEOUT_SECONDS,
    memory_bytes: int = MEMORY_BYTES,
) -> str | None:
    """None when the file may be stored, otherwise one reason in German for the person who uploaded it."""
    if not data.startswith(b"%PDF-"):
        return NOT_PDF
    if len(data) > max_bytes:
        return f"Die Datei ist größer als {size_text(max_bytes)}."
    if is_polyglot(data):
        return POLYGLOT
    reason = verdict_for_names(raw_names(data))
    if reason is not None:
        return VERDICTS[reason]
    return parse_in_subprocess(data, max_pages, timeout=timeout, memory_bytes=memory_bytes)


def size_text(size: int) -> str:
    for unit, factor in (("MB", MIB), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:.1f}".removesuffix(".0").replace(".", ",") + f" {unit}"
    return f"{size} Bytes"


def is_polyglot(data: bytes) -> bool:
    return any(signature in data for signature in ZIP_SIGNATURES) or zipfile.is_zipfile(BytesIO(data))


def raw_names(data: bytes) -> set[str]:
    """Every name written in the file outside compressed streams, with `#xx` escapes decoded."""
    names = set()
    for match in NAME_TOKEN.finditer(data):
        decoded = HEX_ESCAPE.sub(lambda escape: bytes([int(escape.group(1), 16)]), match.group(1))
        names.add(decoded.decode("latin-1"))
    return names


def parse_in_subprocess(data: bytes, max_pages: int, *, timeout: float, memory_bytes: int) -> str | None:
    command = [sys.executable, "-I", str(WORKER), str(memory_bytes), str(int(timeout) + 1)]
    try:
        finished = subprocess.run(command, input=data, capture_output=True, timeout=timeout, check=False)  # noqa: S603
        if finished.returncode != 0:
            return UNCHECKABLE
        result = json.loads(finished.stdout)
        verdict, pages = result["verdict"], int(result["pages"])
    except (subprocess.SubprocessError, OSError, ValueError, KeyError, TypeError):
        return UNCHECKABLE
    if verdict != "ok":
        return VERDICTS.get(verdict, UNCHECKABLE)
    if pages > max_pages:
        return f"Die Datei hat mehr als {max_pages} Seiten."
    return None
