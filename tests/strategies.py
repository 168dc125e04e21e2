"""Hypothesis settings and strategies of the form fuzzing (docs/security.md 16) of offers, review and budget.

The text strategies are those of the account forms (tests/test_forms_fuzz.py); added here: numbers and dates as
nobody should type them, and valid text of several lines.
"""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tests.test_forms_fuzz import any_text, clean_text

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

odd_number = st.one_of(
    st.sampled_from(
        [
            "1e309",
            "-1e309",
            "1e-400",
            "-0",
            "NaN",
            "sNaN",
            "-Infinity",
            "١٢",
            "۱۹٫۵",
            "²",
            "½",
            "Ⅻ",
            "19,5",
            "19.5",
            "1.234,50",
            "1,2,3",
            "0x1F",
            "1_000",
            "+5",
            " 7 ",
            "12 €",
            "9" * 400,
            "9" * 5000,
        ]
    ),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(lambda number: str(number).replace(".", ",")),
)
odd_date = st.one_of(
    st.sampled_from(
        [
            "0000-00-00",
            "0001-01-01",
            "9999-12-31",
            "31.12.9999",
            "29.02.2027",
            "2026-02-30",
            "2026-13-01",
            "10000-01-01",
            "-2026-01-01",
            "2026-1-1",
            "1.1.1",
            "٢٠٢٦-٠١-٠١",
            "2026-01-01T00:00",
        ]
    ),
    st.dates().map(date.isoformat),
    st.dates().map(lambda day: f"{day.day:02}.{day.month:02}.{day.year:04}"),
)
# Anything at all in a form field: text of every kind, odd numbers, odd dates.
odd_value = st.one_of(any_text, odd_number, odd_date)
# Valid text of a text area: lines without control characters.
lines = st.lists(clean_text, min_size=1, max_size=3).map("\n".join)
