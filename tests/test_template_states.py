"""Templates show a state through the model's property or constant, never by comparing it with a
string (issue 15: "state lists used by templates are model constants or properties"). A string
comparison in a template is a second spelling of the state list, which drifts from the model's.
"""

import re
from pathlib import Path

from django.conf import settings

# A variable whose last part names a state, compared with a string literal, either way round.
STATE_NAME = r"[\w.]*\b(?:state|status|kind|role|\w+_state|\w+_status)"
LITERAL = r"(?:\"[^\"]*\"|'[^']*')"
OPERATOR = r"(?:==|!=|not\s+in|in)"
COMPARISON = re.compile(
    rf"(?<![\w.]){STATE_NAME}\s*{OPERATOR}\s*{LITERAL}|{LITERAL}\s*{OPERATOR}\s*{STATE_NAME}\b"
)
CONDITION = re.compile(r"\{%-?\s*(?:if|elif)\s+(.*?)-?%\}", re.DOTALL)

# (template, the comparison) that are not a model's state, each with why.
ALLOWED = {
    # Which of the three panels a dashboard card is (tracks/dashboard.py builds the cards);
    # a card's kind is its layout, not a state of anything.
    ("tracks/dashboard_panel.html", 'card.kind == "allocations"'),
    ("tracks/dashboard_panel.html", 'card.kind == "assessments"'),
}


def _template_files() -> list[Path]:
    roots = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
    return sorted(p for root in roots for p in root.rglob("*") if p.suffix in {".html", ".txt"})


def _comparisons() -> list[tuple[str, str]]:
    found = []
    for path in _template_files():
        name = next(
            str(path.relative_to(root))
            for root in map(Path, settings.TEMPLATES[0]["DIRS"])
            if path.is_relative_to(root)
        )
        for condition in CONDITION.findall(path.read_text(encoding="utf-8")):
            found += [(name, match.group(0)) for match in COMPARISON.finditer(condition)]
    return found


def test_the_scan_finds_a_state_comparison():
    """The pattern catches the forms this test exists to keep out."""
    for condition in (
        'row.status == "error"',
        "product.kind == 'link'",
        'status == "on_track"',
        'meeting.status != "planned"',
        '"held" == meeting.status',
        'seat.role in "chair"',
        'report.review_state == "open"',
    ):
        assert COMPARISON.search(condition), condition
    for condition in ("row.is_error", "step.from_status == step.to_status", 'when == "past"'):
        assert not COMPARISON.search(condition), condition


def test_templates_compare_no_state_with_a_string():
    found = _comparisons()
    assert _template_files(), "no templates found: the scan would pass vacuously"
    offending = sorted(set(found) - ALLOWED)
    assert not offending, (
        "Use a model property or constant (e.g. row.is_error, product.is_link) instead of: "
        + "; ".join(f"{name}: {comparison}" for name, comparison in offending)
    )


def test_the_allow_list_is_not_stale():
    """An allowed comparison that is gone from its template leaves the list."""
    assert not ALLOWED - set(_comparisons())
