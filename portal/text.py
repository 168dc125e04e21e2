"""Provider text made safe for any output: no invisible or direction-changing characters, no spreadsheet formulas.

Shared by the public website (`publishing/text.py`, the open data) and the staff's exports (`reports/exports.py`).
"""

from __future__ import annotations

import re
import unicodedata

# Bidirectional embedding, override and isolate controls could make text read differently than it is stored.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
DROPPED = frozenset({"Cc", "Cs", "Co", "Cn"})  # controls, surrogates, private use, unassigned
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # spreadsheet programs would evaluate such a cell


def clean(value: str, keep_newlines: bool = True) -> str:
    """Drop control, surrogate, private-use and unassigned characters and bidi overrides; unify line breaks."""
    if not value.replace("\n", " ").replace("\t", " ").isprintable():  # the fast path: most text has nothing to drop
        value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
        value = BIDI_CONTROLS.sub("", value)
        value = "".join(char for char in value if char in "\n\t" or unicodedata.category(char) not in DROPPED)
    return value if keep_newlines else " ".join(value.split())
