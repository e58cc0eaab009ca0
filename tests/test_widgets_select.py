"""core.widgets.Select renders Django's own select markup, without a template per option."""

import pytest
from django import forms

from core.widgets import Select

CHOICES = [
    ("", "—"),
    ("Regions <x>", [("r:1", 'Region "Midt" & co')]),
    ("Kommuner", [("m:2", "Århus"), ("m:3", "Odense")]),
    (4, "fire"),
]


@pytest.mark.parametrize("value", ["m:2", "", None, 4, "r:1", "<script>"])
@pytest.mark.parametrize(
    "attrs", [{}, {"class": "x", "required": True, "disabled": False, "aria-label": 'a "b"'}]
)
def test_select_markup_is_djangos_byte_for_byte(value, attrs):
    django_html = forms.Select(choices=CHOICES, attrs=attrs).render(
        "participant", value, attrs={"id": "id_participant"}
    )
    ours = Select(choices=CHOICES, attrs=attrs).render(
        "participant", value, attrs={"id": "id_participant"}
    )
    assert ours == django_html


def test_select_in_a_bound_form_is_djangos():
    class Plain(forms.Form):
        participant = forms.ChoiceField(choices=CHOICES, required=False)

    class Fast(forms.Form):
        participant = forms.ChoiceField(choices=CHOICES, required=False, widget=Select)

    data = {"participant": "m:3"}
    assert str(Fast(data)["participant"]) == str(Plain(data)["participant"])
    assert 'value="m:3" selected' in str(Fast(data)["participant"])
