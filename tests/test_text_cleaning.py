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


def test_every_name_and_title_field_of_the_portal_is_cleaned_on_save():
    """The model-level rule (core.text.clean_names_on_save) knows the names and titles."""
    from django.apps import apps

    from core.text import CLEANED_APPS, name_fields

    found = {
        model._meta.label: name_fields(model)
        for model in apps.get_models()
        if model._meta.app_label in CLEANED_APPS
    }
    assert found["governance.Meeting"] == ["title"]
    assert found["governance.Paper"] == ["original_name"]
    assert found["partners.User"] == ["first_name", "last_name", "title"]
    assert found["tracks.FocusArea"] == ["name_da", "name_en"]
    assert found["monitoring.Indicator"] == ["name_da", "name_en"]
    assert "username" not in found["partners.User"]


@pytest.mark.parametrize(
    "label, lookup",
    [
        ("partners.Organisation", {"code": "kl"}),
        ("partners.DGO", {"slug": "midtjylland"}),
        ("partners.Municipality", {"code": "751"}),
        ("governance.Body", {"code": "fu"}),
        ("monitoring.Indicator", {"key": "electric_car_share"}),
    ],
)
def test_a_record_saved_outside_any_form_stores_clean_names(db, label, lookup):
    """The admin, the API, imports and scripts save through the model: cleaned there too."""
    from django.apps import apps

    from core.text import name_fields

    model = apps.get_model(label)
    record = model.objects.get(**lookup)
    fields = name_fields(model)
    for name in fields:
        setattr(record, name, RLO_TITLE)
    record.save()
    record.refresh_from_db()
    assert [getattr(record, name) for name in fields] == ["Klimaplan 2030"] * len(fields)


def test_a_meeting_created_through_the_orm_has_a_clean_title(db):
    from governance.models import Body, Meeting

    meeting = Meeting.objects.create(
        body=Body.objects.get(code="fu"), title=RLO_TITLE, starts_at="2027-03-01T10:00Z"
    )
    assert Meeting.objects.get(pk=meeting.pk).title == "Klimaplan 2030"
