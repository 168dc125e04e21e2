"""The figures of an interim or final report: pure functions on plain data (no ORM, no Flask).

Over the report's period, counted from the assignments and their immediate events:
- **entries**: accepted assignments (the provider answered "angetreten") that started in the period, less those
  that ended with a non-entry event;
- **non-entries**: assignments answered "nicht angetreten" whose planned start is in the period, and non-entry
  events in the period;
- **exits by reason**: assignments that ended in the period, by the event that ended them (drop-out, job, training),
  "regular end" where none did (the planned end, or `portal assignments end`);
- **integrations**: exits into work or training, and their share of all exits (per cent, one decimal, half up);
- **participants**: accepted assignments (non-entries excepted) that overlap the period.
Place-months are the approved monthly reports'; money is the settlements': claimed once submitted, released once
released (or paid), per part (MAE refund, MKP base, material, social work).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from portal.assignments.models import AssignmentStatus, EventKind

ZERO = Decimal(0)
EXIT_REASONS = ("regular", "drop_out", "job", "training")
EXIT_LABELS = {
    "regular": "Reguläres Ende",
    "drop_out": "Abbruch",
    "job": "Arbeitsaufnahme",
    "training": "Aufnahme einer Ausbildung",
}
MONEY_PARTS = ("mae_refund", "mkp_base", "material_claim", "social_work_claim")
MONEY_LABELS = {
    "mae_refund": "Erstattung der Mehraufwandsentschädigung",
    "mkp_base": "Maßnahmekostenpauschale (Grundbetrag)",
    "material_claim": "Sachkosten gegen Beleg",
    "social_work_claim": "Sozialpädagogische Begleitung gegen Beleg",
}


@dataclass(frozen=True)
class Stay:
    """One assignment as the figures see it: its status, period and the event that ended it (if one did)."""

    status: AssignmentStatus
    start: date
    end: date
    exit_kind: EventKind | None = None
    exit_date: date | None = None

    @property
    def non_entry(self) -> bool:
        return self.status is AssignmentStatus.NOT_STARTED or self.exit_kind is EventKind.NON_ENTRY

    @property
    def accepted(self) -> bool:
        return self.status in (AssignmentStatus.ACTIVE, AssignmentStatus.ENDED) and not self.non_entry


@dataclass(frozen=True)
class People:
    participants: int
    entries: int
    non_entries: int
    exits: dict[str, int]

    @property
    def exits_total(self) -> int:
        return sum(self.exits.values())

    @property
    def integrations(self) -> int:
        return self.exits["job"] + self.exits["training"]

    @property
    def integration_rate(self) -> Decimal | None:
        """Integrations as a share of all exits, in per cent; None without exits."""
        if not self.exits_total:
            return None
        rate = Decimal(100 * self.integrations) / Decimal(self.exits_total)
        return rate.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _within(day: date | None, first: date, last: date) -> bool:
    return day is not None and first <= day <= last


def count_people(stays: Iterable[Stay], first: date, last: date) -> People:
    """The people figures of the period `first` to `last` (both included)."""
    stays = list(stays)
    exits = dict.fromkeys(EXIT_REASONS, 0)
    for stay in stays:
        if stay.accepted and stay.status is AssignmentStatus.ENDED and _within(stay.end, first, last):
            reason = stay.exit_kind.value if stay.exit_kind else "regular"
            exits[reason] += 1
    non_entries = [
        stay
        for stay in stays
        if (stay.status is AssignmentStatus.NOT_STARTED and _within(stay.start, first, last))
        or (stay.exit_kind is EventKind.NON_ENTRY and _within(stay.exit_date, first, last))
    ]
    return People(
        participants=sum(1 for stay in stays if stay.accepted and stay.start <= last and stay.end >= first),
        entries=sum(1 for stay in stays if stay.accepted and _within(stay.start, first, last)),
        non_entries=len(non_entries),
        exits=exits,
    )


@dataclass(frozen=True)
class SettledLine:
    """One month's settlement line of the offer: its amounts per part and whether it is claimed and released."""

    amounts: dict[str, Decimal]
    claimed: bool
    released: bool


@dataclass(frozen=True)
class Money:
    claimed: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(MONEY_PARTS, ZERO))
    released: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(MONEY_PARTS, ZERO))

    @property
    def claimed_total(self) -> Decimal:
        return sum(self.claimed.values(), ZERO)

    @property
    def released_total(self) -> Decimal:
        return sum(self.released.values(), ZERO)


def sum_money(lines: Iterable[SettledLine]) -> Money:
    """The claimed and released amounts per part of the settlement lines."""
    money = Money()
    for line in lines:
        for part in MONEY_PARTS:
            if line.claimed:
                money.claimed[part] += line.amounts[part]
            if line.released:
                money.released[part] += line.amounts[part]
    return money


def months_of(first: date, last: date) -> list[tuple[int, int]]:
    """The calendar months (year, month) the period touches, in order."""
    return [
        (index // 12, index % 12 + 1) for index in range(first.year * 12 + first.month - 1, last.year * 12 + last.month)
    ]
