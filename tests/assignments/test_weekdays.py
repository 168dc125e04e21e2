"""The scheduled weekdays: text as people write it ↔ the mask in `Assignment.weekdays`."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.assignments.models import WORKWEEK
from portal.assignments.weekdays import DAY_NAMES, format_weekdays, max_weekly_hours, parse_weekdays

masks = st.text(alphabet="01", min_size=7, max_size=7).filter(lambda mask: "1" in mask)


@pytest.mark.parametrize(
    ("text", "mask"),
    [
        ("Mo-Fr", "1111100"),
        ("Mo–Fr", "1111100"),
        ("mo - fr", "1111100"),
        ("Mo,Di,Mi", "1110000"),
        ("Mo; Di; Mi", "1110000"),
        ("Mo-Sa", "1111110"),
        ("Montag bis Samstag", "1111110"),
        ("Di und Do", "0101000"),
        ("Mo.-Mi., Fr.", "1110100"),
        ("Sa So", "0000011"),
        ("Sonnabend", "0000010"),
        ("Mo, Mo-Di", "1100000"),
    ],
)
def test_parse(text: str, mask: str) -> None:
    assert parse_weekdays(text) == mask


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Es ist kein Wochentag angegeben."),
        (" , ", "Es ist kein Wochentag angegeben."),
        ("Fr-Mo", "„Fr-Mo“: Ein Bereich geht von Montag in Richtung Sonntag"),
        ("Werktags", "„Werktags“ ist kein Wochentag."),
        ("Mo-Di-Mi", "„Mo-Di-Mi“ verstehen wir nicht."),
        ("Montag-Mittwoch-Donnerstag", "„Montag-Mittwoch-Don…“ verstehen wir nicht."),
    ],
)
def test_parse_refuses(text: str, message: str) -> None:
    with pytest.raises(ValueError, match="^" + message) as error:
        parse_weekdays(text)
    assert "z. B." in str(error.value)


@pytest.mark.parametrize(
    ("mask", "text"),
    [
        (WORKWEEK, "Mo–Fr"),
        ("1111110", "Mo–Sa"),
        ("1111111", "Mo–So"),
        ("1110100", "Mo–Mi, Fr"),
        ("1100000", "Mo, Di"),
        ("0000011", "Sa, So"),
        ("1010101", "Mo, Mi, Fr, So"),
        ("0010000", "Mi"),
    ],
)
def test_format(mask: str, text: str) -> None:
    assert format_weekdays(mask) == text


@pytest.mark.parametrize("mask", ["0000000", "111110", "11111000", "1111102", ""])
def test_format_refuses_what_is_no_mask(mask: str) -> None:
    with pytest.raises(ValueError, match="not a weekday mask"):
        format_weekdays(mask)


def test_max_weekly_hours_at_ten_a_day() -> None:
    assert max_weekly_hours(WORKWEEK) == Decimal(50)
    assert max_weekly_hours("0101000") == Decimal(20)


@given(masks)
def test_format_then_parse_is_the_mask(mask: str) -> None:
    assert parse_weekdays(format_weekdays(mask)) == mask


@given(st.lists(st.sampled_from(DAY_NAMES), min_size=1))
def test_a_list_schedules_exactly_its_days(days: list[str]) -> None:
    mask = parse_weekdays(", ".join(days))
    assert {name for name, flag in zip(DAY_NAMES, mask, strict=True) if flag == "1"} == set(days)
