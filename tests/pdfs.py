"""Builds real PDFs with pypdf for the upload check tests."""

from __future__ import annotations

import io
import zipfile
import zlib

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


def with_link_action(action: DictionaryObject) -> bytes:
    """A link annotation on the page that runs the action when clicked (no /OpenAction, no /AA)."""
    writer = blank_writer()
    annotation = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([NumberObject(0), NumberObject(0), NumberObject(100), NumberObject(20)]),
            NameObject("/A"): action,
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])
    return to_bytes(writer)


def action(kind: str, **entries: str) -> DictionaryObject:
    values = {NameObject(f"/{key}"): TextStringObject(value) for key, value in entries.items()}
    return DictionaryObject({NameObject("/S"): NameObject(f"/{kind}"), **values})


def with_uri() -> bytes:
    return with_link_action(action("URI", URI="https://anmeldung.example.net/arge"))


def with_submit_form() -> bytes:
    return with_link_action(action("SubmitForm", F="https://sammler.example.net/formular"))


def with_import_data() -> bytes:
    return with_link_action(action("ImportData", F="daten.fdf"))


def with_remote_goto() -> bytes:
    return with_link_action(action("GoToR", F="\\\\server.example.net\\freigabe\\datei.pdf"))


def with_launch_link() -> bytes:
    return with_link_action(action("Launch", F="cmd.exe"))


def with_javascript_open_action() -> bytes:
    writer = blank_writer()
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(javascript_action())
    return to_bytes(writer)


def with_embedded_exe() -> bytes:
    writer = blank_writer()
    writer.add_attachment("rechnung.exe", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56 + b"This program cannot be run")
    return to_bytes(writer)


def hex_escaped_uri() -> bytes:
    """A link to a web page whose action name is written /#55RI."""
    data = with_uri()
    assert data.count(b"/URI") == 2
    return data.replace(b"/URI", b"/#55R#49")


def with_stream(encoded: bytes, filters: list[str]) -> bytes:
    """A page whose content stream holds the encoded bytes under the given filters."""
    writer = blank_writer()
    stream = DecodedStreamObject()
    stream.set_data(encoded)
    stream[NameObject("/Filter")] = ArrayObject([NameObject(name) for name in filters])
    writer.pages[0][NameObject("/Contents")] = writer._add_object(stream)
    return to_bytes(writer)


def deflate_zeros(size: int, before: bytes = b"") -> bytes:
    """`size` zero bytes (after `before`), deflated without holding them in memory at once."""
    compressor = zlib.compressobj(9)
    chunk = bytes(1024 * 1024)
    parts = [compressor.compress(before)]
    parts += [compressor.compress(chunk[: min(len(chunk), size - done)]) for done in range(0, size, len(chunk))]
    return b"".join(parts) + compressor.flush()


def decompression_bomb(size: int = 100 * 1024 * 1024) -> bytes:
    """A content stream of about 100 KB that inflates to 100 MB."""
    return with_stream(deflate_zeros(size), ["/FlateDecode"])


def nested_bomb() -> bytes:
    """Deflate applied twice: 32 MB (below the size cap) from a few hundred bytes, a ratio no single pass reaches."""
    return with_stream(zlib.compress(deflate_zeros(32 * 1024 * 1024), 9), ["/FlateDecode", "/FlateDecode"])


def scan_pdf(pages: int = 3, width: int = 620, height: int = 877) -> bytes:
    """A scan as a scanner writes it: each page one grey image (deflated), drawn over the whole page."""
    writer = blank_writer(pages)
    for number, page in enumerate(writer.pages):
        row = bytes((x * 7 + number) % 256 for x in range(width))
        image = DecodedStreamObject()
        image.set_data(zlib.compress(b"".join(row[y % 97 :] + row[: y % 97] for y in range(height))))
        image.update(
            {
                NameObject("/Type"): NameObject("/XObject"),
                NameObject("/Subtype"): NameObject("/Image"),
                NameObject("/Width"): NumberObject(width),
                NameObject("/Height"): NumberObject(height),
                NameObject("/ColorSpace"): NameObject("/DeviceGray"),
                NameObject("/BitsPerComponent"): NumberObject(8),
                NameObject("/Filter"): NameObject("/FlateDecode"),
            }
        )
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/XObject"): DictionaryObject({NameObject("/Im0"): writer._add_object(image)})}
        )
        content = DecodedStreamObject()
        content.set_data(b"q 595 0 0 842 0 0 cm /Im0 Do Q")
        page[NameObject("/Contents")] = writer._add_object(content)
    return to_bytes(writer)


def blank_scan_page() -> bytes:
    """An empty white A4 page scanned at 300 dpi in grey: 8.7 MB that deflate about 1026 to 1, still accepted."""
    return with_stream(zlib.compress(b"\xff" * (2480 * 3508), 9), ["/FlateDecode"])


def in_object_stream(catalog_extra: bytes = b"", extra_object: bytes = b"<< >>", padding: int = 0) -> bytes:
    """A PDF 1.5 file whose catalog, pages and one more object sit inside a compressed object stream (object 5),
    found through a cross-reference stream (object 6): none of their names is visible in the file's bytes.
    `padding` zero bytes after the objects make the object stream a decompression bomb."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        extra_object,
    ]
    offsets, body = [], b""
    for number, content in enumerate(objects, start=1):
        offsets.append(f"{number} {len(body)}")
        body += content + b"\n"
    header = " ".join(offsets).encode() + b"\n"
    packed = zlib.compress(header + body) if not padding else deflate_zeros(padding, header + body)
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    stream_at = len(out)
    out += (
        f"5 0 obj\n<< /Type /ObjStm /N 4 /First {len(header)} /Filter /FlateDecode /Length {len(packed)} >>\n".encode()
    )
    out += b"stream\n" + packed + b"\nendstream\nendobj\n"
    xref_at = len(out)
    rows = [bytes([0]) + (0).to_bytes(4, "big") + (65535).to_bytes(2, "big")]
    rows += [bytes([2]) + (5).to_bytes(4, "big") + index.to_bytes(2, "big") for index in range(4)]
    rows += [bytes([1]) + offset.to_bytes(4, "big") + (0).to_bytes(2, "big") for offset in (stream_at, xref_at)]
    table = zlib.compress(b"".join(rows))
    out += (
        f"6 0 obj\n<< /Type /XRef /Size 7 /Root 1 0 R /W [1 4 2] /Index [0 7] /Filter /FlateDecode "
        f"/Length {len(table)} >>\n"
    ).encode()
    out += b"stream\n" + table + b"\nendstream\nendobj\n"
    out += f"startxref\n{xref_at}\n%%EOF\n".encode()
    return bytes(out)


def javascript_in_object_stream() -> bytes:
    return in_object_stream(b"/OpenAction 4 0 R", b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>")


def uri_in_object_stream() -> bytes:
    return in_object_stream(b"", b"<< /S /URI /URI (https://anmeldung.example.net/) >>")
