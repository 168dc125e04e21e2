"""The 24-months-within-5-years check: figures computed by hand, and properties."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal
from random import Random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.assignments.eligibility import (
    Extension,
    Frame,
    Period,
    check,
    frame_end,
    frames,
    merge,
    months_text,
    months_within,
)
from portal.offers.costs import months_between


def period(start: str, end: str) -> Period:
    return Period(date.fromisoformat(start), date.fromisoformat(end))


def test_the_first_assignment_starts_the_frame() -> None:
    result = check([], period("2025-03-01", "2025-08-31"))
    assert result.frame == Frame(date(2025, 3, 1), date(2030, 2, 28), Decimal(6), Decimal(24))
    assert (result.months_used, result.months_left, result.months_added, result.fits) == (0, 24, 6, True)
    assert result.explanation == (
        "Mit dieser Zuweisung beginnt der Fünfjahreszeitraum der Kundennummer (vom 01.03.2025 bis 28.02.2030). "
        "Erlaubt sind 24 Monate. Durch die neue Zuweisung kommen hinzu: 6 Monate; danach noch frei: 18 Monate."
    )


def test_a_partial_month_counts_by_its_calendar_days() -> None:
    # 17 of January's 31 days and 14 of February's 28: 0.548387 + 0.5 months.
    [frame] = frames([period("2025-01-15", "2025-02-14")])
    assert frame.months == Decimal("1.048387")
    assert (frame.start, frame.end) == (date(2025, 1, 15), date(2030, 1, 14))


def test_full_months_are_whole_whatever_their_length() -> None:
    assert frames([period("2024-02-01", "2024-02-29")])[0].months == 1
    assert frames([period("2024-01-01", "2025-12-31")])[0].months == 24  # 731 days with the leap day


def test_a_day_in_two_assignments_counts_once() -> None:
    [frame] = frames([period("2025-01-01", "2025-03-31"), period("2025-03-01", "2025-04-30")])
    assert frame.months == 4


def test_the_frame_does_not_roll() -> None:
    """24 months in the first frame; the next assignment starts a new frame and fits, a rolling window refused it."""
    history = [period("2020-01-01", "2020-01-31"), period("2023-02-01", "2024-12-31")]
    planned = period("2025-01-01", "2025-06-30")
    result = check(history, planned)
    assert [(item.start, item.months) for item in frames(history)] == [(date(2020, 1, 1), 24)]
    assert result.frame.start == date(2025, 1, 1)
    assert (result.months_used, result.months_added, result.fits) == (0, 6, True)


def test_beyond_the_limit_with_the_excess_and_the_way_to_extend() -> None:
    history = [period("2021-01-15", "2021-02-14"), period("2022-01-01", "2023-06-30")]
    result = check(history, period("2025-03-01", "2025-10-31"))
    # 1.048387 + 18 months used, 8 more would be 27.048387: 3.048387 beyond 24, shown rounded up.
    assert (result.months_used, result.months_left, result.months_added) == (
        Decimal("19.048387"),
        Decimal("4.951613"),
        8,
    )
    assert result.fits is False
    assert result.explanation == (
        "Der Fünfjahreszeitraum der Kundennummer läuft vom 15.01.2021 bis 14.01.2026; er beginnt mit dem ersten "
        "Eintritt in eine Arbeitsgelegenheit. Darin belegt (bisherige und geplante Zuweisungen): 19,05 Monate. "
        "Erlaubt sind 24 Monate. Durch die neue Zuweisung kämen hinzu: 8 Monate. Damit wäre die Höchstdauer um "
        "3,05 Monate überschritten. Nach erneuter Prüfung ist eine Verlängerung um bis zu 12 Monate möglich; bitte "
        "halten Sie sie mit Begründung fest."
    )


def test_an_extension_in_the_frame_allows_twelve_months_more() -> None:
    history = [period("2021-01-15", "2021-02-14"), period("2022-01-01", "2023-06-30")]
    extension = Extension(date(2025, 2, 1), " Stabilisierung im Team ")
    result = check(history, period("2025-03-01", "2025-10-31"), [extension])
    assert (result.frame.allowed, result.months_left, result.fits) == (36, Decimal("16.951613"), True)
    assert "Erlaubt sind 36 Monate, mit der Verlängerung vom 01.02.2025 (Begründung: Stabilisierung im Team)." in (
        result.explanation
    )
    assert result.explanation.endswith(
        "Durch die neue Zuweisung kommen hinzu: 8 Monate; danach noch frei: 8,95 Monate."
    )


def test_beyond_the_limit_with_an_extension_already() -> None:
    extension = Extension(date(2024, 1, 1), "Erneute Prüfung")
    result = check([period("2021-01-01", "2023-12-31")], period("2024-01-01", "2024-03-31"), [extension])
    assert (result.months_used, result.frame.allowed, result.fits) == (36, 36, False)
    assert result.explanation.endswith("Damit wäre die Höchstdauer um 3 Monate überschritten.")


def test_extensions_raise_the_limit_of_their_own_frame_and_by_twelve_months_at_most() -> None:
    history = [period("2019-01-01", "2019-12-31"), period("2024-06-01", "2024-06-30")]
    two = [Extension(date(2019, 6, 1), "Erste Prüfung", months=6), Extension(date(2020, 1, 1), "Zweite Prüfung")]
    later = Extension(date(2024, 6, 15), "Im zweiten Zeitraum")
    first, second = frames(history, [*two, later])
    assert (first.allowed, first.extensions) == (36, tuple(two))
    assert (second.start, second.allowed, second.extensions) == (date(2024, 6, 1), 36, (later,))
    assert frames(history, [two[0]])[0].allowed == 30


def test_a_running_assignment_continues_in_the_next_frame() -> None:
    history = [period("2020-01-01", "2020-12-31"), period("2024-07-01", "2025-06-30")]
    assert [(item.start, item.end, item.months) for item in frames(history)] == [
        (date(2020, 1, 1), date(2024, 12, 31), 18),
        (date(2025, 1, 1), date(2029, 12, 31), 6),
    ]


def test_a_planned_assignment_across_the_frame_end_is_told_apart() -> None:
    result = check([period("2021-01-01", "2021-12-31")], period("2025-07-01", "2026-06-30"))
    assert (result.months_used, result.months_added, result.frame.left, result.fits) == (12, 6, 6, True)
    assert result.explanation == (
        "Der Fünfjahreszeitraum der Kundennummer läuft vom 01.01.2021 bis 31.12.2025; er beginnt mit dem ersten "
        "Eintritt in eine Arbeitsgelegenheit. Darin belegt (bisherige und geplante Zuweisungen): 12 Monate. Erlaubt "
        "sind 24 Monate. Durch die neue Zuweisung kommen hinzu: 6 Monate; danach noch frei: 6 Monate. Die Zeit ab dem "
        "01.01.2026 (6 Monate) zählt zum nächsten Fünfjahreszeitraum (bis 31.12.2030)."
    )


def test_a_later_frame_says_when_it_began() -> None:
    history = [period("2019-01-01", "2019-12-31"), period("2024-03-01", "2024-03-31")]
    result = check(history, period("2024-07-01", "2024-08-31"))
    assert result.explanation.startswith(
        "Der Fünfjahreszeitraum der Kundennummer läuft vom 01.03.2024 bis 28.02.2029; er beginnt mit dem ersten "
        "Eintritt nach dem Ende des vorigen. Darin belegt (bisherige und geplante Zuweisungen): 1 Monat."
    )


def test_planned_days_known_already_are_not_added_again() -> None:
    result = check([period("2025-01-01", "2025-06-30")], period("2025-04-01", "2025-09-30"))
    assert (result.months_used, result.months_added, result.frame.months) == (6, 3, 9)


def test_an_earlier_planned_assignment_becomes_the_first_entry() -> None:
    result = check([period("2026-01-01", "2026-03-31")], period("2025-10-01", "2025-10-31"))
    assert (result.frame.start, result.months_used, result.months_added) == (date(2025, 10, 1), 3, 1)
    assert "er beginnt mit dem ersten Eintritt in eine Arbeitsgelegenheit" in result.explanation


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2024, 3, 1), date(2029, 2, 28)),
        (date(2024, 2, 29), date(2029, 2, 28)),  # § 188 Abs. 3 BGB: no 29 February in 2029
        (date(2023, 3, 1), date(2028, 2, 29)),
        (date(2023, 2, 28), date(2028, 2, 27)),
        (date(2025, 1, 1), date(2029, 12, 31)),
    ],
)
def test_frame_end(start: date, end: date) -> None:
    assert frame_end(start) == end


def test_the_frame_after_one_from_29_february() -> None:
    starts = [item.start for item in frames([period("2024-02-29", "2029-03-31")])]
    assert starts == [date(2024, 2, 29), date(2029, 3, 1)]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal(1), "1 Monat"),
        (Decimal(6), "6 Monate"),
        (Decimal("5.951613"), "5,95 Monate"),
        (Decimal(100), "100 Monate"),
        (Decimal("0.5"), "0,5 Monate"),
        (Decimal(0), "0 Monate"),
    ],
)
def test_months_text(value: Decimal, text: str) -> None:
    assert months_text(value) == text


def test_an_excess_is_never_shown_as_none() -> None:
    assert months_text(Decimal("0.000001"), ROUND_CEILING) == "0,01 Monate"


def test_what_is_refused() -> None:
    with pytest.raises(ValueError, match="ends before it starts"):
        period("2025-02-01", "2025-01-31")
    with pytest.raises(ValueError, match="needs a reason"):
        Extension(date(2025, 1, 1), "  ")
    with pytest.raises(ValueError, match="1 to 12 months"):
        Extension(date(2025, 1, 1), "Prüfung", months=13)


# --- properties -------------------------------------------------------------------------------------------------

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31))
periods = st.builds(lambda start, length: Period(start, start + timedelta(days=length)), days, st.integers(0, 900))
histories = st.lists(periods, max_size=6)


def total(history: list[Period]) -> Decimal:
    return sum((frame.months for frame in frames(history)), Decimal(0))


def union_months(history: list[Period]) -> Decimal:
    return sum((months_between(item.start, item.end) for item in merge(history)), Decimal(0)).quantize(
        Decimal("0.000001")
    )


@given(histories)
def test_frames_share_out_every_day_once(history: list[Period]) -> None:
    found = frames(history)
    assert all(frame.end == frame_end(frame.start) for frame in found)
    assert all(earlier.end < later.start for earlier, later in itertools.pairwise(found))
    assert all(any(item.start <= frame.start <= item.end for item in history) for frame in found)
    assert abs(total(history) - union_months(history)) <= Decimal("0.00001")


@given(histories, periods)
def test_adding_an_assignment_never_reduces_the_months(history: list[Period], added: Period) -> None:
    assert total([*history, added]) >= total(history)
    if history and added.start >= min(item.start for item in history):
        assert frames([*history, added])[0].months >= frames(history)[0].months


@given(histories, st.randoms(use_true_random=False))
def test_order_and_repetition_do_not_matter(history: list[Period], random: Random) -> None:
    shuffled = [*history, *history]
    random.shuffle(shuffled)
    assert frames(shuffled) == frames(history)


@given(periods, st.integers(0, 900))
def test_splitting_an_assignment_changes_nothing(whole: Period, cut: int) -> None:
    middle = min(whole.start + timedelta(days=cut), whole.end)
    if middle < whole.end:
        pieces = [Period(whole.start, middle), Period(middle + timedelta(days=1), whole.end)]
        assert frames(pieces) == frames([whole])


@given(histories, st.integers(0, 3000), st.integers(0, 900))
def test_a_frame_restarts_after_five_years(history: list[Period], gap: int, length: int) -> None:
    """After the last frame has ended, a new assignment starts a fresh frame with nothing used."""
    last_end = max([frame.end for frame in frames(history)], default=date(2000, 1, 1))
    start = last_end + timedelta(days=1 + gap)
    planned = Period(start, start + timedelta(days=length))
    result = check(history, planned)
    assert (result.frame.start, result.months_used, result.months_left) == (start, 0, 24)
    assert result.fits is (months_between(planned.start, planned.end) <= 24)


@given(histories, periods)
def test_the_answer_adds_up(history: list[Period], planned: Period) -> None:
    result = check(history, planned)
    assert result.months_used + result.months_added == result.frame.months
    assert result.months_left == max(result.frame.allowed - result.months_used, 0)
    assert result.months_added >= 0
    assert result.months_used == months_within(merge(history), result.frame.start, result.frame.end)
    if not result.fits:
        assert "überschritten" in result.explanation
