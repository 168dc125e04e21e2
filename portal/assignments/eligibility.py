"""The check "at most 24 months within 5 years" of AGH assignments (§ 16d Abs. 6 SGB II), for ARGE staff only.

A provider never sees a Kundennummer's time at other providers, so only staff call this; the caller writes the
access-log entry. Pure functions on plain dates: the caller passes every AGH assignment of the Kundennummer that
the portal knows, past and planned, each as the time actually spent or planned (an early exit ends it on the day
of the exit; a non-entry or a declined assignment is no time at all and is left out).

Conventions (documented in docs/assignments-import.md as well):
- **The frame** starts with the first day of AGH time of the Kundennummer (its first entry), not a rolling window,
  and lasts five years counted by §§ 187 Abs. 2, 188 Abs. 2 and 3 BGB: 1 March 2024 to 28 February 2029, and
  29 February 2024 to 28 February 2029. The next frame starts with the first day of AGH time after the frame:
  the next entry, or the day after the frame when an assignment is still running then.
- **The limit** is 24 months in a frame; an extension of up to 12 months, recorded with a reason, raises it for the
  frame its date falls in, to at most 36 months however many extensions are recorded.
- **Months** are counted by calendar days as everywhere in the portal (`portal.offers.costs.months_between`): a
  day is 1/n of a month, n the number of days of its calendar month. A full calendar month is one month whatever
  its length, 1 March to 31 August is 6 months, 15 January to 14 February 2025 is 17/31 + 14/28 = 1.048… months.
  A day in two assignments at once counts once.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from portal.offers.costs import months_between

AGH_LIMIT_MONTHS = Decimal(24)  # per Kundennummer within one frame of AGH_WINDOW_YEARS
AGH_WINDOW_YEARS = 5
EXTENSION_MONTHS = 12  # at most, in one frame (§ 16d Abs. 6 Satz 2 SGB II)
ZERO = Decimal(0)
# months_between divides by the days of a month to 28 digits; rounded to six places, a sum of whole months is
# whole again. Two different counts of days differ by far more (at least 1/(28·29·30·31) of a month).
PRECISION = Decimal("0.000001")


@dataclass(frozen=True, order=True)
class Period:
    """An assignment's time, both days included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"period ends before it starts: {self.start} to {self.end}")


@dataclass(frozen=True)
class Extension:
    """An extension of the limit granted after a fresh check, with the date of the decision and its reason."""

    granted_on: date
    reason: str
    months: int = EXTENSION_MONTHS

    def __post_init__(self) -> None:
        if not self.reason.strip():
            raise ValueError("an extension needs a reason")
        if not 1 <= self.months <= EXTENSION_MONTHS:
            raise ValueError(f"an extension is 1 to {EXTENSION_MONTHS} months, not {self.months}")


@dataclass(frozen=True)
class Frame:
    """One five-year frame with the AGH months in it and the months allowed."""

    start: date
    end: date
    months: Decimal
    allowed: Decimal
    extensions: tuple[Extension, ...] = ()

    @property
    def left(self) -> Decimal:
        return max(self.allowed - self.months, ZERO)

    def overlaps(self, period: Period) -> bool:
        return self.start <= period.end and period.start <= self.end


@dataclass(frozen=True)
class Eligibility:
    """The answer for a planned assignment, in the frame it starts in."""

    frame: Frame  # with the planned assignment counted
    months_used: Decimal  # in that frame before the planned assignment
    months_left: Decimal  # in that frame before the planned assignment
    months_added: Decimal  # by the planned assignment in that frame (days counted already are not counted again)
    fits: bool  # no frame the planned assignment reaches (it may run into the next) goes beyond its limit
    explanation: str  # German, for staff


def frame_end(start: date) -> date:
    """The last day of the five years that start on `start` (§ 188 Abs. 2 and 3 BGB)."""
    year = start.year + AGH_WINDOW_YEARS
    if (start.month, start.day) == (2, 29) and not calendar.isleap(year):
        return date(year, 2, 28)
    return date(year, start.month, start.day) - timedelta(days=1)


def frames(history: Iterable[Period], extensions: Iterable[Extension] = ()) -> list[Frame]:
    """The five-year frames of a Kundennummer's AGH time, oldest first."""
    merged = merge(history)
    granted = tuple(extensions)
    bounds: list[tuple[date, date]] = []
    for period in merged:
        day = period.start
        while day <= period.end:
            if not bounds or day > bounds[-1][1]:
                bounds.append((day, frame_end(day)))
            day = bounds[-1][1] + timedelta(days=1)
    return [_frame(start, end, merged, granted) for start, end in bounds]


def _frame(start: date, end: date, merged: Sequence[Period], granted: tuple[Extension, ...]) -> Frame:
    inside = tuple(item for item in granted if start <= item.granted_on <= end)
    extra = min(sum(item.months for item in inside), EXTENSION_MONTHS)
    return Frame(start, end, months_within(merged, start, end), AGH_LIMIT_MONTHS + extra, inside)


def merge(periods: Iterable[Period]) -> list[Period]:
    """The periods sorted, with overlapping and adjoining ones joined."""
    merged: list[Period] = []
    for period in sorted(periods):
        if merged and period.start <= merged[-1].end + timedelta(days=1):
            merged[-1] = Period(merged[-1].start, max(merged[-1].end, period.end))
        else:
            merged.append(period)
    return merged


def months_within(merged: Iterable[Period], first: date, last: date) -> Decimal:
    """The months of the merged periods between `first` and `last` (both included)."""
    total = sum(
        (
            months_between(max(item.start, first), min(item.end, last))
            for item in merged
            if item.start <= last and item.end >= first
        ),
        ZERO,
    )
    return total.quantize(PRECISION)


def check(history: Iterable[Period], planned: Period, extensions: Iterable[Extension] = ()) -> Eligibility:
    """Whether the planned assignment fits into the limit, with the figures of the frame it starts in."""
    known = merge(history)
    every = frames([*known, planned], extensions)
    reached = [frame for frame in every if frame.overlaps(planned)]
    before = [months_within(known, frame.start, frame.end) for frame in reached]
    first = reached[0]
    result = Eligibility(
        frame=first,
        months_used=before[0],
        months_left=max(first.allowed - before[0], ZERO),
        months_added=first.months - before[0],
        fits=all(frame.months <= frame.allowed for frame in reached),
        explanation="",
    )
    sentences = [
        _frame_text(result, planned, first is every[0]),
        f"Erlaubt sind {months_text(first.allowed)}{_extensions_text(first)}.",
        *_verdict_text(result, max(frame.months - frame.allowed for frame in reached)),
        *(_next_frame_text(frame, frame.months - used) for frame, used in zip(reached[1:], before[1:], strict=True)),
    ]
    return replace(result, explanation=" ".join(sentences))


def _frame_text(result: Eligibility, planned: Period, first_frame: bool) -> str:
    frame = result.frame
    span = f"vom {frame.start:%d.%m.%Y} bis {frame.end:%d.%m.%Y}"
    if result.months_used == 0 and frame.start == planned.start:
        return f"Mit dieser Zuweisung beginnt der Fünfjahreszeitraum der Kundennummer ({span})."
    begins = (
        "dem ersten Eintritt in eine Arbeitsgelegenheit"
        if first_frame
        else "dem ersten Eintritt nach dem Ende des vorigen"
    )
    return (
        f"Der Fünfjahreszeitraum der Kundennummer läuft {span}; er beginnt mit {begins}. "
        f"Darin belegt (bisherige und geplante Zuweisungen): {months_text(result.months_used)}."
    )


def _verdict_text(result: Eligibility, excess: Decimal) -> list[str]:
    added = months_text(result.months_added)
    if result.fits:
        return [f"Durch die neue Zuweisung kommen hinzu: {added}; danach noch frei: {months_text(result.frame.left)}."]
    sentences = [
        f"Durch die neue Zuweisung kämen hinzu: {added}. Damit wäre die Höchstdauer um "
        f"{months_text(excess, ROUND_CEILING)} überschritten."
    ]
    if not result.frame.extensions:
        sentences.append(
            "Nach erneuter Prüfung ist eine Verlängerung um bis zu 12 Monate möglich; bitte halten Sie sie mit "
            "Begründung fest."
        )
    return sentences


def _next_frame_text(frame: Frame, added: Decimal) -> str:
    return (
        f"Die Zeit ab dem {frame.start:%d.%m.%Y} ({months_text(added)}) zählt zum nächsten Fünfjahreszeitraum "
        f"(bis {frame.end:%d.%m.%Y})."
    )


def _extensions_text(frame: Frame) -> str:
    return "".join(
        f", mit der Verlängerung vom {item.granted_on:%d.%m.%Y} (Begründung: {item.reason.strip()})"
        for item in frame.extensions
    )


def months_text(value: Decimal, rounding: str = ROUND_HALF_UP) -> str:
    """Months as staff read them: "1 Monat", "6 Monate", "5,95 Monate" (at most two decimal places)."""
    shown = value.quantize(Decimal("0.01"), rounding=rounding).normalize()
    number = format(shown, "f").replace(".", ",")
    return f"{number} Monat" if shown == 1 else f"{number} Monate"
