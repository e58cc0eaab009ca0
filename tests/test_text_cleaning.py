"""Bidirectional-control and zero-width characters are removed from names and titles on save."""

import pytest

from core.text import clean_text
from governance.forms import AgendaItemForm, DecisionForm
from partners.services import person_find_or_create
from tracks.forms import ContactForm

RLO_TITLE = "Klima\u202eplan\u200b 2030\u2066\ufeff"


def test_clean_text_removes_bidi_and_zero_width_only():
    assert clean_text(RLO_TITLE) == "Klimaplan 2030"
    assert clean_text("  Ærø Kommune – ønsker \u200dnu ") == "Ærø Kommune – ønsker nu"
    assert clean_text("\u200f\u061c") == ""


@pytest.mark.parametrize(
    "form_class, data, field",
    [
        (AgendaItemForm, {"title": RLO_TITLE}, "title"),
        (DecisionForm, {"title": RLO_TITLE, "text": "Forslag"}, "title"),
        (ContactForm, {"name": RLO_TITLE}, "name"),
    ],
)
def test_forms_clean_titles_and_names(form_class, data, field):
    form = form_class(data)
    form.is_valid()
    assert form.cleaned_data[field] == "Klimaplan 2030"


def test_the_meeting_form_saves_a_clean_title(db):
    from governance.forms import MeetingForm

    form = MeetingForm({"title": RLO_TITLE, "starts_at": "2027-03-01T10:00", "location": "Aarhus"})
    assert form.is_valid(), form.errors
    assert form.instance.title == "Klimaplan 2030"


def test_people_service_saves_clean_names(db):
    user, created = person_find_or_create(
        email="mette@example.dk",
        first_name="Met\u202ete",
        last_name="\u200bHansen",
        title="Klima\u2066chef",
    )
    user.refresh_from_db()
    assert created and (user.first_name, user.last_name) == ("Mette", "Hansen")
