import itertools
from decimal import Decimal

import defusedxml.ElementTree as ET

from monitoring.figures import charts

SVG = "{http://www.w3.org/2000/svg}"


def chart(**overrides):
    arguments = {
        "chart_id": "c1",
        "title": "Emissions <Aarhus>",
        "description": "Bars & a line",
        "series": [
            charts.Series("energy", "Energy", {2018: Decimal(500), 2019: Decimal(450)}),
            charts.Series("transport", "Transport", {2018: Decimal(300), 2019: Decimal(310)}),
        ],
        "target_path": [(2018, Decimal(800)), (2030, Decimal(240)), (2050, Decimal(0))],
        "target_label": "Target path",
    }
    arguments.update(overrides)
    return str(charts.stacked_bar_chart(**arguments))


def test_chart_is_accessible_well_formed_svg_without_styles_or_scripts():
    svg = chart()
    root = ET.fromstring(svg)  # well-formed XML
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{SVG}title").text == "Emissions <Aarhus>"  # escaped in the markup
    assert root.find(f"{SVG}desc").text == "Bars & a line"
    assert "&lt;Aarhus&gt;" in svg
    for element in root.iter():
        assert "style" not in element.attrib  # the CSP forbids inline styles
        assert element.tag not in (f"{SVG}style", f"{SVG}script")


def test_bars_stack_each_series_with_its_own_pattern_and_a_title():
    root = ET.fromstring(chart())
    patterns = [p.get("id") for p in root.iter(f"{SVG}pattern")]
    assert patterns == ["c1-p1"]  # the first series is solid: its shade alone
    bars = [g for g in root.iter(f"{SVG}g") if g.find(f"{SVG}title") is not None]
    assert len(bars) == 4  # two years × two series
    assert {bar.get("data-pattern") for bar in bars} == {"0", "1"}
    titles = [bar.find(f"{SVG}title").text for bar in bars]
    assert any(t.startswith("Energy 2018") for t in titles)


def test_target_path_is_a_dashed_line_through_its_points():
    root = ET.fromstring(chart())
    line = root.find(f"{SVG}polyline")
    assert line.get("stroke-dasharray")
    assert len(line.get("points").split()) == 3
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Target path" in texts
    assert any(t and t.startswith("2030:") for t in texts)


def test_empty_chart_says_so():
    root = ET.fromstring(chart(series=[], target_path=[]))
    assert any("No emission figures" in (t.text or "") for t in root.iter(f"{SVG}text"))


def test_target_path_points():
    points = charts.target_path_points(
        baseline_year=2018,
        baseline_emissions=Decimal(1000),
        reduction_2030_pct=Decimal(70),
        net_zero_year=2045,
    )
    assert points == [(2018, Decimal(1000)), (2030, Decimal(300)), (2045, Decimal(0))]
    assert (
        charts.target_path_points(
            baseline_year=None, baseline_emissions=None, reduction_2030_pct=None, net_zero_year=None
        )
        == []
    )


# --- black and white: each series its own pattern, the same in the bars and the legend ---------


def _segments(root, cls: str) -> list:
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == cls]


def _look(root, group) -> tuple[str, str]:
    """What a segment or legend key looks like: its shade and the pattern drawn over it."""
    rects = group.findall(f"{SVG}rect")
    shade = rects[0].get("fill")
    marks = rects[-1].get("fill") if len(rects) > 1 else "none"
    return shade, marks


def five_groups(**overrides) -> str:
    years = {2018: Decimal(100), 2019: Decimal(90)}
    series = [
        charts.Series(key, key.title(), years, pattern=position)
        for position, key in enumerate(["energy", "transport", "afolu", "waste", "ippu"])
    ]
    return chart(series=series, **overrides)


def test_every_series_has_its_own_pattern_the_same_in_bars_and_legend():
    root = ET.fromstring(five_groups())
    legend = {g.get("data-series"): _look(root, g) for g in _segments(root, "legend-key")}
    assert len(legend) == 5 and len(set(legend.values())) == 5  # no two series look alike
    bars = _segments(root, "segment")
    assert len(bars) == 10  # two years × five series
    for bar in bars:
        assert _look(root, bar) == legend[bar.get("data-series")], bar.get("data-series")
        assert bar.find(f"{SVG}title").text.startswith(bar.get("data-series").title())
    # and the patterns themselves differ: no two shapes alike in the whole palette
    assert len({shape for _shade, _ink, shape in charts.PATTERNS}) == len(charts.PATTERNS)


def test_patterns_are_marks_over_the_bars_own_shade_never_a_shaded_tile():
    """A PDF viewer draws a tiling pattern tile by tile; the tiles' edges show as a grid at
    low resolution, so a shaded tile made the solid series look cross-hatched like another."""
    root = ET.fromstring(five_groups())
    for pattern in root.iter(f"{SVG}pattern"):
        assert pattern.find(f"{SVG}rect") is None, pattern.get("id")
    solid = next(g for g in _segments(root, "segment") if g.get("data-series") == "energy")
    rects = solid.findall(f"{SVG}rect")
    assert len(rects) == 1 and not rects[0].get("fill").startswith("url(")
    hatched = next(g for g in _segments(root, "segment") if g.get("data-series") == "transport")
    shade, marks = _look(root, hatched)
    assert not shade.startswith("url(") and marks == "url(#c1-p1)"
    assert root.find(f".//{SVG}pattern[@id='c1-p1']") is not None


def test_a_series_keeps_its_pattern_when_other_series_are_missing():
    """A municipality without figures in one sector group: the groups after it keep their
    patterns, so Waste looks the same in its chart as in the DGO's."""
    from monitoring.models import Sector
    from monitoring.selectors import EmissionsTable

    groups = [key for key, _label in Sector.Group.choices]
    sectors = [Sector(pk=n + 1, key=key, group=key) for n, key in enumerate(groups)]
    everything = EmissionsTable(
        years=[2020], sectors=sectors, cells={(s.pk, 2020): Decimal(10) for s in sectors}
    )
    without_transport = EmissionsTable(
        years=[2020],
        sectors=sectors,
        cells={(s.pk, 2020): Decimal(10) for s in sectors if s.group != "transport"},
    )
    full = {s.key: s.pattern for s in everything.group_series()}
    partial = {s.key: s.pattern for s in without_transport.group_series()}
    assert "transport" not in partial
    assert partial == {key: full[key] for key in partial}
    root = ET.fromstring(chart(chart_id="c2", series=without_transport.group_series()))
    waste = next(g for g in _segments(root, "segment") if g.get("data-series") == "waste")
    assert _look(root, waste)[1] == f"url(#c2-p{full['waste']})"


def test_a_long_legend_label_takes_its_own_row_the_short_ones_share_rows():
    slots, rows = charts._legend_layout(["Energy", "Transport", "x" * 80, "Waste"], 600)
    assert slots == [(0, 0), (1, 0), (0, 1), (0, 2)] and rows == 3
    slots, rows = charts._legend_layout(["a", "b", "c"], 600)
    assert slots == [(0, 0), (1, 0), (0, 1)] and rows == 2


def test_the_projection_and_target_labels_at_2030_sit_on_opposite_sides():
    def label(root, prefix: str, colour: str):
        return next(
            t
            for t in root.iter(f"{SVG}text")
            if (t.text or "").startswith(prefix) and t.get("fill") == colour
        )

    def label_y(root, prefix: str, colour: str) -> float:
        return float(label(root, prefix, colour).get("y"))

    def marker_y(root, colour: str) -> float:
        """The centre of the marker drawn just before the 2030 label in `colour`."""
        children = list(root)
        for marker, label in itertools.pairwise(children):
            if (label.text or "").startswith("2030:") and label.get("fill") == colour:
                if marker.tag == f"{SVG}circle":
                    return float(marker.get("cy"))
                return float(marker.get("y")) + float(marker.get("height")) / 2
        raise AssertionError(colour)

    path = [(2018, Decimal(800)), (2030, Decimal(240)), (2050, Decimal(0))]
    for projected, projection_above in ((Decimal(600), True), (Decimal(100), False)):
        root = ET.fromstring(
            chart(
                target_path=path,
                projection=[(2018, Decimal(800)), (2030, projected)],
                projection_label="Projection",
            )
        )
        target_label = label_y(root, "2030:", charts.PATH_COLOUR)
        projection_label = label_y(root, "2030:", charts.PROJECTION_COLOUR)
        target_y = marker_y(root, charts.PATH_COLOUR)
        projection_y = marker_y(root, charts.PROJECTION_COLOUR)
        # the higher marker's label to its upper right, the lower's to its lower left: the
        # open sides, as both lines come down from the upper left
        higher, lower = (
            (charts.PROJECTION_COLOUR, charts.PATH_COLOUR)
            if projection_above
            else (charts.PATH_COLOUR, charts.PROJECTION_COLOUR)
        )
        assert label(root, "2030:", higher).get("text-anchor") == "start"
        assert label(root, "2030:", lower).get("text-anchor") == "end"
        if projection_above:
            assert projection_label < projection_y and target_label > target_y
        else:
            assert target_label < target_y and projection_label > projection_y


def test_a_value_label_at_the_right_edge_sits_above_the_line_coming_down_to_it():
    """A municipality without targets: the projection ends low in the chart's last year, with
    no room below or to the right; its label goes up and left, clear of the dotted line."""
    root = ET.fromstring(
        chart(
            target_path=[],
            projection=[(2018, Decimal(790)), (2030, Decimal(40))],
            projection_label="Projection",
        )
    )
    label = next(t for t in root.iter(f"{SVG}text") if (t.text or "").startswith("2030:"))
    assert label.get("text-anchor") == "end"
    line = next(root.iter(f"{SVG}polyline"))
    (x1, y1), (x2, y2) = (tuple(map(float, p.split(","))) for p in line.get("points").split())
    right, baseline = float(label.get("x")), float(label.get("y"))
    left = right - len(label.text) * 7  # the text's left end, at the chart's estimate

    def line_y(x: float) -> float:
        return y1 + (y2 - y1) * (x - x1) / (x2 - x1)

    assert baseline < line_y(left) and baseline < line_y(right)  # the text is above the line
