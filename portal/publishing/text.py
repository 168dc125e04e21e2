"""Provider text made safe for the generated Markdown pages.

MkDocs' Jinja environment has no autoescape, and Material prints the page title raw (in <title>, the header and
search results), where `striptags` would even unescape entities. So provider strings reach a page only two ways:
- in the body, inside raw HTML blocks, escaped with `text()` / `paragraphs()` (Python-Markdown leaves such blocks
  alone, so no Markdown or template syntax in them has any effect);
- as the front-matter title, through `page_title()`: a plain string without any HTML-significant character,
  written as a JSON (= YAML) quoted string by `front_matter()`.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import unicodedata
from urllib.parse import urlsplit

from portal.text import clean

# HTML-significant characters become harmless look-alikes in titles.
LOOKALIKES = str.maketrans({"<": "‹", ">": "›", "&": "+", '"': "”", "'": "’", "`": "ʹ"})
TITLE_LIMIT = 150
SLUG_LIMIT = 60
SLUG_TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def page_title(value: str, limit: int = TITLE_LIMIT) -> str:
    """A one-line title that is safe where the theme prints it raw: no <, >, &, quotes or control characters."""
    visible = "".join(char for char in clean(value) if unicodedata.category(char) != "Cf")
    title = " ".join(visible.split()).translate(LOOKALIKES)
    if len(title) > limit:
        title = title[: limit - 1].rstrip() + "…"
    return title or "Angebot ohne Titel"


def front_matter(title: str, **extra: object) -> str:
    """The YAML front matter of a generated page; the title goes through page_title() and is JSON-quoted."""
    lines = ["---", f"title: {json.dumps(page_title(title), ensure_ascii=False)}"]
    lines += [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in extra.items()]
    return "\n".join([*lines, "---", ""]) + "\n"


def text(value: object) -> str:
    """Provider text for one line of a raw HTML block: cleaned, on one line, HTML-escaped (quotes too)."""
    return html.escape(clean(str(value), keep_newlines=False), quote=True)


def paragraphs(value: str) -> str:
    """Multi-line provider text as <p> elements on a single line: a blank line cannot end the raw HTML block."""
    blocks = [block for block in re.split(r"\n\s*\n", clean(value)) if block.strip()]
    rendered = ("<br>".join(text(line) for line in block.strip().split("\n")) for block in blocks)
    return "".join(f"<p>{block}</p>" for block in rendered)


def web_link(url: str, label: str | None = None) -> str:
    """A link to a provider's website only for plain http(s) addresses with a host; anything else stays text."""
    address = clean(url, keep_newlines=False).strip()
    if not _is_web_address(address):
        return text(address)
    return f'<a href="{html.escape(address, quote=True)}" rel="noopener">{text(label or address)}</a>'


def _is_web_address(address: str) -> bool:
    if not address.lower().startswith(("https://", "http://")) or any(char.isspace() for char in address):
        return False
    try:
        return bool(urlsplit(address).hostname)
    except ValueError:  # e.g. an invalid port or IPv6 literal
        return False


def slugify(value: str) -> str:
    """A readable ASCII path segment (Südstadt → suedstadt); a hash if nothing readable is left."""
    readable = unicodedata.normalize("NFKD", value.lower().translate(SLUG_TRANSLITERATION))
    slug = re.sub(r"[^a-z0-9]+", "-", readable.encode("ascii", "ignore").decode()).strip("-")
    slug = slug[:SLUG_LIMIT].strip("-")
    return slug or "x-" + hashlib.sha256(value.encode()).hexdigest()[:10]


def sort_key(value: str) -> str:
    """Alphabetical order as in a German dictionary: umlauts sort with their base letter."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def relative_url(from_url: str, to_url: str) -> str:
    """The link from one site-relative URL (directory URLs end with /) to another, as MkDocs would write it."""
    source, target = from_url.split("/")[:-1], [part for part in to_url.split("/") if part]
    common = 0
    while common < min(len(source), len(target)) and source[common] == target[common]:
        common += 1
    link = "/".join([".."] * (len(source) - common) + target[common:])
    if to_url.endswith("/") or not to_url:
        return link + "/" if link else "./"
    return link
