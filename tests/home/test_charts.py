"""The server-drawn bar charts: geometry by hand-computed figures."""

from __future__ import annotations

from decimal import Decimal

from portal.home.charts import Bar, Chart, Rect, Series, layout, percent

SERIES = (Series("Freigegeben", "solid"), Series("Gebunden", "hatched"), Series("Frei", "open"))


def test_the_largest_bar_fills_the_width_less_the_outline():
    """2.000 + 10.000 + 88.000 = 100.000 €: 398 px × 2 % = 7,96 ≈ 8,0 px, × 10 % = 39,8 px, × 88 % = 350,2 px."""
    chart = Chart("b", "Budget", SERIES, (Bar("2026", (Decimal(2000), Decimal(10000), Decimal(88000))),))
    drawn = layout(chart)
    legend, bars = drawn.rects[:3], drawn.rects[3:]
    assert [rect.style for rect in legend] == ["solid", "hatched", "open"]
    top = 3 * 22 + 8 + 20  # the legend's three lines, a gap, the bar's label line
    assert bars == [
        Rect(1.0, top, 8.0, 18, "solid"),
        Rect(9.0, top, 39.8, 18, "hatched"),
        Rect(48.8, top, 350.2, 18, "open"),
    ]
    assert drawn.height == 3 * 22 + 8 + 44
    assert [text.text for text in drawn.texts] == ["Freigegeben", "Gebunden", "Frei", "2026"]


def test_smaller_bars_are_scaled_to_the_largest():
    chart = Chart("p", "Plätze", SERIES[:2], (Bar("A", (10, 10)), Bar("B", (5, 0))))
    bars = layout(chart).rects[2:]
    assert [rect.width for rect in bars] == [199.0, 199.0, 99.5]  # 0 draws no rectangle
    assert bars[2].y == bars[0].y + 44


def test_negative_values_and_empty_charts_draw_nothing():
    assert layout(Chart("x", "Leer", SERIES, (Bar("0", (0, -5, 0)),))).rects[3:] == []
    assert layout(Chart("x", "Leer", SERIES, ())).height == 3 * 22 + 8


def test_long_labels_are_shortened():
    (text,) = layout(Chart("x", "Lang", (), (Bar("Ein sehr langer Name " * 5, ()),))).texts
    assert len(text.text) == 58
    assert text.text.endswith("…")


def test_percent():
    assert percent(Decimal(25000), Decimal(100000)) == 25
    assert percent(1, 3) == 33
    assert percent(2, 3) == 67
    assert percent(5, 0) == 0
