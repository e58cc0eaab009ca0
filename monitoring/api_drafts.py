"""Writes for the municipalities' own systems: a report draft through the API.

`GET/PATCH /api/monitoring-drafts/<year>/<code>/` and `POST …/submit/`, for whoever may fill in
the municipality's report (its DGO's coordinators, the secretariat: permissions.can_enter_for);
to everyone else the municipality's draft does not exist (404).

A write goes through the same pieces as the report form: the body's values are checked by the
form's own classes (ReportForm and the model's clean(), EmissionForm, ActionForm,
ChecklistForm) and saved by `services.report_save`, which locks the row, applies the optimistic
lock and leaves the same audit trail (the report's history page shows API changes like any
other). The version the client read is required: `If-Match: "<version>"` (the ETag of the GET)
or `version` in the body. A stale `If-Match` answers 412, a stale `version` 409, neither 428;
each with the reason and the version now stored.
"""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.urls import re_path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import IdempotencyKeyMixin
from core.locking import STALE_MESSAGE, is_stale
from partners.models import Municipality

from . import permissions, selectors, services
from .api import ChecklistSerializer, EmissionSerializer, ReportSerializer
from .forms import ActionForm, ChecklistForm, EmissionForm, ReportForm
from .models import (
    Action,
    ChecklistAnswer,
    ChecklistRequirement,
    EmissionFigure,
    Round,
    Sector,
    StatusReport,
)

# --- what the client reads ---------------------------------------------------------------


class DraftActionSerializer(serializers.ModelSerializer):
    sector = serializers.CharField(source="sector.key", allow_null=True, default=None)

    class Meta:
        model = Action
        fields = ["id", "name", "sector", "status", "note"]


class DraftSerializer(ReportSerializer):
    """The report as its coordinators see it, with the version a write must be based on."""

    version = serializers.IntegerField(
        help_text="The report's version: send it back as `If-Match` or `version` when writing."
    )
    actions = DraftActionSerializer(many=True)
    checklist = ChecklistSerializer(source="checklist_answers", many=True)

    class Meta(ReportSerializer.Meta):
        fields = ["version", *ReportSerializer.Meta.fields, "data_release", "data_source"]

    def get_emissions(self, report) -> list[dict]:
        figures = [
            f
            for f in report.emission_figures.all()
            if f.year == report.round.emissions_year and f.data_release == report.data_release
        ]
        return EmissionSerializer(figures, many=True).data


# --- what the client writes --------------------------------------------------------------


class EmissionWriteSerializer(serializers.Serializer):
    sector = serializers.SlugField(help_text="The sector's key (see docs/sectors.md).")
    tonnes_co2e = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        allow_null=True,
        help_text="The sector's emissions; null removes the figure this report entered.",
    )


class ActionWriteSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        required=False, allow_null=True, help_text="An existing action's id; absent for a new one."
    )
    name = serializers.CharField(max_length=200, allow_blank=True)
    sector = serializers.SlugField(required=False, allow_null=True, help_text="A sector's key.")
    status = serializers.ChoiceField(choices=Action.Status.choices, default="not_started")
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    delete = serializers.BooleanField(required=False, default=False)


class ChecklistWriteSerializer(serializers.Serializer):
    requirement = serializers.SlugField(help_text="The checklist requirement's key.")
    met = serializers.BooleanField(allow_null=True, help_text="true, false, or null: not assessed.")
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class DraftWriteSerializer(serializers.Serializer):
    """Only what is sent changes. Emissions, checklist answers and actions not mentioned stay
    as they are; an action is matched by `id` (or, new, by its name) and removed with
    `delete: true`."""

    version = serializers.IntegerField(
        required=False,
        min_value=0,
        help_text="The version the change is based on (0 for a report not yet started); or "
        "send it as `If-Match`.",
    )
    plan_status = serializers.ChoiceField(choices=StatusReport.PlanStatus.choices, required=False)
    plan_adopted_on = serializers.DateField(required=False, allow_null=True)
    plan_revised_on = serializers.DateField(required=False, allow_null=True)
    recertified = serializers.BooleanField(required=False)
    recertified_on = serializers.DateField(required=False, allow_null=True)
    baseline_year = serializers.IntegerField(required=False, allow_null=True)
    baseline_emissions = serializers.DecimalField(
        max_digits=16, decimal_places=2, required=False, allow_null=True
    )
    target_2030_reduction_pct = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, allow_null=True
    )
    net_zero_year = serializers.IntegerField(required=False, allow_null=True)
    adaptation_risk_assessed = serializers.BooleanField(required=False)
    adaptation_plan_status = serializers.ChoiceField(
        choices=StatusReport.AdaptationPlanStatus.choices, required=False
    )
    adaptation_note = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    data_release = serializers.CharField(required=False, allow_blank=True, max_length=40)
    data_source = serializers.CharField(required=False, allow_blank=True, max_length=200)
    emissions = EmissionWriteSerializer(many=True, required=False, max_length=50)
    checklist = ChecklistWriteSerializer(many=True, required=False, max_length=50)
    actions = ActionWriteSerializer(many=True, required=False, max_length=200)


ConflictSerializer = inline_serializer(
    "DraftConflict",
    fields={
        "detail": serializers.CharField(help_text="Why the write was refused."),
        "current_version": serializers.IntegerField(
            help_text="The version now stored: read the report again, then write on top of it."
        ),
    },
)

EXAMPLE_WRITE = {
    "version": 3,
    "plan_status": "adopted",
    "target_2030_reduction_pct": "70.00",
    "emissions": [{"sector": "road_transport", "tonnes_co2e": "41250.00"}],
    "actions": [
        {"id": 17, "name": "Elbusser i bybusdriften", "status": "started"},
        {"name": "Fjernvarme til Lystrup", "sector": "district_heating", "status": "not_started"},
    ],
}

EXAMPLE_SAVED = {
    "version": 4,
    "year": 2026,
    "municipality_code": "751",
    "municipality": "Aarhus",
    "dgo": "midtjylland",
    "state": "draft",
    "plan_status": "adopted",
    "target_2030_reduction_pct": "70.00",
    "emissions": [
        {
            "sector": "road_transport",
            "year": 2024,
            "tonnes_co2e": "41250.00",
            "data_release": "2024-1",
            "data_source": "Energistyrelsen",
        }
    ],
    "actions": [
        {
            "id": 17,
            "name": "Elbusser i bybusdriften",
            "sector": None,
            "status": "started",
            "note": "",
        }
    ],
}

# --- the views ---------------------------------------------------------------------------


class ValidationFailed(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors


def _messages(errors) -> list[str]:
    return [str(message) for message in errors]


def _place(municipality_code: str, year: str, user) -> tuple[Round, Municipality]:
    """The round and a municipality the user may fill in reports for; 404 otherwise (a
    municipality of another DGO answers as if its draft did not exist)."""
    round = Round.objects.filter(year=int(year)).first()
    municipality = Municipality.objects.filter(code=municipality_code).first()
    if round is None or municipality is None or not permissions.can_enter_for(user, municipality):
        raise Http404
    return round, municipality


def _report(round: Round, municipality: Municipality) -> StatusReport | None:
    return (
        StatusReport.objects.filter(round=round, municipality=municipality)
        .select_related("round", "municipality", "municipality__dgo")
        .prefetch_related(
            Prefetch("emission_figures", queryset=EmissionFigure.objects.select_related("sector")),
            Prefetch(
                "checklist_answers", queryset=ChecklistAnswer.objects.select_related("requirement")
            ),
            Prefetch("actions", queryset=Action.objects.select_related("sector").order_by("pk")),
        )
        .first()
    )


def _answer(report: StatusReport, status: int = 200) -> Response:
    response = Response(DraftSerializer(report).data, status=status)
    response["ETag"] = f'"{report.version}"'
    return response


def _if_match(request) -> str | None:
    header = request.headers.get("If-Match")
    if header is None:
        return None
    value = header.strip()
    if value.startswith("W/"):
        value = value[2:]
    return value.strip('"')


def _report_fields(data: dict, *, report: StatusReport | None, round, municipality) -> dict:
    """The sent report fields, checked by the report form on top of the stored values (or a
    new report's starting values), so every rule of the form and the model applies."""
    sent = {name: data[name] for name in services.REPORT_FIELDS if name in data}
    if report is not None:
        current = services.report_field_values(report)
    else:  # the model's defaults, and what a new report starts from (as the form shows it)
        blank = StatusReport(round=round, municipality=municipality)
        current = {
            **services.report_field_values(blank),
            **services.report_initial(round=round, municipality=municipality)["fields"],
        }
    merged = {**current, **sent}
    form_data = {
        name: ("" if value is None else value)
        for name, value in merged.items()
        if not (isinstance(value, bool) and value is False)  # an unchecked box is absent
    }
    form_data["version"] = report.version if report else 0
    form = ReportForm(form_data, instance=StatusReport(round=round, municipality=municipality))
    if not form.is_valid():
        raise ValidationFailed({name: _messages(errors) for name, errors in form.errors.items()})
    return {name: form.cleaned_data[name] for name in sent}


def _by_key(model, keys: set[str], field: str) -> dict[str, Any]:
    found = {obj.key: obj for obj in model.objects.filter(key__in=keys, is_active=True)}
    unknown = sorted(keys - set(found))
    if unknown:
        raise ValidationFailed(
            {field: [_("Unknown key: %(keys)s.") % {"keys": ", ".join(unknown)}]}
        )
    return found


def _emissions(entries: list[dict]) -> list[services.EmissionInput]:
    sectors = _by_key(Sector, {e["sector"] for e in entries}, "emissions")
    result, errors = [], {}
    for index, entry in enumerate(entries):
        form = EmissionForm({"tonnes_co2e": entry["tonnes_co2e"] or ""})
        if not form.is_valid():
            errors[f"emissions[{index}]"] = _messages(form.errors.get("tonnes_co2e", []))
            continue
        result.append(
            services.EmissionInput(sectors[entry["sector"]], form.cleaned_data["tonnes_co2e"])
        )
    if errors:
        raise ValidationFailed(errors)
    return result


def _checklist(entries: list[dict]) -> list[services.ChecklistInput]:
    requirements = _by_key(ChecklistRequirement, {e["requirement"] for e in entries}, "checklist")
    result, errors = [], {}
    for index, entry in enumerate(entries):
        met = {True: "yes", False: "no"}.get(entry["met"], "")
        form = ChecklistForm({"met": met, "note": entry.get("note", "")})
        if not form.is_valid():
            errors[f"checklist[{index}]"] = [
                m for ms in form.errors.values() for m in _messages(ms)
            ]
            continue
        result.append(
            services.ChecklistInput(
                requirements[entry["requirement"]],
                form.cleaned_data["met"],
                form.cleaned_data["note"],
            )
        )
    if errors:
        raise ValidationFailed(errors)
    return result


def _actions(entries: list[dict]) -> list[services.ActionInput]:
    keys = {e["sector"] for e in entries if e.get("sector")}
    sectors = _by_key(Sector, keys, "actions")
    result, errors = [], {}
    for index, entry in enumerate(entries):
        sector = sectors.get(entry.get("sector") or "")
        form = ActionForm(
            {
                "id": entry.get("id") or "",
                "name": entry.get("name", ""),
                "sector": sector.pk if sector else "",
                "status": entry.get("status") or Action.Status.NOT_STARTED,
                "note": entry.get("note", ""),
            }
        )
        if not form.is_valid():
            errors[f"actions[{index}]"] = [m for ms in form.errors.values() for m in _messages(ms)]
            continue
        if not form.cleaned_data["name"] and not form.cleaned_data["id"]:
            errors[f"actions[{index}]"] = [_("Give the action a name.")]
            continue
        result.append(
            services.ActionInput(
                id=form.cleaned_data["id"],
                name=form.cleaned_data["name"],
                sector=form.cleaned_data["sector"],
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                delete=entry.get("delete", False),
            )
        )
    if errors:
        raise ValidationFailed(errors)
    return result


def _service_errors(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            (name if name != "__all__" else "non_field_errors"): _messages(
                ValidationError(errors).messages
            )
            for name, errors in error.error_dict.items()
        }
    return {"non_field_errors": error.messages}


KEY_PARAMETERS = [
    OpenApiParameter("year", int, OpenApiParameter.PATH, description="The round's year."),
    OpenApiParameter(
        "code", str, OpenApiParameter.PATH, description="The municipality's code, e.g. 751."
    ),
]


class DraftView(IdempotencyKeyMixin, APIView):
    """One municipality's report for a round, for those who fill it in."""

    serializer_class = DraftSerializer

    @extend_schema(
        summary="A municipality's report draft",
        description=(
            "The report of the round as its coordinators see it (drafts included), with its "
            "`version`, also sent as the `ETag` header. 404 when the report is not started, or "
            "the municipality is not one the user may report for."
        ),
        parameters=KEY_PARAMETERS,
        responses={200: DraftSerializer},
    )
    def get(self, request, year: str, code: str):
        round, municipality = _place(code, year, request.user)
        report = _report(round, municipality)
        if report is None:
            raise Http404(_("The report is not started yet: send a change with version 0."))
        return _answer(report)

    @extend_schema(
        summary="Change (or start) a municipality's report draft",
        description=(
            "Changes the fields sent, through the same checks, services, locking and audit "
            "trail as the report form. The version read is required: `If-Match` with the "
            "ETag, or `version` in the body (0 starts a report not yet started). A stale "
            "`If-Match` answers 412, a stale `version` 409, neither 428; a report submitted or "
            "approved, or a closed round, answers 403 with the reason; wrong values 400 with "
            "each field's messages."
        ),
        parameters=[
            *KEY_PARAMETERS,
            OpenApiParameter(
                "If-Match",
                str,
                OpenApiParameter.HEADER,
                required=False,
                description='The ETag of the version read, e.g. "3".',
            ),
        ],
        request=DraftWriteSerializer,
        responses={
            200: DraftSerializer,
            201: OpenApiResponse(DraftSerializer, description="Created: the report is started."),
            409: OpenApiResponse(
                ConflictSerializer, description="Someone saved a newer version (body `version`)."
            ),
            412: OpenApiResponse(
                ConflictSerializer, description="Someone saved a newer version (`If-Match`)."
            ),
            428: OpenApiResponse(
                OpenApiTypes.OBJECT, description="No version given: send `If-Match` or `version`."
            ),
        },
        examples=[
            OpenApiExample(
                "Targets, a figure and two actions", value=EXAMPLE_WRITE, request_only=True
            ),
            OpenApiExample(
                "Saved",
                value=EXAMPLE_SAVED,
                response_only=True,
                status_codes=["200"],
            ),
            OpenApiExample(
                "Someone saved in between",
                value={
                    "detail": "Someone else saved this while you were editing it. …",
                    "current_version": 4,
                },
                response_only=True,
                status_codes=["409", "412"],
            ),
            OpenApiExample(
                "A wrong value",
                value={
                    "target_2030_reduction_pct": ["Ensure this value is less than or equal to 100."]
                },
                response_only=True,
                status_codes=["400"],
            ),
        ],
    )
    def patch(self, request, year: str, code: str):
        round, municipality = _place(code, year, request.user)
        body = DraftWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        header = _if_match(request)
        expected = header if header is not None else data.get("version")
        if expected is None:
            return Response(
                {"detail": _("Give the version you read: the If-Match header or version.")},
                status=428,
            )
        stale_status = 412 if header is not None else 409
        if header == "*":
            expected = None  # explicitly: whatever is stored
        report = selectors.report_find(round=round, municipality=municipality)
        if refusal := permissions.report_edit_refusal(
            request.user, round=round, municipality=municipality, report=report
        ):
            raise PermissionDenied(refusal)
        if report is not None and is_stale(report, expected):
            return self._stale(report, stale_status)
        try:
            fields = _report_fields(data, report=report, round=round, municipality=municipality)
            emissions = _emissions(data["emissions"]) if "emissions" in data else None
            checklist = _checklist(data["checklist"]) if "checklist" in data else None
            actions = _actions(data["actions"]) if "actions" in data else None
        except ValidationFailed as failed:
            return Response(failed.errors, status=400)
        try:
            services.report_save(
                round=round,
                municipality=municipality,
                by=request.user,
                expected_version=expected,
                fields=fields,
                emissions=emissions,
                checklist=checklist,
                actions=actions,
            )
        except services.ConflictError as conflict:
            return self._stale(conflict.report, stale_status)
        except DjangoPermissionDenied as refused:
            raise PermissionDenied(str(refused)) from refused
        except ValidationError as error:
            return Response(_service_errors(error), status=400)
        return _answer(_report(round, municipality), status=201 if report is None else 200)

    def _stale(self, report: StatusReport, status: int) -> Response:
        return Response(
            {"detail": str(STALE_MESSAGE), "current_version": report.version}, status=status
        )


class DraftSubmitView(IdempotencyKeyMixin, APIView):
    """Hand the report to the secretariat, as the form's submit button does."""

    serializer_class = DraftSerializer

    @extend_schema(
        summary="Submit a municipality's report",
        description=(
            "Hands the report to the secretariat for review, after the same completeness "
            "check as the form (400 lists what is missing). Optional `If-Match`: a stale "
            "version answers 412."
        ),
        parameters=[
            *KEY_PARAMETERS,
            OpenApiParameter(
                "If-Match",
                str,
                OpenApiParameter.HEADER,
                required=False,
                description='The ETag of the version read, e.g. "3".',
            ),
        ],
        request=None,
        responses={
            200: DraftSerializer,
            412: OpenApiResponse(ConflictSerializer, description="Someone saved a newer version."),
        },
    )
    def post(self, request, year: str, code: str):
        round, municipality = _place(code, year, request.user)
        report = selectors.report_find(round=round, municipality=municipality)
        if report is None:
            raise Http404(_("The report is not started yet: send a change with version 0."))
        header = _if_match(request)
        if header not in (None, "*") and is_stale(report, header):
            return Response(
                {"detail": str(STALE_MESSAGE), "current_version": report.version}, status=412
            )
        try:
            services.report_submit(report=report, by=request.user)
        except DjangoPermissionDenied as refused:
            raise PermissionDenied(str(refused)) from refused
        except ValidationError as error:
            return Response(_service_errors(error), status=400)
        return _answer(_report(round, municipality))


# A year of four digits, a municipality code of three to six (as the reports' lookup).
KEY = r"^monitoring-drafts/(?P<year>[0-9]{4})/(?P<code>[0-9]{3,6})/"

urlpatterns = [
    re_path(KEY + "$", DraftView.as_view(), name="api-monitoring-draft"),
    re_path(
        KEY + "submit/$",
        DraftSubmitView.as_view(),
        name="api-monitoring-draft-submit",
    ),
]
