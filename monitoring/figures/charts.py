"""Server-side SVG charts for the web pages and the PDF report (WeasyPrint runs no JavaScript).

Hand-built rather than pygal: pygal writes a <style> element and script references, which the
portal's Content-Security-Policy forbids in an inlined SVG. These charts use only SVG
presentation attributes (fill, stroke, stroke-dasharray, pattern definitions), so they can be
inlined in the HTML page and in the PDF alike. They read in black and white: every series has
its own hatch pattern as well as its own shade, and the legend repeats the patterns.

Accessible: role="img", a <title> and a <desc> (the PDF's alternative text); each bar segment
carries its own <title>; the page shows the same numbers in a data table next to the chart.
"""

import itertools
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from math import ceil, floor, log10

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from monitoring.figures.analysis import target_path

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
INK = "#1d2b2a"
MUTED = "#4a5a58"
GRID = "#d5dcd6"
PATH_COLOUR = "#a4262c"
PROJECTION_COLOUR = "#1d4f91"
INCOMPLETE_MARK = "*"  # over the bar of a year not every municipality has figures for
INCOMPLETE_OPACITY = "0.4"

# (background fill, pattern ink, pattern shape): distinguishable by shade and by pattern, and
# no two alike, so every series reads in black and white.
PATTERNS = [
    ("#1f6b4f", "#1f6b4f", "solid"),
    ("#d9e7f5", "#1d4f91", "diagonal"),
    ("#f3e2b3", "#6b4a00", "dots"),
    ("#ffffff", "#4a5a58", "crosshatch"),
    ("#b7d9c6", "#144a37", "horizontal"),
    ("#e8d1d3", "#a4262c", "vertical"),
    ("#cfd6e2", "#33425a", "back-diagonal"),
    ("#ffffff", "#1d2b2a", "diagonal-cross"),
]


@dataclass(frozen=True)
class Series:
    """One stacked layer: a label and a value per year. `pattern` fixes the layer's pattern
    (an index into PATTERNS) so that the same layer looks the same in every chart, also when
    a chart lacks some layers; without it the layer's position is used."""

    key: str
    label: str
    values: dict[int, Decimal]
    pattern: int | None = None


def _fmt(value: float | Decimal) -> str:
    return number_format(round(value), decimal_pos=0, force_grouping=True)


def _nice_step(maximum: float, ticks: int = 5) -> float:
    if maximum <= 0:
        return 1.0
    raw = maximum / ticks
    magnitude = 10 ** floor(log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _pattern_defs(prefix: str, patterns: Sequence[int]) -> str:
    """The marks of each (non-solid) pattern on a transparent tile. The shade is the bar's own
    fill, drawn under the marks: a PDF viewer draws a tiling pattern tile by tile, and at low
    resolution the tiles' anti-aliased edges show as a grid, which on a shaded tile made a
    solid layer look cross-hatched (like another layer) and every layer look chequered."""
    parts = []
    for index in sorted(set(patterns)):
        _background, ink, shape = PATTERNS[index % len(PATTERNS)]
        if shape == "solid":
            continue
        marks = {
            "diagonal": f'<path d="M0,8 L8,0 M-2,2 L2,-2 M6,10 L10,6" stroke="{ink}" '
            'stroke-width="1.4"/>',
            "back-diagonal": f'<path d="M0,0 L8,8 M-2,6 L2,10 M6,-2 L10,2" stroke="{ink}" '
            'stroke-width="1.4"/>',
            "diagonal-cross": f'<path d="M0,8 L8,0 M-2,2 L2,-2 M6,10 L10,6 M0,0 L8,8 '
            f'M-2,6 L2,10 M6,-2 L10,2" stroke="{ink}" stroke-width="1"/>',
            "dots": f'<circle cx="2" cy="2" r="1.3" fill="{ink}"/>'
            f'<circle cx="6" cy="6" r="1.3" fill="{ink}"/>',
            "crosshatch": f'<path d="M0,4 L8,4 M4,0 L4,8" stroke="{ink}" stroke-width="1"/>',
            "horizontal": f'<path d="M0,2 L8,2 M0,6 L8,6" stroke="{ink}" stroke-width="1.2"/>',
            "vertical": f'<path d="M2,0 L2,8 M6,0 L6,8" stroke="{ink}" stroke-width="1.2"/>',
        }[shape]
        parts.append(
            f'<pattern id="{prefix}-p{index}" patternUnits="userSpaceOnUse" width="8" '
            f'height="8">{marks}</pattern>'
        )
    return "<defs>" + "".join(parts) + "</defs>"


def _patterned_rect(prefix: str, pattern: int, x: float, y: float, w: float, h: float) -> str:
    """A rectangle in a series' shade with its pattern's marks over it, outlined."""
    background, _ink, shape = PATTERNS[pattern % len(PATTERNS)]
    box = f'x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}"'
    if shape == "solid":
        return f'<rect {box} fill="{background}" stroke="{INK}" stroke-width="0.6"/>'
    return (
        f'<rect {box} fill="{background}"/>'
        f'<rect {box} fill="url(#{prefix}-p{pattern})" stroke="{INK}" stroke-width="0.6"/>'
    )


def _line_top(points: Sequence[tuple[float, float]], x_from: float, x_to: float) -> float:
    """The highest point (smallest y) of the polyline `points` between x_from and x_to."""

    def y_at(x: float) -> float:
        if x <= points[0][0]:
            return points[0][1]
        for (x1, y1), (x2, y2) in itertools.pairwise(points):
            if x1 <= x <= x2:
                return y1 if x2 == x1 else y1 + (y2 - y1) * (x - x1) / (x2 - x1)
        return points[-1][1]

    inside = [y for x, y in points if x_from <= x <= x_to]
    return min([y_at(x_from), y_at(x_to), *inside])


def _legend_layout(labels: Sequence[str], plot_width: float) -> tuple[list[tuple[int, int]], int]:
    """(column, row) of each legend entry and the number of rows: two columns, in order; a
    label too long for half the width (≈7 px a character, with its key) gets a row of its own,
    so one long label does not stretch the legend of a short chart to a column of rows."""
    slots, row, column = [], 0, 0
    for label in labels:
        if len(label) * 7 + 40 < plot_width / 2:
            slots.append((column, row))
            column += 1
        else:
            if column:
                row += 1
            slots.append((0, row))
            column = 2
        if column == 2:
            row, column = row + 1, 0
    return slots, row + (1 if column else 0)


def _titled(title: str, summary: str) -> str:
    return f"{title}: {summary}" if summary else title


def stacked_bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    series: Sequence[Series],
    target_path: Sequence[tuple[int, Decimal]] = (),
    target_label: str = "",
    unit: str = "t CO2e",
    width: int = 760,
    plot_height: int = 260,
    projection: Sequence[tuple[int, Decimal]] = (),
    projection_label: str = "",
    incomplete_years: Sequence[int] = (),
    incomplete_note: str = "",
    summary: str = "",
) -> SafeString:
    """Stacked bars per year (one layer per series) and, optionally, a target path as a
    dashed line through its points (year, value) and a projection as a dotted line. Years
    without data have no bar.

    The bars of `incomplete_years` (a total over many municipalities that not all have
    reported for) are drawn lighter, outlined with a dashed line and marked with an asterisk
    that refers to `incomplete_note`, printed under the legend: visibly not comparable with
    the other bars, in colour and in black and white.

    `summary` (what the chart shows, in words) follows the name in the <title>: the PDF takes
    its figures' alternative text from the <title> alone."""
    years_with_data = sorted({year for s in series for year in s.values})
    patterns = [index if s.pattern is None else s.pattern for index, s in enumerate(series)]
    path_years = [year for year, _ in target_path] + [year for year, _ in projection]
    all_years = years_with_data + path_years
    left, right, top = 84, 24, 28
    plot_width = width - left - right
    legend_labels = (
        [s.label for s in series]
        + ([target_label or _("Target path")] if target_path else [])
        + ([projection_label or _("Projection")] if projection else [])
    )
    legend_slots, legend_rows = _legend_layout(legend_labels, plot_width)
    incomplete = set(incomplete_years)
    note_lines = (
        textwrap.wrap(f"{INCOMPLETE_MARK} {incomplete_note}", width=max(int(plot_width / 6.6), 30))
        if incomplete and incomplete_note
        else []
    )
    height = top + plot_height + 40 + legend_rows * 22 + len(note_lines) * 16 + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" class="chart" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-family="{FONT}" '
        f'font-size="12" fill="{INK}">',
        f'<title id="{chart_id}-title">{escape(_titled(title, summary))}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        _pattern_defs(chart_id, patterns),
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    if not all_years:
        parts.append(
            f'<text x="{width / 2}" y="{top + plot_height / 2}" text-anchor="middle" '
            f'fill="{MUTED}">{escape(_("No emission figures yet."))}</text></svg>'
        )
        return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped

    first, last = min(all_years), max(all_years)
    slots = last - first + 1
    slot = plot_width / slots
    bar = max(2.0, min(slot * 0.72, 48.0))
    totals = {
        year: sum((s.values.get(year, Decimal(0)) for s in series), Decimal(0))
        for year in years_with_data
    }
    highest = max(
        [float(v) for v in totals.values()]
        + [float(v) for _, v in target_path]
        + [float(v) for _, v in projection]
        + [0]
    )
    step = _nice_step(highest)
    y_max = step * max(1, ceil(highest / step)) if highest > 0 else step * 5

    def x_of(year: int) -> float:
        return left + (year - first + 0.5) * slot

    def y_of(value: float | Decimal) -> float:
        return top + plot_height - float(value) / y_max * plot_height

    # Grid and y axis
    parts.append(
        f'<text x="{left - 8}" y="{top - 12}" text-anchor="end" fill="{MUTED}">'
        f"{escape(unit)}</text>"
    )
    tick = 0.0
    while tick <= y_max + step / 2:
        y = y_of(tick)
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED}">'
            f"{_fmt(tick)}</text>"
        )
        tick += step
    # X axis labels: every year when they fit, else every fifth year and the ends
    if slot >= 34:
        labelled = list(range(first, last + 1))
    else:
        labelled = [year for year in range(first, last + 1) if year % 5 == 0]
        labelled += [y for y in (first, last) if all(abs(y - other) >= 3 for other in labelled)]
    for year in labelled:
        parts.append(
            f'<text x="{x_of(year):.1f}" y="{top + plot_height + 18}" '
            f'text-anchor="middle">{year}</text>'
        )
    parts.append(
        f'<line x1="{left}" x2="{width - right}" y1="{top + plot_height}" '
        f'y2="{top + plot_height}" stroke="{INK}" stroke-width="1"/>'
    )
    # Bars; an incomplete year's bar lighter, in a dashed outline, with an asterisk over it
    for year in years_with_data:
        base = Decimal(0)
        if year in incomplete:
            parts.append(
                f'<g class="incomplete" data-year="{year}" opacity="{INCOMPLETE_OPACITY}">'
            )
        for index, layer in enumerate(series):
            value = layer.values.get(year)
            if not value:
                continue
            y_top, y_bottom = y_of(base + value), y_of(base)
            rect = _patterned_rect(
                chart_id,
                patterns[index],
                x_of(year) - bar / 2,
                y_top,
                bar,
                max(y_bottom - y_top, 0.5),
            )
            parts.append(
                f'<g class="segment" data-series="{escape(layer.key)}" '
                f'data-pattern="{patterns[index]}"><title>'
                f"{escape(layer.label)} {year}: {_fmt(value)} {escape(unit)}</title>{rect}</g>"
            )
            base += value
        if year in incomplete:
            y_top = y_of(base)
            parts.append(
                f'</g><rect class="incomplete-outline" x="{x_of(year) - bar / 2 - 2:.1f}" '
                f'y="{y_top - 2:.1f}" width="{bar + 4:.1f}" '
                f'height="{max(y_of(0) - y_top, 0.5) + 2:.1f}" fill="none" stroke="{INK}" '
                f'stroke-width="1.2" stroke-dasharray="4 3"/>'
                f'<text class="incomplete-mark" x="{x_of(year):.1f}" y="{y_top - 6:.1f}" '
                f'text-anchor="middle" font-size="16" font-weight="700">{INCOMPLETE_MARK}</text>'
            )
    # Target path and projection, each point with its value. Both lines fall from the upper
    # left, so of the two points in 2030 the higher one's label goes to its upper right and
    # the lower one's to its lower left: the open sides, never between the two markers.
    axis_y = top + plot_height
    projected_end = dict(projection[-1:])

    def value_label(
        x: float, y: float, *, above: bool, line: Sequence[tuple[int, Decimal]], text: str
    ) -> tuple[float, float, str]:
        """Where the value `text` of the point (x, y) on `line` goes: (x, y, text-anchor)."""
        if not above and y + 18 < axis_y - 4:
            return x - 10, y + 18, "end"
        if x <= width - right - 60:
            return x + 8, y - 8, "start"
        # At the right edge: above and to the left, lifted clear of the line that comes down
        # from the upper left (≈7 px a character).
        left_end = x - 10 - len(text) * 7
        pixels = [(x_of(year), y_of(value)) for year, value in line]
        return x - 10, min(y - 8, _line_top(pixels, left_end, x) - 4), "end"

    if target_path:
        points = " ".join(f"{x_of(year):.1f},{y_of(value):.1f}" for year, value in target_path)
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{PATH_COLOUR}" '
            f'stroke-width="2.5" stroke-dasharray="7 4"/>'
        )
        for year, value in target_path:
            x, y = x_of(year), y_of(value)
            text = f"{year}: {_fmt(value)}"
            # the projection's end higher: its label takes the upper right, this the lower left
            above = value == 0 or value >= projected_end.get(year, value)
            label_x, label_y, anchor = value_label(x, y, above=above, line=target_path, text=text)
            if value == 0:
                label_y = min(label_y, y - 30)  # above the last stretch, clear of the axis
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#ffffff" '
                f'stroke="{PATH_COLOUR}" stroke-width="2"/>'
                f'<text x="{label_x:.1f}" y="{label_y:.1f}" text-anchor="{anchor}" '
                f'fill="{PATH_COLOUR}" font-weight="600">{escape(text)}</text>'
            )
    # Projection: a dotted line with its end value
    if projection:
        points = " ".join(f"{x_of(year):.1f},{y_of(value):.1f}" for year, value in projection)
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{PROJECTION_COLOUR}" '
            f'stroke-width="2.5" stroke-dasharray="2 4" stroke-linecap="round"/>'
        )
        year, value = projection[-1]
        x, y = x_of(year), y_of(value)
        target_there = dict(target_path).get(year)
        text = f"{year}: {_fmt(value)}"
        label_x, label_y, anchor = value_label(
            x,
            y,
            above=target_there is not None and value > target_there,
            line=projection,
            text=text,
        )
        parts.append(
            f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="#ffffff" '
            f'stroke="{PROJECTION_COLOUR}" stroke-width="2"/>'
            f'<text x="{label_x:.1f}" y="{label_y:.1f}" text-anchor="{anchor}" '
            f'fill="{PROJECTION_COLOUR}" font-weight="600">{escape(text)}</text>'
        )
    # Legend below the plot, in two columns where the labels fit
    legend_top = top + plot_height + 40
    entries = [(index, layer.label) for index, layer in enumerate(series)]
    if target_path:
        entries.append((None, legend_labels[len(series)]))
    if projection:
        entries.append(("projection", legend_labels[-1]))
    column_width = plot_width / 2
    for (index, label), (column, row) in zip(entries, legend_slots, strict=True):
        x = left + column * column_width
        y = legend_top + row * 22
        if index == "projection":
            parts.append(
                f'<line x1="{x:.1f}" x2="{x + 22:.1f}" y1="{y + 7}" y2="{y + 7}" '
                f'stroke="{PROJECTION_COLOUR}" stroke-width="2.5" stroke-dasharray="2 4" '
                f'stroke-linecap="round"/>'
            )
        elif index is None:
            parts.append(
                f'<line x1="{x:.1f}" x2="{x + 22:.1f}" y1="{y + 7}" y2="{y + 7}" '
                f'stroke="{PATH_COLOUR}" stroke-width="2.5" stroke-dasharray="7 4"/>'
            )
        else:
            key = escape(series[index].key)
            rect = _patterned_rect(chart_id, patterns[index], x, y, 22, 14)
            parts.append(
                f'<g class="legend-key" data-series="{key}" '
                f'data-pattern="{patterns[index]}">{rect}</g>'
            )
        parts.append(f'<text x="{x + 30:.1f}" y="{y + 11}">{escape(label)}</text>')
    # The footnote of the incomplete years, under the legend
    note_top = legend_top + legend_rows * 22 + 10
    for number, line in enumerate(note_lines):
        parts.append(
            f'<text class="incomplete-note" x="{left}" y="{note_top + number * 16}" '
            f'fill="{INK}">{escape(line)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def target_path_points(
    *,
    baseline_year: int | None,
    baseline_emissions: Decimal | None,
    reduction_2030_pct: Decimal | None,
    net_zero_year: int | None,
) -> list[tuple[int, Decimal]]:
    """The straight path from the baseline to the 2030 target and on to net zero (computed by
    figures.analysis.target_path, the one implementation)."""
    return target_path(baseline_year, baseline_emissions, reduction_2030_pct, net_zero_year)


HIGHLIGHT = "#1f6b4f"
BAR = "#cfd6e2"


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    rows: Sequence[tuple[str, Decimal | None, bool]],
    unit: str,
    decimals: int = 0,
    width: int = 640,
) -> SafeString:
    """Horizontal bars, one per (label, value, highlighted) row, in the order given. A row
    without a value says so instead of a bar; the highlighted row is dark and hatched and its
    label bold, so it stands out without colour too."""
    label_width, right, top, row_height = 190, 90, 26, 24
    height = top + len(rows) * row_height + 12
    plot_width = width - label_width - right
    values = [float(v) for _label, v, _h in rows if v is not None]
    highest = max([*values, 0.0])
    step = _nice_step(highest)
    x_max = step * max(1, ceil(highest / step)) if highest > 0 else 1.0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" class="chart" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-family="{FONT}" '
        f'font-size="12" fill="{INK}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        f'<defs><pattern id="{chart_id}-hl" patternUnits="userSpaceOnUse" width="8" height="8">'
        f'<rect width="8" height="8" fill="{HIGHLIGHT}"/>'
        f'<path d="M0,8 L8,0 M-2,2 L2,-2 M6,10 L10,6" stroke="#ffffff" stroke-width="1"/>'
        f"</pattern></defs>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{label_width}" y="{top - 10}" fill="{MUTED}">{escape(unit)}</text>',
    ]

    no_value = _("no value")

    def fmt(value: Decimal) -> str:  # rounded like the tables' floatformat (not truncated)
        rounded = Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        return number_format(rounded, decimal_pos=decimals, force_grouping=True)

    for index, (label, value, highlighted) in enumerate(rows):
        y = top + index * row_height
        short = label if len(label) <= 26 else label[:25] + "…"
        weight = ' font-weight="700"' if highlighted else ""
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end"{weight}>'
            f"{escape(short)}</text>"
        )
        if value is None:
            parts.append(
                f'<text x="{label_width + 4}" y="{y + 15}" fill="{MUTED}">{escape(no_value)}</text>'
            )
            continue
        length = max(float(value) / x_max * plot_width, 1.0)
        fill = f"url(#{chart_id}-hl)" if highlighted else BAR
        parts.append(
            f'<rect x="{label_width}" y="{y + 3}" width="{length:.1f}" height="{row_height - 8}" '
            f'fill="{fill}" stroke="{INK}" stroke-width="0.6"><title>{escape(label)}: '
            f"{fmt(value)} {escape(unit)}</title></rect>"
            f'<text x="{label_width + length + 6:.1f}" y="{y + 15}"{weight}>{fmt(value)}</text>'
        )
    parts.append(
        f'<line x1="{label_width}" x2="{label_width}" y1="{top - 4}" '
        f'y2="{top + len(rows) * row_height}" stroke="{INK}" stroke-width="1"/></svg>'
    )
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
