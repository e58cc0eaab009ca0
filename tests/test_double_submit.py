"""Two quick submits of the same form leave one row and no 500 (issue 22).

Table-driven over the URL matrix's POST forms (tests/matrix) and the create forms beside them:
each is sent twice with the same submission key, as a double click sends it.
"""

import uuid

import pytest
from django.apps import apps
from django.db import transaction
from django.urls import reverse

from core.idempotency import FIELD

from .matrix import all_cases, governance

# The API is not a form: programs send their own requests (and get 4xx JSON on a repeat).
FORM_POSTS = [
    case for case in all_cases() if case.method == "post" and not case.name.startswith("api-")
]


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if not model._meta.proxy and model._meta.managed
    }


def changed(before: dict[str, int], after: dict[str, int]) -> dict[str, tuple[int, int]]:
    return {
        label: (before[label], after[label]) for label in before if before[label] != after[label]
    }


def acting_role(case) -> str | None:
    """The role for whom the form does something (a redirect after the write)."""
    for role in ("secretariat", "member", "observer", "coordinator_a", "administrator"):
        if case.expect.get(role) in (302, 200, 400):
            return role
    return None


def double_submit_failures(case, client_for, role_users) -> list[str]:
    role = acting_role(case)
    if role is None:
        return []
    kwargs = case.setup(role_users) if case.setup else case.kwargs
    url = reverse(case.name, kwargs=kwargs) + case.query
    client = client_for(role)
    data = {**(case.data or {}), FIELD: uuid.uuid4().hex}
    before = row_counts()
    first = client.post(url, data)
    after_first = row_counts()
    second = client.post(url, data)
    after_second = row_counts()
    problems = []
    if first.status_code >= 500 or second.status_code >= 500:
        problems.append(f"answered {first.status_code}, {second.status_code}")
    if second.status_code != first.status_code or second.get("Location") != first.get("Location"):
        problems.append(
            f"second answer {second.status_code} {second.get('Location')} is not the first's "
            f"{first.status_code} {first.get('Location')}"
        )
    if second.get("X-Repeated-Submission") != "1":
        problems.append("the view ran again")
    if extra := changed(after_first, after_second):
        problems.append(f"the second submit wrote rows: {extra}")
    if case.expect[role] == 302 and not changed(before, after_first) and first.status_code != 302:
        problems.append(f"the first submit did nothing ({first.status_code})")
    return [f"{case.name} as {role} ({url}): " + "; ".join(problems)] if problems else []


def test_every_matrix_post_form_is_in_the_table():
    assert len(FORM_POSTS) >= 15, [case.name for case in FORM_POSTS]


@pytest.mark.parametrize("case", FORM_POSTS, ids=lambda case: case.name)
def test_two_quick_submits_of_a_matrix_form(case, session_client_for, role_users):
    with transaction.atomic():
        failures = double_submit_failures(case, session_client_for, role_users)
        transaction.set_rollback(True)
    assert not failures, "\n".join(failures)


def test_a_repeat_without_the_key_still_runs_the_view(client_for, role_users):
    """The key is what makes a repeat a repeat: two separate comments stay two comments."""
    from .matrix.governance import fu_decision

    decision = fu_decision(role_users)
    url = reverse("decision-comment", kwargs=decision)
    client = client_for("member")
    counts = row_counts()
    client.post(url, {"text": "Første.", FIELD: uuid.uuid4().hex})
    client.post(url, {"text": "Anden.", FIELD: uuid.uuid4().hex})
    assert changed(counts, row_counts())["governance.DecisionComment"][1] == 2


def test_the_key_belongs_to_its_user(client_for, role_users):
    """Another user posting the same key is a submission of their own, not a replay."""
    from .matrix.governance import fu_decision

    decision = fu_decision(role_users)
    url = reverse("decision-comment", kwargs=decision)
    key = uuid.uuid4().hex
    client_for("member").post(url, {"text": "Fra medlemmet.", FIELD: key})
    response = client_for("observer").post(url, {"text": "Fra observatøren.", FIELD: key})
    assert response.get("X-Repeated-Submission") is None
    from governance.models import DecisionComment

    assert DecisionComment.objects.filter(decision_id=decision["pk"]).count() == 2


def test_a_form_with_errors_gets_a_new_key(client_for, role_users):
    """Correcting a refused form and sending it again is a new submission."""
    response = client_for("secretariat").get(reverse("meeting-create", kwargs={"code": "fu"}))
    page = response.content.decode()
    assert page.count(f'name="{FIELD}"') >= 1
    again = client_for("secretariat").get(reverse("meeting-create", kwargs={"code": "fu"}))
    assert _key(page) != _key(again.content.decode())


def _key(page: str) -> str:
    marker = f'name="{FIELD}" value="'
    start = page.index(marker) + len(marker)
    return page[start : start + 32]


def _fu(users) -> dict:
    return {"code": "fu"}


# The create forms beside the matrix's POSTs: the double click that made two rows.
CREATE_FORMS = [
    (
        "meeting-create",
        _fu,
        {"title": "FU-møde", "starts_at": "2027-03-01T10:00", "location": "KL"},
        "governance.Meeting",
    ),
    (
        "decision-create",
        _fu,
        {
            "title": "Budget",
            "text": "Forslag.",
            "mode": "in_writing",
            "deadline": "2027-03-01T10:00",
        },
        "governance.Decision",
    ),
    (
        "agenda-item-create",
        governance.planned_meeting,
        {"title": "Punkt 2"},
        "governance.AgendaItem",
    ),
    (
        "focus-area-create",
        lambda users: {},
        {"year": 2026, "name_da": "Byggeri", "name_en": "Buildings", "position": 1},
        "tracks.FocusArea",
    ),
]


@pytest.mark.parametrize("name, setup, data, label", CREATE_FORMS, ids=lambda v: str(v)[:20])
def test_two_quick_submits_of_a_create_form_make_one_row(
    name, setup, data, label, client_for, role_users
):
    model = apps.get_model(label)
    url = reverse(name, kwargs=setup(role_users))
    client = client_for("secretariat")
    before = model.objects.count()
    key = uuid.uuid4().hex
    first = client.post(url, {**data, FIELD: key})
    second = client.post(url, {**data, FIELD: key})
    assert first.status_code == 302, first.content.decode()[:3000]
    assert (second.status_code, second["Location"]) == (302, first["Location"])
    assert model.objects.count() == before + 1
