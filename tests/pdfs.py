"""Builds real PDFs with pypdf for the upload check tests."""

from __future__ import annotations

import io
import zipfile

from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)


def blank_writer(pages: int = 1) -> PdfWriter:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    return writer


def to_bytes(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def clean_pdf(pages: int = 1) -> bytes:
    return to_bytes(blank_writer(pages))


def javascript_action(script: str = "app.alert('hallo');") -> DictionaryObject:
    return DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Action"),
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject(script),
        }
    )


def with_document_javascript() -> bytes:
    """Document-level JavaScript in the /Names tree, as Acrobat runs it when the file opens."""
    writer = blank_writer()
    action = writer._add_object(javascript_action())
    tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("start"), action])})
    names = DictionaryObject({NameObject("/JavaScript"): writer._add_object(tree)})
    writer._root_object[NameObject("/Names")] = writer._add_object(names)
    return to_bytes(writer)


def with_open_action() -> bytes:
    """An /OpenAction that launches a program (no JavaScript at all)."""
    writer = blank_writer()
    launch = DictionaryObject({NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc.exe")})
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(launch)
    return to_bytes(writer)


def with_page_action() -> bytes:
    """Additional actions (/AA) on a page."""
    writer = blank_writer()
    page_open = DictionaryObject({NameObject("/O"): writer._add_object(javascript_action())})
    writer.pages[0][NameObject("/AA")] = page_open
    return to_bytes(writer)


def encrypted() -> bytes:
    writer = blank_writer()
    writer.encrypt("geheim", algorithm="RC4-128")
    return to_bytes(writer)


def with_attachment() -> bytes:
    writer = blank_writer()
    writer.add_attachment("daten.txt", b"Anhang")
    return to_bytes(writer)


def with_xfa() -> bytes:
    writer = blank_writer()
    form = DictionaryObject(
        {NameObject("/Fields"): ArrayObject(), NameObject("/XFA"): writer._add_object(DecodedStreamObject())}
    )
    writer._root_object[NameObject("/AcroForm")] = writer._add_object(form)
    return to_bytes(writer)


def with_rich_media() -> bytes:
    """A rich media (Flash, video) annotation on the page."""
    writer = blank_writer()
    annotation = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/RichMedia"),
            NameObject("/Rect"): ArrayObject([NumberObject(0), NumberObject(0), NumberObject(10), NumberObject(10)]),
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])
    return to_bytes(writer)


def hex_escaped_javascript() -> bytes:
    """Document JavaScript whose names are written with #xx escapes, invisible to a plain byte search."""
    data = with_document_javascript()
    assert data.count(b"/JavaScript") >= 2
    return data.replace(b"/JavaScript", b"/J#61vaScript").replace(b"/JS", b"/J#53")


def with_zip_appended() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.txt", "versteckt")
    return clean_pdf() + buffer.getvalue()
