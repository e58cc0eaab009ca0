"""Transition indicators: the seeded catalogue, editing it, values with the report, import."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from monitoring import indicators_catalogue as catalogue
from monitoring import permissions
from monitoring.imports import indicators as indicator_imports
from monitoring.indicators_catalogue import INDICATORS
from monitoring.insight import indicators
from monitoring.models import Indicator, IndicatorTarget, IndicatorValue
from partners.models import Municipality
from partners.reference import LoadResult

from .factories import make_report, make_round

D = Decimal


def csv(*rows: str) -> bytes:
    return ("\n".join(rows) + "\n").encode()


HEADER = "municipality_code;indicator;year;value;data_release;data_source;target_2030"


def test_catalogue_is_seeded_with_definitions_units_and_sources(db):
    seeded = {i.key: i for i in Indicator.objects.all()}
    assert len(seeded) == len(INDICATORS) >= 12
    assert {i.group for i in seeded.values()} == set(Indicator.Group.values)
    for indicator in seeded.values():
        assert indicator.definition_da and indicator.definition_en
        assert indicator.unit_da and indicator.unit_en and indicator.source
    car = seeded["electric_car_share"]
    assert (car.unit_da, car.direction, car.maximum) == ("%", "higher", D(100))
    assert "Danmarks Statistik" in car.source
    assert "Landbrugsstyrelsen" in seeded["organic_farmland_share"].source


def test_reloading_keeps_edits(db):
    Indicator.objects.filter(key="oil_boilers").update(name_da="Oliefyr (rettet)")
    result = LoadResult()
    catalogue.load(result)
    assert result.created == 0
    assert Indicator.objects.get(key="oil_boilers").name_da == "Oliefyr (rettet)"


def test_knowledge_partner_edits_the_catalogue_on_the_page(client_for):
    client = client_for("knowledge_partner")
    indicator = Indicator.objects.get(key="oil_boilers")
    data = {
        **{f: getattr(indicator, f) for f in ("key", "name_da", "name_en", "unit_da", "unit_en")},
        **{f: getattr(indicator, f) for f in ("group", "direction", "source", "definition_da")},
        "definition_en": "Changed definition.",
        "source_url": "https://ens.dk",
        "minimum": "0",
        "maximum": "",
        "position": "3",
        "is_active": "on",
    }
    response = client.post("/monitoring/indicators/oil_boilers/edit/", data)
    assert response.status_code == 302
    assert Indicator.objects.get(key="oil_boilers").definition_en == "Changed definition."
    # A range upside down re-renders with the error, nothing saved.
    response = client.post(
        "/monitoring/indicators/oil_boilers/edit/", {**data, "minimum": "10", "maximum": "5"}
    )
    assert response.status_code == 200
    assert "maximum" in response.context["form"].errors


def test_only_editors_may_save(role_users):
    with pytest.raises(PermissionDenied):
        indicators.indicator_save(indicator=None, by=role_users["observer"], fields={})


def test_values_are_entered_with_the_report(client_for):
    make_round()
    client = client_for("coordinator_a")
    url = "/monitoring/2026/751/edit/"
    page = client.get(url)
    assert "Andel elbiler i personbilbestanden" in page.content.decode()
    form = page.context["form"]
    data = {name: "" if value is None else value for name, value in form.initial.items()}
    data.update(
        {
            "version": 0,
            "plan_status": "in_preparation",
            "adaptation_plan_status": "none",
            "emissions-TOTAL_FORMS": len(page.context["emission_rows"]),
            "emissions-INITIAL_FORMS": 0,
            "checklist-TOTAL_FORMS": len(page.context["checklist_rows"]),
            "checklist-INITIAL_FORMS": 0,
            "actions-TOTAL_FORMS": 0,
            "actions-INITIAL_FORMS": 0,
            "indicators-TOTAL_FORMS": len(page.context["indicator_rows"]),
            "indicators-INITIAL_FORMS": 0,
        }
    )
    keys = [indicator.key for indicator, _sub in page.context["indicator_rows"]]
    car = keys.index("electric_car_share")
    bad = {**data, f"indicators-{car}-value": "140", f"indicators-{car}-data_release": "x"}
    response = client.post(url, bad)
    assert response.status_code == 200
    assert list(response.context["indicator_forms"][car].errors) == ["value"]
    assert not IndicatorValue.objects.exists()
    good = {
        **data,
        f"indicators-{car}-value": "17.5",
        f"indicators-{car}-data_release": "Statistikbanken 2025-02",
        f"indicators-{car}-target_2030": "60",
    }
    response = client.post(url, good)
    assert response.status_code == 302, response.content.decode()[:3000]
    value = IndicatorValue.objects.get()
    assert (value.year, value.value) == (2024, D("17.5"))
    assert value.data_release == "Statistikbanken 2025-02"
    assert value.report.municipality.code == "751"
    assert "Danmarks Statistik" in value.data_source
    assert IndicatorTarget.objects.get().value == D(60)


def test_report_values_are_hidden_until_the_report_is_published(role_users):
    report = make_report(make_round(), "751")
    IndicatorValue.objects.create(
        indicator=Indicator.objects.get(key="oil_boilers"),
        municipality=report.municipality,
        year=2024,
        value=10,
        data_release="x",
        report=report,
    )
    visible = lambda role: IndicatorValue.objects.filter(  # noqa: E731
        permissions.visible_values_q(role_users[role])
    ).count()
    assert (visible("observer"), visible("coordinator_a"), visible("coordinator_b")) == (0, 1, 0)
    assert visible("secretariat") == 1
    report.state, report.approved_at = "approved", report.updated_at
    report.save()
    assert visible("observer") == 1


def test_import_dry_run_then_write(role_users):
    round = make_round()
    content = csv(
        HEADER,
        "751;electric_car_share;2024;17,5;Statistikbanken 2025-02;;60",
        "101;electric_car_share;2023;12;Statistikbanken 2024-02;DST;",
    )
    by = role_users["secretariat"]
    result = indicator_imports.indicator_import(
        round=round, by=by, content=content, filename="v.csv", dry_run=True
    )
    assert result.is_valid and result.counts["new"] == 2
    assert not IndicatorValue.objects.exists()
    result = indicator_imports.indicator_import(
        round=round, by=by, content=content, filename="v.csv", dry_run=False
    )
    assert result.written
    aarhus = IndicatorValue.objects.get(municipality__code="751")
    assert (aarhus.value, aarhus.report) == (D("17.50"), None)
    assert IndicatorTarget.objects.get().value == D(60)
    assert IndicatorValue.objects.get(municipality__code="101").data_source == "DST"
    again = indicator_imports.indicator_import(
        round=round, by=by, content=content, filename="v.csv", dry_run=True
    )
    assert again.counts["unchanged"] == 2


def test_import_optional_columns_may_be_left_out(role_users):
    content = csv(
        "municipality_code;indicator;year;value;data_release", "751;oil_boilers;2024;1200;BBR"
    )
    result = indicator_imports.indicator_import(
        round=make_round(), by=role_users["secretariat"], content=content, filename="v.csv",
        dry_run=False,
    )  # fmt: skip
    assert result.written and IndicatorValue.objects.count() == 1


def test_one_bad_row_imports_nothing(role_users):
    content = csv(
        HEADER,
        "751;electric_car_share;2024;17;rel;;",
        "751;electric_car_share;2024;18;rel;;",  # twice
        "999;electric_car_share;2024;1;rel;;",  # no such municipality
        "101;no_such;2024;1;rel;;",
        "101;electric_car_share;2024;101;rel;;",  # above 100 %
        "147;electric_car_share;2025;1;rel;;",  # after the round's year
        "151;electric_car_share;2024;1;;;",  # no release
    )
    result = indicator_imports.indicator_import(
        round=make_round(), by=role_users["secretariat"], content=content, filename="v.csv",
        dry_run=False,
    )  # fmt: skip
    assert not result.written
    assert not IndicatorValue.objects.exists()
    errors = {row.number: [c for c, _r in row.errors] for row in result.rows if row.errors}
    assert errors == {
        3: ["year"],
        4: ["municipality_code"],
        5: ["indicator"],
        6: ["value"],
        7: ["year"],
        8: ["data_release"],
    }


def test_import_is_refused_for_others_and_for_bad_files(role_users):
    round = make_round()
    with pytest.raises(PermissionDenied):
        indicator_imports.indicator_import(
            round=round, by=role_users["coordinator_a"], content=b"x", filename="v.csv",
            dry_run=True,
        )  # fmt: skip
    result = indicator_imports.indicator_import(
        round=round, by=role_users["secretariat"], content=b"a;b\n", filename="v.csv",
        dry_run=True,
    )  # fmt: skip
    assert result.file_errors


def test_import_pages_upload_and_confirm(client_for):
    make_round()
    client = client_for("secretariat")
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("v.csv", csv(HEADER, "751;oil_boilers;2024;1200;BBR 2025;;"))
    response = client.post("/monitoring/2026/indicators/import/", {"file": upload})
    assert response.status_code == 200 and response.context["token"]
    assert not IndicatorValue.objects.exists()
    response = client.post(
        "/monitoring/2026/indicators/import/confirm/", {"token": response.context["token"]}
    )
    assert response.status_code == 302
    assert IndicatorValue.objects.get().value == D(1200)


def test_check_value_range(db):
    share = Indicator.objects.get(key="electric_car_share")
    share.check_value(D(0))
    share.check_value(D(100))
    with pytest.raises(ValidationError):
        share.check_value(D("100.01"))
    with pytest.raises(ValidationError):
        share.check_value(D(-1))


def test_indicator_page_and_api_show_values(client_for):
    IndicatorValue.objects.create(
        indicator=Indicator.objects.get(key="oil_boilers"),
        municipality=Municipality.objects.get(code="751"),
        year=2024,
        value=1234,
        data_release="BBR 2025",
    )
    client = client_for("observer")
    page = client.get("/monitoring/indicators/oil_boilers/").content.decode()
    assert "1.234" in page or "1,234" in page
    assert "BBR 2025" in page
    data = client.get("/api/indicator-values/?indicator=oil_boilers").json()
    rows = data["results"] if isinstance(data, dict) else data
    assert rows[0]["municipality"] == "751" and rows[0]["data_release"] == "BBR 2025"


# --- the confirmed import writes in bulk ---------------------------------------------------


def _audit_since(last_pk: int, model) -> list:
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    return list(
        LogEntry.objects.filter(
            pk__gt=last_pk, content_type=ContentType.objects.get_for_model(model)
        ).order_by("pk")
    )


def _last_audit_pk() -> int:
    from auditlog.models import LogEntry

    return LogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _existing(municipalities, share, *, report=None) -> None:
    """A value of 2024 and a 2030 target for each municipality, as before an import."""
    IndicatorValue.objects.bulk_create(
        IndicatorValue(
            indicator=share,
            municipality=m,
            year=2024,
            value=5,
            data_release="Old",
            data_source=share.source[:300],
            report=report,
        )
        for m in municipalities
    )
    IndicatorTarget.objects.bulk_create(
        IndicatorTarget(indicator=share, municipality=m, year=2030, value=50)
        for m in municipalities
    )


@pytest.mark.parametrize("started", [False, True], ids=["new values", "changed values"])
def test_confirm_issues_the_same_queries_for_3_and_for_30_rows(role_users, started):
    """The confirmed import writes values, targets and their audit entries with a fixed
    number of statements, whatever the number of rows (it used to be ~2 per row)."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from partners.models import User

    round = make_round()
    share = Indicator.objects.get(key="electric_car_share")
    municipalities = list(Municipality.objects.order_by("code")[:30])
    if started:
        _existing(municipalities, share)
    rows = [f"{m.code};electric_car_share;2024;17,5;Statistik 2025;;60" for m in municipalities]
    ContentType.objects.get_for_models(IndicatorValue, IndicatorTarget)
    since = _last_audit_pk()

    def confirm(count: int) -> tuple[list[str], int]:
        by = User.objects.get(pk=role_users["secretariat"].pk)  # roles not yet looked up
        with transaction.atomic():
            with CaptureQueriesContext(connection) as queries:
                result = indicator_imports.indicator_import(
                    round=round, by=by, content=csv(HEADER, *rows[:count]), filename="v.csv",
                    dry_run=False,
                )  # fmt: skip
            assert result.written
            assert result.counts["changed" if started else "new"] == count
            audited = LogEntry.objects.filter(pk__gt=since, actor=by).count()
            transaction.set_rollback(True)  # each count starts from the same data
        return [query["sql"][:70] for query in queries], audited

    (small, small_audited), (large, large_audited) = confirm(3), confirm(30)
    # one entry for each value and each target written
    assert (small_audited, large_audited) == (3 * 2, 30 * 2)
    # permission (roles), savepoint, round, municipalities, indicators, values, targets (the
    # check); values and targets added or updated; the audit entries (one COPY); release
    assert len(small) == len(large) == 11, (small, large)


def test_confirmed_import_keeps_its_rules_and_audits_each_row_as_the_importer(role_users):
    from auditlog.models import LogEntry

    round = make_round()
    by = role_users["secretariat"]
    share = Indicator.objects.get(key="electric_car_share")
    aarhus, copenhagen, odense = (Municipality.objects.get(code=c) for c in ("751", "101", "461"))
    report = make_report(round, "751")
    _existing([aarhus, copenhagen], share, report=report)
    unchanged = IndicatorValue.objects.get(municipality=copenhagen)
    content = csv(
        HEADER,
        "751;electric_car_share;2024;17,5;Statistikbanken 2025-02;;60",  # value and target
        "101;electric_car_share;2024;5;Old;;",  # as it is: not written
        "461;electric_car_share;2023;12;Statistikbanken 2024-02;DST;",  # new, no target
        "461;electric_car_share;2024;14;Statistikbanken 2025-02;;70",  # new, with target
    )
    since = _last_audit_pk()
    result = indicator_imports.indicator_import(
        round=round, by=by, content=content, filename="v.csv", dry_run=False
    )
    assert result.written
    assert result.counts == {"new": 2, "changed": 1, "unchanged": 1, "error": 0}

    value = IndicatorValue.objects.get(municipality=aarhus)
    # from published statistics now: no longer the report's; the catalogue's source
    assert (value.value, value.report, value.entered_by) == (D("17.5"), None, by)
    assert value.data_source == share.source[:300]
    assert IndicatorValue.objects.get(municipality=copenhagen).entered_at == unchanged.entered_at
    assert {(v.year, v.value, v.data_source) for v in odense.indicator_values.all()} == {
        (2023, D(12), "DST"),
        (2024, D(14), share.source[:300]),
    }
    targets = dict(IndicatorTarget.objects.values_list("municipality__code", "value"))
    assert targets == {"751": D(60), "101": D(50), "461": D(70)}

    values = sorted(_audit_since(since, IndicatorValue), key=lambda e: -e.action)
    assert [e.action for e in values] == [
        LogEntry.Action.UPDATE, LogEntry.Action.CREATE, LogEntry.Action.CREATE
    ]  # fmt: skip
    assert {e.actor for e in values} == {by}
    update = values[0]
    assert update.object_id == value.pk
    assert update.changes_dict["value"] == ["5.0000", "17.50"]
    assert update.changes_dict["report"] == [report.pk, None]
    assert update.additional_data == {"report_id": None}
    assert {e.object_id for e in values[1:]} == {v.pk for v in odense.indicator_values.all()}
    target_entries = sorted(_audit_since(since, IndicatorTarget), key=lambda e: -e.action)
    assert [(e.action, e.object_id, e.actor) for e in target_entries] == [
        (LogEntry.Action.UPDATE, IndicatorTarget.objects.get(municipality=aarhus).pk, by),
        (LogEntry.Action.CREATE, IndicatorTarget.objects.get(municipality=odense).pk, by),
    ]
    assert target_entries[0].changes_dict == {"value": ["50.0000", "60.00"]}


def test_a_failure_in_the_bulk_write_leaves_nothing_written(role_users, monkeypatch):
    """The values and targets are written before their audit entries: if that last
    statement fails, they are rolled back with it."""
    from auditlog.models import LogEntry

    from core.bulk_audit import BulkAuditTrail

    def fail(self):
        raise RuntimeError("the database went away")

    round = make_round()
    share = Indicator.objects.get(key="electric_car_share")
    _existing([Municipality.objects.get(code="101")], share)
    monkeypatch.setattr(BulkAuditTrail, "write", fail)
    before = sorted(IndicatorValue.objects.values_list("municipality__code", "year", "value"))
    entries = LogEntry.objects.count()
    content = csv(
        HEADER,
        "751;electric_car_share;2024;17,5;Statistikbanken 2025-02;;60",
        "101;electric_car_share;2024;6;Statistikbanken 2025-02;;55",
    )
    with pytest.raises(RuntimeError):
        indicator_imports.indicator_import(
            round=round, by=role_users["secretariat"], content=content, filename="v.csv",
            dry_run=False,
        )  # fmt: skip
    after = sorted(IndicatorValue.objects.values_list("municipality__code", "year", "value"))
    assert after == before and LogEntry.objects.count() == entries
    assert list(IndicatorTarget.objects.values_list("value", flat=True)) == [D(50)]
