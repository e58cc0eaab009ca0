"""Identifiers in templates are never localised: with USE_THOUSAND_SEPARATOR a primary key of
1138 renders as "1.138" in Danish, which breaks every link, option and hidden field that
carries it (a seat search's option, `?meeting=`, a notification's id)."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# `{{ x.pk }}` or `{{ x.id }}` with no filter; a form's bound field named `id` renders a widget.
BARE_IDENTIFIER = re.compile(r"\{\{ ?[a-z_][a-z_0-9.]*\.(?:pk|id) ?\}\}")
BOUND_FIELDS = {"{{ sub.id }}", "{{ form.id }}"}


def test_no_template_renders_a_bare_primary_key():
    found = []
    for path in TEMPLATES.rglob("*.html"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            for match in BARE_IDENTIFIER.finditer(line):
                if match.group(0) not in BOUND_FIELDS:
                    found.append(f"{path.relative_to(TEMPLATES)}:{number}: {match.group(0)}")
    assert not found, "use |unlocalize:\n" + "\n".join(found)


def test_unlocalize_keeps_a_large_key_whole(settings):
    from django.template import Context, Template
    from django.utils import translation

    settings.USE_THOUSAND_SEPARATOR = True
    template = Template("{% load l10n %}{{ pk }}|{{ pk|unlocalize }}")
    with translation.override("da"):
        assert template.render(Context({"pk": 1138})) == "1.138|1138"
