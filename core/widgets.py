"""Form widgets every app shares: the browser's own date and date-time pickers.

A date or date-time input shows and sends ISO 8601 whatever the language's own date format
(Danish writes 02-12-2026), so these widgets fix the format; the fields accept the written
Danish forms too (DATETIME_FORMATS) for those who type.
"""

from django import forms

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d-%m-%Y %H:%M", "%d.%m.%Y %H:%M"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)
