"""The scheduled weekdays of an assignment: the text people write ("Mo–Fr", "Mo, Di, Mi") and the seven-character
mask stored in `Assignment.weekdays` ("1111100": Monday to Sunday, "1" where the assignment schedules work).

Pure functions, used by the upload, the forms and the grid.
"""

from __future__ import annotations

import re
from decimal import Decimal

DAY_NAMES = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")
FULL_NAMES = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
HOURS_PER_DAY_CAP = Decimal(10)  # working-time law (§ 16d Abs. 7 SGB II with the ArbZG)
HINT = "Bitte schreiben Sie die Tage z. B. als „Mo–Fr“, „Mo, Di, Mi“ oder „Mo–Sa“."

MASK = re.compile(r"^[01]{7}$")
_WORDS = {
    **{name.casefold(): number for number, name in enumerate(DAY_NAMES)},
    **{name.casefold(): number for number, name in enumerate(FULL_NAMES)},
    "sonnabend": 5,
}
_LIST_SEPARATOR = re.compile(r"[,;/+]|\s+und\s+", re.IGNORECASE)
_RANGE_SEPARATOR = re.compile(r"\s*[-–—]\s*|\s+bis\s+", re.IGNORECASE)


def parse_weekdays(text: str) -> str:
    """The mask of a text such as "Mo–Fr", "Mo-Mi, Fr", "Di und Do", "Montag bis Samstag" (case does not matter).

    Raises ValueError with a German message for staff when the text names no weekday or something else.
    """
    parts = [part.strip() for part in _LIST_SEPARATOR.split(text) if part.strip()]
    if not parts:
        raise ValueError(f"Es ist kein Wochentag angegeben. {HINT}")
    days: set[int] = set()
    for part in parts:
        days.update(_days_of(part))
    return "".join("1" if number in days else "0" for number in range(7))


def _days_of(part: str) -> list[int]:
    ends = _RANGE_SEPARATOR.split(part)
    if len(ends) == 1:
        return [_day(word) for word in part.split()]
    if len(ends) == 2:
        first, last = _day(ends[0]), _day(ends[1])
        if first > last:
            raise ValueError(f"„{shorten(part)}“: Ein Bereich geht von Montag in Richtung Sonntag, z. B. „Mo–Fr“.")
        return list(range(first, last + 1))
    raise ValueError(f"„{shorten(part)}“ verstehen wir nicht. {HINT}")


def _day(word: str) -> int:
    number = _WORDS.get(word.strip().rstrip(".").casefold())
    if number is None:
        raise ValueError(f"„{shorten(word)}“ ist kein Wochentag. {HINT}")
    return number


def shorten(text: str, limit: int = 20) -> str:
    """What someone wrote, on one line and shortened, to be quoted in a message."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def format_weekdays(mask: str) -> str:
    """The mask as people write it: "Mo–Fr", "Mo–Mi, Fr", "Sa, So" (runs of three or more days as a range)."""
    check_mask(mask)
    runs: list[list[int]] = []
    for number, flag in enumerate(mask):
        if flag != "1":
            continue
        if runs and runs[-1][-1] == number - 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return ", ".join(_run_text(run) for run in runs)


def _run_text(run: list[int]) -> str:
    if len(run) >= 3:
        return f"{DAY_NAMES[run[0]]}–{DAY_NAMES[run[-1]]}"
    return ", ".join(DAY_NAMES[number] for number in run)


def check_mask(mask: str) -> None:
    """A stored mask has seven "0"/"1" characters and at least one scheduled day."""
    if not MASK.match(mask) or "1" not in mask:
        raise ValueError(f"not a weekday mask: {mask!r}")


def max_weekly_hours(mask: str) -> Decimal:
    """The most hours a week the scheduled days can hold at 10 hours a day."""
    check_mask(mask)
    return HOURS_PER_DAY_CAP * mask.count("1")
