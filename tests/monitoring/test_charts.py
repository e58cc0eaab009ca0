from decimal import Decimal

import defusedxml.ElementTree as ET

from monitoring import charts

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
    assert patterns == ["c1-p0", "c1-p1"]
    bars = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert len(bars) == 4  # two years × two series
    assert {bar.get("fill") for bar in bars} == {"url(#c1-p0)", "url(#c1-p1)"}
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
