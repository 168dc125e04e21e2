"""Horizontal bar charts drawn on the server as inline SVG: plain geometry from plain numbers, no script.

A chart has series (told apart by pattern as well as colour: solid, hatched, open) and bars, each bar the series'
values stacked from the left, scaled to the largest bar. Colours and patterns are CSS classes of portal.css (the
CSP allows no style attributes); the page's template draws the SVG from the `Layout` and follows every chart with
its data table and a sentence, so nobody depends on the picture.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

WIDTH = 400  # the viewBox's width; the SVG is as wide as its column
LEGEND_ROW = 22
BAR_ROW = 44  # a label line above each bar
BAR_HEIGHT = 18
SWATCH = 14
LABEL_LIMIT = 58  # characters of a label that fit the width; the table under the chart has the full text


@dataclass(frozen=True)
class Series:
    label: str
    style: str  # "solid", "hatched", "open" or "alert": a CSS modifier of .chart__bar


@dataclass(frozen=True)
class Bar:
    label: str  # written above the bar, with its figure
    values: tuple[Decimal | int, ...]  # one per series; below 0 counts as 0


@dataclass(frozen=True)
class Chart:
    key: str  # unique on the page: the ids of title and description
    title: str
    series: tuple[Series, ...]
    bars: tuple[Bar, ...]

    @property
    def drawn(self) -> Layout:
        return layout(self)


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    style: str


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class Layout:
    height: int
    rects: list[Rect]
    texts: list[Text]


def layout(chart: Chart) -> Layout:
    """The rectangles and texts of the chart: the legend (one series a line), then a label and a bar per bar."""
    rects, texts = _legend(chart.series)
    top = LEGEND_ROW * len(chart.series) + 8
    scale = max((sum(_positive(bar.values), Decimal(0)) for bar in chart.bars), default=Decimal(0))
    for index, bar in enumerate(chart.bars):
        y = top + index * BAR_ROW
        texts.append(Text(0, y + 14, _shortened(bar.label)))
        rects += _segments(bar.values, chart.series, scale, y + 20)
    return Layout(top + len(chart.bars) * BAR_ROW, rects, texts)


def _legend(series: Sequence[Series]) -> tuple[list[Rect], list[Text]]:
    rects = [Rect(1, index * LEGEND_ROW + 2, SWATCH, SWATCH, one.style) for index, one in enumerate(series)]
    texts = [Text(SWATCH + 8, index * LEGEND_ROW + 14, one.label) for index, one in enumerate(series)]
    return rects, texts


def _segments(values: Sequence[Decimal | int], series: Sequence[Series], scale: Decimal, y: float) -> list[Rect]:
    """One rectangle per series with a value above 0, left to right; the largest bar fills the width (less a
    pixel on each side for the outline)."""
    rects, x = [], 1.0
    for value, one in zip(_positive(values), series, strict=True):
        width = round(float(value / scale) * (WIDTH - 2), 1) if scale else 0.0
        if width > 0:
            rects.append(Rect(round(x, 1), y, width, BAR_HEIGHT, one.style))
            x += width
    return rects


def _shortened(label: str) -> str:
    return label if len(label) <= LABEL_LIMIT else label[: LABEL_LIMIT - 1].rstrip() + "…"


def _positive(values: Sequence[Decimal | int]) -> list[Decimal]:
    return [max(Decimal(value), Decimal(0)) for value in values]


def percent(part: Decimal | int, whole: Decimal | int) -> int:
    """A share in whole percent for the sentences under the charts; 0 of nothing is 0 %."""
    return int((Decimal(part) * 100 / Decimal(whole)).to_integral_value()) if whole else 0
