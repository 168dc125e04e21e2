"""Parses one PDF from standard input with pypdf and prints a verdict as JSON (run by `pdfcheck.check_pdf`).

Runs as its own process: `python -I pdfcheck_worker.py MEMORY_BYTES CPU_SECONDS`. It limits its own address space
and CPU time first, so a hostile file can only kill this process, never the portal. It imports nothing from the
`portal` package (only the standard library and pypdf), so it starts fast and small; `pdfcheck` imports from it.

Every stream is decoded here once, before anything else reads it (object streams included), so a decompression
bomb is refused as such: a stream that decodes to more than MAX_DECODED_BYTES, that grows by more than MAX_RATIO,
or that passes one of pypdf's own decoding limits.
"""

from __future__ import annotations

import json
import resource
import sys
import warnings
from collections.abc import Iterator, Sequence
from io import BytesIO
from typing import IO, Any

# PDF names that make a file refused, by the reason given. The order is the order of precedence.
ENCRYPTION_NAMES = frozenset({"Encrypt"})
ACTIVE_NAMES = frozenset({"JavaScript", "JS", "OpenAction", "AA", "Launch"})
EMBEDDED_NAMES = frozenset({"EmbeddedFile", "EmbeddedFiles", "EF"})
MEDIA_NAMES = frozenset({"XFA", "RichMedia"})
# Actions that open a web page or another file (phishing), and form actions that send or read data (exfiltration).
LINK_NAMES = frozenset({"URI", "GoToR", "GoToE"})
FORM_ACTION_NAMES = frozenset({"SubmitForm", "ImportData"})

# The walk through the object tree stops after this many dictionaries and arrays; a file that needs more is refused.
MAX_NODES = 500_000
# One decoded stream at most (an uncompressed A4 colour page scanned at 300 dpi is about 26 MB), and the most a
# stream may grow when decoded: above Deflate's own maximum of about 1032 to 1, so only stacked filters reach it.
MAX_DECODED_BYTES = 64 * 1024 * 1024
MAX_RATIO = 1100


def verdict_for_names(names: set[str]) -> str | None:
    """The first refusal the names call for, as a key of VERDICTS, or None."""
    for verdict, refused in (
        ("encrypted", ENCRYPTION_NAMES),
        ("active", ACTIVE_NAMES),
        ("embedded", EMBEDDED_NAMES),
        ("media", MEDIA_NAMES),
        ("links", LINK_NAMES),
        ("form_actions", FORM_ACTION_NAMES),
    ):
        if names & refused:
            return verdict
    return None


def limit_resources(memory_bytes: int, cpu_seconds: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))


def verdict_on(data: bytes) -> dict[str, Any]:
    """The verdict on one PDF: "ok" with the page count, or the reason it is refused (keys of `pdfcheck.VERDICTS`)."""
    with warnings.catch_warnings():
        # pypdf warns about every oddity of a damaged file; the verdict already says what matters.
        warnings.simplefilter("ignore")
        try:
            return verdict_of_parsed(data)
        except MemoryError:
            return {"verdict": "too_complex", "pages": 0}
        except Exception:  # every parser error is a damaged file
            return {"verdict": "broken", "pages": 0}


def verdict_of_parsed(data: bytes) -> dict[str, Any]:
    from pypdf import PdfReader

    reader = PdfReader(BytesIO(data), strict=False)
    if reader.is_encrypted:
        return {"verdict": "encrypted", "pages": 0}
    if any(is_bomb(stream) for stream in streams(reader)):
        return {"verdict": "bomb", "pages": 0}
    names = tree_names(reader)
    if names is None:
        return {"verdict": "too_complex", "pages": 0}
    verdict = verdict_for_names(names)
    if verdict is not None:
        return {"verdict": verdict, "pages": 0}
    return {"verdict": "ok", "pages": len(reader.pages)}


def streams(reader: Any) -> Iterator[Any]:
    """Every stream of the cross-reference tables; streams never sit inside object streams, so none is read yet."""
    from pypdf.generic import IndirectObject, StreamObject

    for generation, entries in reader.xref.items():
        for idnum in entries:
            item = IndirectObject(idnum, generation, reader).get_object()
            if isinstance(item, StreamObject):
                yield item


def is_bomb(stream: Any) -> bool:
    """Whether the stream decodes to too much, or grows too much; a filter pypdf cannot decode is not checked."""
    from pypdf.errors import LimitReachedError
    from pypdf.filters import decode_stream_data

    encoded = len(stream._data)
    try:
        decoded = len(decode_stream_data(stream))
    except (LimitReachedError, MemoryError):
        return True
    except Exception:  # a damaged stream or one only a viewer decodes (JBIG2 without jbig2dec): no size to judge
        return False
    return decoded > MAX_DECODED_BYTES or decoded > MAX_RATIO * max(encoded, 1)


def tree_names(reader: Any) -> set[str] | None:
    """All names used as keys or values anywhere in the file, or None when there are more than MAX_NODES.

    Starts from the trailer and from every object in the cross-reference tables (so objects nobody points to
    are seen too), resolves indirect references once each, and walks iteratively (no recursion limit to hit).
    """
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    roots: list[Any] = [reader.trailer]
    for generation, entries in reader.xref.items():
        roots.extend(IndirectObject(idnum, generation, reader) for idnum in entries)
    roots.extend(IndirectObject(idnum, 0, reader) for idnum in reader.xref_objStm)
    names: set[str] = set()
    seen: set[tuple[int, int]] = set()
    stack = roots
    nodes = 0
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        if isinstance(item, NameObject):
            names.add(str(item)[1:])
        elif isinstance(item, DictionaryObject | ArrayObject):
            nodes += 1
            if nodes > MAX_NODES:
                return None
            if isinstance(item, DictionaryObject):
                names.update(str(key)[1:] for key in item)
                stack.extend(item.values())
            else:
                stack.extend(item)
    return names


def main(argv: Sequence[str], stdin: IO[bytes], stdout: IO[str]) -> None:
    memory_bytes, cpu_seconds = (int(value) for value in argv)
    limit_resources(memory_bytes, cpu_seconds)
    json.dump(verdict_on(stdin.read()), stdout)


if __name__ == "__main__":  # pragma: no cover - the tests call main() in-process; check_pdf runs this in a child
    main(sys.argv[1:], sys.stdin.buffer, sys.stdout)
