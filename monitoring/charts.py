"""Server-side SVG charts for the web pages and the PDF report (WeasyPrint runs no JavaScript).

Hand-built rather than pygal: pygal writes a <style> element and script references, which the
portal's Content-Security-Policy forbids in an inlined SVG. These charts use only SVG
presentation attributes (fill, stroke, stroke-dasharray, pattern definitions), so they can be
inlined in the HTML page and in the PDF alike. They read in black and white: every series has
its own hatch pattern as well as its own shade, and the legend repeats the patterns.

Accessible: role="img", a <title> and a <desc> (the PDF's alternative text); each bar segment
carries its own <title>; the page shows the same numbers in a data table next to the chart.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from math import ceil, floor, log10

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
INK = "#1d2b2a"
MUTED = "#4a5a58"
GRID = "#d5dcd6"
PATH_COLOUR = "#a4262c"
PROJECTION_COLOUR = "#1d4f91"

# (background fill, pattern ink, pattern shape): distinguishable by shade and by pattern.
PATTERNS = [
    ("#1f6b4f", "#1f6b4f", "solid"),
    ("#d9e7f5", "#1d4f91", "diagonal"),
    ("#f3e2b3", "#6b4a00", "dots"),
    ("#ffffff", "#4a5a58", "crosshatch"),
    ("#b7d9c6", "#144a37", "horizontal"),
    ("#e8d1d3", "#a4262c", "vertical"),
    ("#cfd6e2", "#33425a", "back-diagonal"),
    ("#5f7f9f", "#5f7f9f", "solid"),
]


@dataclass(frozen=True)
class Series:
    """One stacked layer: a label and a value per year."""

    key: str
    label: str
    values: dict[int, Decimal]


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


def _pattern_defs(prefix: str, count: int) -> str:
    parts = []
    for index in range(count):
        background, ink, shape = PATTERNS[index % len(PATTERNS)]
        pid = f"{prefix}-p{index}"
        marks = {
            "solid": "",
            "diagonal": f'<path d="M0,8 L8,0 M-2,2 L2,-2 M6,10 L10,6" stroke="{ink}" '
            'stroke-width="1.4"/>',
            "back-diagonal": f'<path d="M0,0 L8,8 M-2,6 L2,10 M6,-2 L10,2" stroke="{ink}" '
            'stroke-width="1.4"/>',
            "dots": f'<circle cx="2" cy="2" r="1.3" fill="{ink}"/>'
            f'<circle cx="6" cy="6" r="1.3" fill="{ink}"/>',
            "crosshatch": f'<path d="M0,4 L8,4 M4,0 L4,8" stroke="{ink}" stroke-width="1"/>',
            "horizontal": f'<path d="M0,2 L8,2 M0,6 L8,6" stroke="{ink}" stroke-width="1.2"/>',
            "vertical": f'<path d="M2,0 L2,8 M6,0 L6,8" stroke="{ink}" stroke-width="1.2"/>',
        }[shape]
        parts.append(
            f'<pattern id="{pid}" patternUnits="userSpaceOnUse" width="8" height="8">'
            f'<rect width="8" height="8" fill="{background}"/>{marks}</pattern>'
        )
    return "<defs>" + "".join(parts) + "</defs>"


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
) -> SafeString:
    """Stacked bars per year (one layer per series) and, optionally, a target path as a
    dashed line through its points (year, value) and a projection as a dotted line. Years
    without data have no bar."""
    years_with_data = sorted({year for s in series for year in s.values})
    path_years = [year for year, _ in target_path] + [year for year, _ in projection]
    all_years = years_with_data + path_years
    left, right, top = 84, 24, 28
    legend_labels = (
        [s.label for s in series]
        + ([target_label or "x"] if target_path else [])
        + ([projection_label or "x"] if projection else [])
    )
    # Two legend columns when the longest label fits in half the width (≈7 px a character).
    columns = (
        2
        if max((len(label) for label in legend_labels), default=0) * 7 + 40
        < (width - left - right) / 2
        else 1
    )
    legend_rows = ceil(len(legend_labels) / columns)
    height = top + plot_height + 40 + legend_rows * 22 + 8
    plot_width = width - left - right
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" class="chart" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-family="{FONT}" '
        f'font-size="12" fill="{INK}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        _pattern_defs(chart_id, len(series)),
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
    # Bars
    for year in years_with_data:
        base = Decimal(0)
        for index, layer in enumerate(series):
            value = layer.values.get(year)
            if not value:
                continue
            y_top, y_bottom = y_of(base + value), y_of(base)
            parts.append(
                f'<rect x="{x_of(year) - bar / 2:.1f}" y="{y_top:.1f}" width="{bar:.1f}" '
                f'height="{max(y_bottom - y_top, 0.5):.1f}" fill="url(#{chart_id}-p{index})" '
                f'stroke="{INK}" stroke-width="0.6"><title>'
                f"{escape(layer.label)} {year}: {_fmt(value)} {escape(unit)}</title></rect>"
            )
            base += value
    # Target path
    if target_path:
        points = " ".join(f"{x_of(year):.1f},{y_of(value):.1f}" for year, value in target_path)
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{PATH_COLOUR}" '
            f'stroke-width="2.5" stroke-dasharray="7 4"/>'
        )
        for year, value in target_path:
            x, y = x_of(year), y_of(value)
            anchor = "end" if x > width - right - 60 else "start"
            dx = -10 if anchor == "end" else 8
            if value == 0:
                y -= 22  # above the last stretch of the line, clear of the axis
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y_of(value):.1f}" r="4" fill="#ffffff" '
                f'stroke="{PATH_COLOUR}" stroke-width="2"/>'
                f'<text x="{x + dx:.1f}" y="{y - 8:.1f}" text-anchor="{anchor}" '
                f'fill="{PATH_COLOUR}" font-weight="600">{year}: {_fmt(value)}</text>'
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
        parts.append(
            f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="#ffffff" '
            f'stroke="{PROJECTION_COLOUR}" stroke-width="2"/>'
            f'<text x="{x - 10:.1f}" y="{y + 18:.1f}" text-anchor="end" '
            f'fill="{PROJECTION_COLOUR}" font-weight="600">{year}: {_fmt(value)}</text>'
        )
    # Legend below the plot, in one or two columns
    legend_top = top + plot_height + 40
    entries = [(index, layer.label) for index, layer in enumerate(series)]
    if target_path:
        entries.append((None, target_label or _("Target path")))
    if projection:
        entries.append(("projection", projection_label or _("Projection")))
    column_width = plot_width / columns
    for position, (index, label) in enumerate(entries):
        x = left + (position % columns) * column_width
        y = legend_top + (position // columns) * 22
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
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="22" height="14" '
                f'fill="url(#{chart_id}-p{index})" stroke="{INK}" stroke-width="0.6"/>'
            )
        parts.append(f'<text x="{x + 30:.1f}" y="{y + 11}">{escape(label)}</text>')
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
    monitoring.analysis.target_path, the one implementation)."""
    from .analysis import target_path

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
