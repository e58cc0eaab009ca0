"""Form widgets every app shares: the browser's own date and date-time pickers.

A date or date-time input shows and sends ISO 8601 whatever the language's own date format
(Danish writes 02-12-2026), so these widgets fix the format; the fields accept the written
Danish forms too (DATETIME_FORMATS) for those who type.
"""

from django import forms
from django.utils.html import format_html
from django.utils.safestring import mark_safe

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d-%m-%Y %H:%M", "%d.%m.%Y %H:%M"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _attrs_html(attrs: dict) -> str:
    """django/forms/widgets/attrs.html in Python: True is a bare attribute, False none."""
    return "".join(
        format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
        for name, value in attrs.items()
        if value is not False
    )


class Select(forms.Select):
    """Django's select, rendered in Python instead of one template include per option.

    A filter's select of a hundred municipalities rendered each <option> through
    select_option.html and attrs.html: most of the track list's time (bench/README.md).
    The markup is Django's, byte for byte (tests/test_widgets_select.py).
    """

    def render(self, name, value, attrs=None, renderer=None):
        context = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"', context["name"]), _attrs_html(context["attrs"])]
        parts.append(">")
        for group_name, group_choices, _index in context["optgroups"]:
            if group_name:
                parts.append(format_html('\n  <optgroup label="{}">', group_name))
            for option in group_choices:
                parts.append(
                    format_html(
                        '\n  <option value="{}"{}>{}</option>\n',
                        str(option["value"]),
                        mark_safe(_attrs_html(option["attrs"])),  # noqa: S308 - format_html
                        option["label"],
                    )
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
