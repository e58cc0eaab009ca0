import io

import pytest
from django.core.management import CommandError, call_command

from partners.models import User
from partners.permissions import roles_of


def test_refuses_without_debug(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", stdout=io.StringIO())
    assert not User.objects.filter(username="sekretariat").exists()


def test_creates_one_user_per_role_and_is_idempotent(demo_data, db, settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_demo", stdout=out)  # a second time: the demo is there already
    assert "koordinator-midt" in out.getvalue() and "klima2030" in out.getvalue()
    for username in ("sekretariat", "koordinator-midt", "koordinator-hovedstaden", "fu-medlem",
                     "observator", "admin"):  # fmt: skip
        assert User.objects.filter(username=username).count() == 1
    midt = User.objects.get(username="koordinator-midt")
    assert midt.check_password("klima2030")
    assert midt.role_assignments.get().dgo.slug == "midtjylland"
    assert roles_of(midt).coordinated_dgo_ids == {midt.role_assignments.get().dgo_id}
    assert roles_of(User.objects.get(username="sekretariat")).secretariat
    assert User.objects.get(username="admin").is_superuser
    # The 2025 status report carries the knowledge partner's published text (issue 20).
    from monitoring.models import ReportEdition
    from monitoring.status_report import editorial

    edition = ReportEdition.objects.get(round__year=2025)
    author = User.objects.get(username="videnspartner")
    assert edition.is_published and edition.published_by == author == edition.updated_by
    assert edition.organisation.code == "concito"
    assert edition.foreword and len(edition.key_messages) >= 3
    assert ReportEdition.objects.count() == 1  # seeding twice adds nothing
    text = editorial.edition_text(edition, editorial.key_figures(round=edition.round))
    assert "{" not in text.foreword + "".join(text.key_messages)  # every figure filled in
    assert not editorial.unknown_tokens(edition.foreword + "".join(edition.key_messages))
