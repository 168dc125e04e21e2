"""TOTP second factor helpers (pyotp); replay protection via the last used time step."""

from __future__ import annotations

from datetime import datetime

import pyotp
import segno

ISSUER = "ARGE-Partnerportal"


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The provisioning URI as inline SVG markup (no external request, no data URL)."""
    return str(segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff", title="QR-Code"))


def matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step the code belongs to (±1 step of clock drift), or None."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    for drift in (0, -1, 1):
        moment = datetime.fromtimestamp(now.timestamp() + drift * totp.interval, tz=now.tzinfo)
        if totp.at(moment) == code:
            return int(totp.timecode(moment))
    return None
