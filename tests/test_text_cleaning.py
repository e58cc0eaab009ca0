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


# --- bulk writes (no pre_save): the same cleaning runs in bulk_create and bulk_update ------

DIRTY_NAME = "Cykel\u202estier\u200b i byen"


def test_every_manager_of_a_model_with_names_cleans_in_bulk():
    from django.apps import apps

    from core.text import CLEANED_APPS, CleanNamesQuerySetMixin, name_fields

    for model in apps.get_models():
        if model._meta.app_label in CLEANED_APPS and name_fields(model):
            for manager in model._meta.managers:
                assert issubclass(manager._queryset_class, CleanNamesQuerySetMixin), manager
    from tracks.models import Track

    assert hasattr(Track.objects, "for_user")  # the managers' own methods stay


def test_bulk_create_and_bulk_update_store_clean_names(db):
    from partners.models import DGO, Organisation

    organisation = Organisation.objects.bulk_create(
        [Organisation(code="test-org", name=DIRTY_NAME, short_name="\u200bTO")]
    )[0]
    organisation.refresh_from_db()
    assert (organisation.name, organisation.short_name) == ("Cykelstier i byen", "TO")

    dgo = DGO.objects.get(slug="midtjylland")
    dgo.name = DIRTY_NAME
    DGO.objects.bulk_update([dgo], ["name"])
    dgo.refresh_from_db()
    assert dgo.name == "Cykelstier i byen"


def test_a_round_import_carries_forward_a_name_with_bidi_and_zero_width_clean(db, role_users):
    """The round import writes the carried actions with bulk_create: an action stored with
    U+202E and U+200B (written before the cleaning, with .update()) comes back clean."""
    from monitoring.imports import rounds as rounds_import
    from monitoring.models import Action, StatusReport
    from tests.monitoring.factories import make_report, make_round
    from tests.monitoring.test_import import as_file, filled_rows

    earlier = make_report(
        make_round(2025, closed=True), "751", state=StatusReport.State.LOCKED, actions=1
    )
    Action.objects.filter(report=earlier).update(name=DIRTY_NAME)
    assert list(earlier.actions.values_list("name", flat=True)) == [DIRTY_NAME]
    round = make_round()
    result = rounds_import.round_import(
        round=round,
        by=role_users["secretariat"],
        content=as_file(*filled_rows(round)),
        filename="round.xlsx",
        dry_run=False,
    )
    assert result.written
    carried = Action.objects.filter(report__round=round, report__municipality__code="751")
    assert list(carried.values_list("name", flat=True)) == ["Cykelstier i byen"]


def test_the_people_import_stores_clean_names(db, role_users):
    import tablib

    from partners import services
    from partners import spreadsheet as sheet
    from partners.models import User

    data = tablib.Dataset(headers=sheet.KEYS)
    row = {
        "first_name": "An\u202ena",
        "last_name": "\u200bKoordinator",
        "email": "anna@rm.dk",
        "role": "dgo_coordinator",
        "dgo": "midtjylland",
    }
    data.append([row.get(key, "") for key in sheet.KEYS])
    result = services.people_import(
        by=role_users["secretariat"],
        content=data.export("xlsx"),
        filename="people.xlsx",
        dry_run=False,
    )
    assert result.written, result
    user = User.objects.get(email="anna@rm.dk")
    assert (user.first_name, user.last_name) == ("Anna", "Koordinator")
