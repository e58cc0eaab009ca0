"""Every edit form refuses a stale save (issue 22): core.locking, one mechanism for all.

Each case opens the edit page, lets someone else save the record (another user's save through
the ORM), then sends the page's own form with a change: refused with the conflict message and
the other save kept. Sending the re-rendered form again overwrites deliberately.
"""

import datetime
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation

from core.locking import FIELD, STALE_MESSAGE, edit_version
from governance.selectors import composition_version
from tests.matrix import evaluations, events, governance, library, monitoring, planning, tracks


class FormValues(HTMLParser):
    """The values a browser would send for the form whose hidden edit version is present."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._form = {}
            self.forms.append(self._form)
        if self._form is None or (not attrs.get("name") and tag != "option"):
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._form.setdefault(attrs["name"], []).append(attrs.get("value", "on"))
            elif kind not in ("submit", "button", "file"):
                self._form.setdefault(attrs["name"], []).append(attrs.get("value") or "")
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "option" and self._select and "selected" in attrs:
            self._form.setdefault(self._select, []).append(attrs.get("value", ""))
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self._form[self._textarea] = [""]

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form[self._textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._form = None


def edit_form_values(page: str) -> dict:
    parser = FormValues()
    parser.feed(page)
    (values,) = [form for form in parser.forms if FIELD in form or "version" in form]
    return {name: value if len(value) != 1 else value[0] for name, value in values.items()}


@dataclass(frozen=True)
class Edit:
    url: str
    role: str
    setup: object  # users -> (url kwargs, the edited record)
    change: dict  # what this user changes in the form
    other_save: dict  # what someone else saved meanwhile
    version_field: str = FIELD
    message: str = str(STALE_MESSAGE)
    form_only: tuple = ()  # form values that are no field of the record (a reason)
    version: object = edit_version  # the record -> the version its page carries


def _meeting(users):
    kwargs = governance.planned_meeting(users)
    return kwargs, apps.get_model("governance", "Meeting").objects.get(pk=kwargs["pk"])


def _municipality(users):
    return {"code": "751"}, apps.get_model("partners", "Municipality").objects.get(code="751")


def _track(users):
    kwargs = tracks.at("draft")(users)
    return kwargs, apps.get_model("tracks", "Track").objects.get(pk=kwargs["pk"])


def _focus_area(users):
    kwargs = tracks.focus_area(users)
    return kwargs, apps.get_model("tracks", "FocusArea").objects.get(pk=kwargs["pk"])


def _indicator(users):
    indicator = apps.get_model("monitoring", "Indicator").objects.get(key="electric_car_share")
    return {"key": indicator.key}, indicator


def _report(users):
    kwargs = monitoring.draft_report(users)
    report = apps.get_model("monitoring", "StatusReport").objects.get(
        round__year=kwargs["year"], municipality__code=kwargs["code"]
    )
    return kwargs, report


def _agenda_item(users):
    kwargs = governance.planned_item(users)
    return kwargs, apps.get_model("governance", "AgendaItem").objects.get(pk=kwargs["item"])


def _event(users):
    kwargs = events.published(users)
    return kwargs, apps.get_model("events", "Event").objects.get(pk=kwargs["pk"])


def _library_item(users):
    kwargs = library.concito_item(users)
    return kwargs, apps.get_model("library", "LibraryItem").objects.get(pk=kwargs["pk"])


def _edition(users):
    kwargs = monitoring.draft_edition(users)
    edition = apps.get_model("monitoring", "ReportEdition").objects.get(round__year=kwargs["year"])
    return kwargs, edition


def _seat(users):
    seat = users["member"].memberships.get()
    return {"code": "fu", "pk": seat.pk}, seat


def _planning(setup, model):
    def make(users):
        kwargs = setup(users)
        return kwargs, apps.get_model(*model.split(".")).objects.get(pk=kwargs["pk"])

    return make


def _composition(users):
    body = apps.get_model("governance", "Body").objects.get(code="dgo-midtjylland-adm")
    return {"code": body.code}, body


EDITS = [
    Edit("meeting-edit", "secretariat", _meeting, {"title": "Mit"}, {"location": "Andet sted"}),
    Edit(
        "municipality-edit",
        "coordinator_a",
        _municipality,
        {"website": "https://mit.example.dk"},
        {"notes": "En andens note."},
    ),
    Edit("track-edit", "coordinator_a", _track, {"title": "Mit"}, {"ambition": "En andens"}),
    Edit(
        "focus-area-edit", "secretariat", _focus_area, {"name_da": "Mit"}, {"description": "Anden"}
    ),
    Edit(
        "monitoring-indicator-edit",
        "secretariat",
        _indicator,
        {"name_da": "Mit navn"},
        {"source": "En andens kilde"},
    ),
    Edit(
        "agenda-item-edit",
        "secretariat",
        _agenda_item,
        {"title": "Mit punkt"},
        {"description": "En andens beskrivelse"},
    ),
    Edit("event-edit", "secretariat", _event, {"title": "Mit"}, {"location": "Andet sted"}),
    Edit(
        "library-edit",
        "secretariat",
        _library_item,
        {"title": "Mit notat"},
        {"summary": "En andens resumé."},
    ),
    Edit(
        "monitoring-edition",
        "knowledge_partner",
        _edition,
        {"foreword": "Mit forord"},
        # A version counter: someone else's save counts it up.
        {"version": 99, "key_messages": ["En andens budskab"]},
    ),
    Edit(
        "seat-edit",
        "secretariat",
        _seat,
        {"capacity": "Borgmester", "reason": "Rettelse"},
        {"starts_on": datetime.date(2023, 1, 2)},
        form_only=("reason",),
    ),
    Edit(
        "plan-edit",
        "secretariat",
        _planning(planning.draft, "planning.Plan"),
        {"title": "Min plan"},
        {"summary": "En andens resumé"},
    ),
    Edit(
        "activity-edit",
        "secretariat",
        _planning(planning.draft_activity, "planning.Activity"),
        {"title": "Min aktivitet"},
        {"description": "En andens beskrivelse"},
    ),
    Edit(
        "risk-edit",
        "secretariat",
        _planning(planning.risk, "planning.Risk"),
        {"title": "Min risiko"},
        {"mitigation": "En andens plan"},
    ),
    Edit(
        "evaluation-edit",
        "secretariat",
        _planning(evaluations.draft, "evaluations.Evaluation"),
        {"title": "Min evaluering"},
        {"terms_of_reference": "En andens kommissorium"},
    ),
    # A body and its composition rules on one page: one version for both.
    Edit(
        "body-composition",
        "secretariat",
        _composition,
        {"chair_rule": "Mit formandskab", "reason": "Rettelse"},
        {"meetings_per_year": 7},
        form_only=("reason",),
        version=composition_version,
    ),
    # The status reports' version counter, through the same mechanism.
    Edit(
        "monitoring-report-edit",
        "coordinator_a",
        _report,
        {"baseline_year": 2019},
        {"version": 99, "baseline_year": 2018},
        version_field="version",
        message="Someone else saved this report while you were editing it.",
    ),
]


# Pages that change a stored record and are not in EDITS, with the reason.
NOT_EDIT_FORMS = {
    "monitoring-edition-preview": "renders a preview PDF; saves nothing",
    "monitoring-edition-publish": "a publish step (its form carries the version, tested in "
    "tests/monitoring/test_editorial.py); no fields to overwrite",
}


def test_every_edit_page_is_in_the_table():
    from django.urls import get_resolver

    def names(resolver):
        for pattern in resolver.url_patterns:
            if hasattr(pattern, "url_patterns"):
                yield from names(pattern)
            elif pattern.name:
                yield pattern.name

    edit_pages = {
        name
        for name in names(get_resolver())
        if (name.endswith("-edit") or "-edition" in name or name == "body-composition")
        and not name.startswith(("admin", "api-"))
    }
    covered = {edit.url for edit in EDITS}
    assert edit_pages - covered - set(NOT_EDIT_FORMS) == set()


@pytest.mark.parametrize("edit", EDITS, ids=lambda edit: edit.url)
def test_a_stale_save_is_refused_and_a_deliberate_one_overwrites(edit, client_for, role_users):
    kwargs, record = edit.setup(role_users)
    model = type(record)
    url = reverse(edit.url, kwargs=kwargs)
    client = client_for(edit.role)
    page = client.get(url)
    assert page.status_code == 200
    values = edit_form_values(page.content.decode())
    assert values[edit.version_field] == edit.version(record)

    model.objects.filter(pk=record.pk).update(**edit.other_save)  # someone else's save
    refused = client.post(url, {**values, **edit.change})
    assert refused.status_code in (200, 400, 409), refused.status_code
    with translation.override("da"):
        message = translation.gettext(edit.message)
    assert message[:40] in refused.content.decode().replace("&#x27;", "'")
    stored = model.objects.get(pk=record.pk)
    for name, value in edit.other_save.items():
        assert getattr(stored, name) == value  # the other save is kept
    for name, value in edit.change.items():
        if name not in edit.form_only:
            assert getattr(stored, name) != value  # and this one did not happen

    # The page now carries the current version: saving again is a deliberate overwrite.
    again = edit_form_values(refused.content.decode())
    saved = client.post(url, {**again, **edit.change})
    assert saved.status_code == 302, saved.content.decode()[:2000]
    stored = model.objects.get(pk=record.pk)
    for name, value in edit.change.items():
        if name not in edit.form_only:
            assert getattr(stored, name) == value


@pytest.mark.parametrize("edit", EDITS, ids=lambda edit: edit.url)
def test_an_unchanged_record_saves(edit, client_for, role_users):
    kwargs, _record = edit.setup(role_users)
    url = reverse(edit.url, kwargs=kwargs)
    client = client_for(edit.role)
    values = edit_form_values(client.get(url).content.decode())
    saved = client.post(url, {**values, **edit.change})
    assert saved.status_code == 302, saved.content.decode()[:2000]


def test_the_composition_version_moves_with_any_rule(role_users):
    """The composition page edits the body and its rules: a rule changed or removed by someone
    else makes the page stale as a change to the body does."""
    body = apps.get_model("governance", "Body").objects.get(code="dgo-midtjylland-adm")
    before = composition_version(body)
    assert composition_version(body) == before  # stable while nothing changes
    rule = body.seat_rules.order_by("pk").first()
    type(rule).objects.filter(pk=rule.pk).update(max_count=rule.max_count + 1)
    changed = composition_version(body)
    assert changed != before
    rule.delete()
    assert composition_version(body) not in (before, changed)
