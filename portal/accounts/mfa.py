"""Second factor helpers: TOTP (pyotp; replay protection via the last used time step) and recovery codes."""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import datetime

import pyotp
import segno

ISSUER = "ARGE-Partnerportal"
RECOVERY_CODE_COUNT = 10
# 120 random bits (24 base32 characters, shown in groups of four): ASVS 6.5.2 lets secrets of 112 bits and more be
# stored with a plain hash; shorter ones would need a salted password hash.
RECOVERY_CODE_BYTES = 15


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


def new_recovery_codes() -> list[str]:
    """Fresh recovery codes such as `k3vq-7h2m-x9ab-pq4r-2mna-6fzc`."""
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = base64.b32encode(secrets.token_bytes(RECOVERY_CODE_BYTES)).decode().lower()
        codes.append("-".join(raw[start : start + 4] for start in range(0, len(raw), 4)))
    return codes


def recovery_digest(code: str) -> str:
    """The stored form of a recovery code: SHA-256 of the code without case, spaces and dashes (the codes have
    120 random bits, so a slow, salted password hash is not needed)."""
    plain = "".join(code.split()).replace("-", "").lower()
    return hashlib.sha256(plain.encode()).hexdigest()
