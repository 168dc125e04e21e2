"""Demo settlements: the first provider's approved month, started as a draft with one receipt for the material, so
that the demo admin can add receipts, confirm the payout and submit it, and staff check and release it."""

from __future__ import annotations

import io
from decimal import Decimal

from pypdf import PdfWriter
from sqlalchemy import func, select

from portal.demo.offers import demo_providers
from portal.extensions import db
from portal.settlements import queries, services
from portal.settlements.models import ProofKind, Settlement
from portal.submissions import new_token


def load_demo_settlements() -> int:
    """Start the demo settlements once. Returns the number of settlements started."""
    if db.session.scalar(select(func.count(Settlement.id))):
        return 0
    providers = demo_providers()
    provider = providers[0] if providers else None
    if provider is None or provider.organisation_id is None:
        return 0
    months = queries.open_months(provider.organisation_id)
    if not months:
        return 0
    settlement = services.start_settlement(new_token(), provider, months[0].year, months[0].month)
    services.add_receipt(
        new_token(),
        provider,
        settlement,
        settlement.lines[0].offer_id,
        ProofKind.MATERIAL,
        Decimal("84.90"),
        "Arbeitshandschuhe und Warnwesten, Rechnung 2026-118",
        "rechnung-2026-118.pdf",
        _blank_pdf(),
    )
    return 1


def _blank_pdf() -> bytes:
    """A one-page PDF standing in for a scanned invoice."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
