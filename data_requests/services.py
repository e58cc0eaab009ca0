"""Writes for external data requests; every change goes through these functions.

The export is built here from the request's approved fields and scope only (`export_table`):
what APS did not approve cannot reach the file, whatever the request asked for.
"""

import datetime
import hashlib
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.exports import cell, csv_bytes, xlsx_bytes
from core.notifications import notify
from governance import services as governance_services
from governance.models import Body, Decision, Meeting, Membership
from monitoring.models import YEAR_VALIDATORS
from partners.models import DGO, Municipality, User

from . import notices
from . import permissions as perms
from .datasets import DATASETS
from .models import DataDelivery, DataRequest

logger = logging.getLogger(__name__)
S = DataRequest.Status


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _lock(request: DataRequest) -> DataRequest:
    return DataRequest.objects.select_for_update().get(pk=request.pk)


def _check_fields(dataset: str, fields: list[str], *, within: list[str], name: str) -> list[str]:
    spec = DATASETS.get(dataset)
    if spec is None:
        raise ValidationError({"dataset": _("Choose one of the shareable datasets.")})
    if not fields:
        raise ValidationError({name: _("Choose at least one field.")})
    allowed = set(spec.field_keys) & set(within)
    unknown = [f for f in fields if f not in allowed]
    if unknown:
        raise ValidationError(
            {name: _("Not a field of this request's dataset: %(fields)s.")
             % {"fields": ", ".join(unknown)}}
        )  # fmt: skip
    # In the dataset's own order, each once: the export's columns.
    return [key for key in spec.field_keys if key in set(fields)]


def _check_years(years: list[int]) -> list[int]:
    if not years:
        raise ValidationError({"years": _("Give at least one year.")})
    low, high = (v.limit_value for v in YEAR_VALIDATORS)
    wrong = [y for y in years if not low <= y <= high]
    if wrong:
        raise ValidationError(
            {"years": _("Years lie between %(low)s and %(high)s.") % {"low": low, "high": high}}
        )
    return sorted(set(years))


@transaction.atomic
def request_record(
    *,
    by: User,
    organisation: str,
    contact_name: str,
    contact_email: str,
    purpose: str,
    dataset: str,
    requested_fields: list[str],
    years: list[int],
    municipalities: list[Municipality] = (),
    dgos: list[DGO] = (),
    received_on: datetime.date | None = None,
) -> DataRequest:
    """The secretariat records an external party's request: who, why, which fields, what scope."""
    _require(perms.can_manage_requests(by), _(perms.SECRETARIAT_ONLY))
    spec = DATASETS.get(dataset)
    request = DataRequest(
        organisation=organisation.strip(),
        contact_name=contact_name.strip(),
        contact_email=contact_email.strip(),
        purpose=purpose.strip(),
        dataset=dataset,
        requested_fields=_check_fields(
            dataset, list(requested_fields), within=spec.field_keys if spec else [],
            name="requested_fields",
        ),
        years=_check_years(list(years)),
        received_on=received_on or timezone.localdate(),
        recorded_by=by,
    )  # fmt: skip
    if not municipalities and not dgos:
        raise ValidationError(
            {"municipalities": _("Name the municipalities or the DGOs the request concerns.")}
        )
    request.full_clean(exclude=["municipalities", "dgos"])
    request.save()
    request.municipalities.set(municipalities)
    request.dgos.set(dgos)
    return request


@transaction.atomic
def request_put_to_aps(
    *,
    request: DataRequest,
    by: User,
    fields: list[str],
    deadline: datetime.datetime,
    meeting: Meeting | None = None,
) -> Decision:
    """Put the request to APS with the fields proposed for sharing: all or fewer of those asked
    for. APS's adoption approves exactly these; a rejection refuses the request."""
    request = _lock(request)
    _require(perms.can_manage_requests(by), _(perms.SECRETARIAT_ONLY))
    if request.status != S.RECEIVED:
        raise ValidationError(_("Only a request not yet decided is put to APS."))
    proposed = _check_fields(
        request.dataset, list(fields), within=request.requested_fields, name="fields"
    )
    scope = ", ".join(str(m) for m in scope_names(request))
    text = _(
        "Share with %(organisation)s (%(contact)s) for this purpose: %(purpose)s\n\n"
        "Dataset: %(dataset)s\nFields: %(fields)s\nYears: %(years)s\nScope: %(scope)s"
    ) % {
        "organisation": request.organisation,
        "contact": request.contact_name,
        "purpose": request.purpose,
        "dataset": request.get_dataset_display(),
        "fields": ", ".join(request.labels(proposed)),
        "years": ", ".join(str(y) for y in request.years),
        "scope": scope,
    }
    decision = governance_services.decision_open(
        body=Body.objects.get(code="aps"),
        title=(_("Share data with %(organisation)s") % {"organisation": request.organisation})[
            :300
        ],
        text=text,
        deadline=deadline,
        by=by,
        subject=request,
        meeting=meeting,
    )
    request.status = S.AT_APS
    request.proposed_fields = proposed
    request.decision = decision
    request.save(update_fields=["status", "proposed_fields", "decision"])
    return decision


def on_decision_closed(*, decision: Decision, subject) -> None:
    """Governance's outcome handler for APS's decisions on a data request (apps.py).

    Runs inside decision_close's transaction. Adopted: the proposed fields are approved.
    Rejected: refused. Closed without outcome: back to received, to be put again.
    """
    if subject is None or decision.body.code != "aps":
        return
    request = _lock(subject)
    if request.decision_id != decision.pk or request.status != S.AT_APS:
        logger.warning("APS decision %s closed on data request %s", decision.pk, request.pk)
        return
    if decision.status == Decision.Status.ADOPTED:
        request.status = S.APPROVED
        request.approved_fields = list(request.proposed_fields)
    elif decision.status == Decision.Status.REJECTED:
        request.status = S.REFUSED
    else:
        request.status = S.RECEIVED
    request.save(update_fields=["status", "approved_fields"])
    notify(
        kind=notices.DECIDED,
        users=[request.recorded_by],
        subject=gettext_lazy("Data request decided: %(organisation)s"),
        subject_values={"organisation": request.organisation},
        context={"data_request": request},
        url=request.get_absolute_url(),
    )


def scope_municipality_ids(request: DataRequest) -> list[int]:
    """The municipalities in scope: those named, and every municipality of the DGOs named."""
    named = set(request.municipalities.values_list("pk", flat=True))
    by_dgo = set(
        Municipality.objects.filter(dgo__in=request.dgos.all()).values_list("pk", flat=True)
    )
    return sorted(named | by_dgo)


def scope_names(request: DataRequest) -> list[str]:
    return [*(str(d) for d in request.dgos.all()), *(str(m) for m in request.municipalities.all())]


def export_table(request: DataRequest) -> list[list]:
    """The rows to deliver: a header of the approved field keys, then one row per record of the
    approved years and municipalities with those fields only."""
    if request.status not in DataRequest.DELIVERABLE_STATES or not request.approved_fields:
        raise ValidationError(_("Only data APS has approved are delivered."))
    spec = request.dataset_spec
    approved = [spec.field(key) for key in request.approved_fields if key in spec.field_keys]
    table = [[f.key for f in approved]]
    # No row cap: the scope is bounded (98 municipalities, the years asked for), and a delivery
    # cut short without saying so would be worse than a large one.
    for row in spec.query(request.years, scope_municipality_ids(request)):
        table.append([cell(f.value(row)) for f in approved])
    return table


@transaction.atomic
def delivery_record(
    *,
    request: DataRequest,
    by: User,
    format: str,
    licence: str,
    permitted_use: str,
    delete_by: datetime.date,
) -> DataDelivery:
    """Deliver what APS approved, on the terms given: the file is made here, from the approved
    fields and scope only, kept with its checksum, and the delivery audited. APS is told."""
    request = _lock(request)
    _require(perms.can_manage_requests(by), _(perms.SECRETARIAT_ONLY))
    errors = {}
    if not licence.strip():
        errors["licence"] = _("Name the licence the data are delivered under.")
    if not permitted_use.strip():
        errors["permitted_use"] = _("Say what the data may be used for.")
    if delete_by is None or delete_by <= timezone.localdate():
        errors["delete_by"] = _("The deletion date must lie in the future.")
    if format not in DataDelivery.Format.values:
        errors["format"] = _("Choose CSV or Excel.")
    if errors:
        raise ValidationError(errors)
    table = export_table(request)
    stamp = timezone.localdate().isoformat()
    name = f"data-{request.pk}-{stamp}.{format}"
    if format == DataDelivery.Format.CSV:
        content = csv_bytes(table)
    else:
        content = xlsx_bytes(table, sheet_title=request.dataset)
    delivery = DataDelivery(
        request=request,
        format=format,
        licence=licence.strip(),
        permitted_use=permitted_use.strip(),
        delete_by=delete_by,
        fields=list(table[0]),
        file_name=name,
        sha256=hashlib.sha256(content).hexdigest(),
        row_count=len(table) - 1,
        delivered_by=by,
    )
    delivery.full_clean(exclude=["file"])
    delivery.file.save(name, ContentFile(content), save=False)
    delivery.save()
    request.status = S.DELIVERED
    request.save(update_fields=["status"])
    seats = Membership.objects.active().filter(body__code="aps").values("person_id")
    notify(
        kind=notices.DELIVERED,
        users=User.objects.filter(pk__in=seats).exclude(pk=by.pk),
        subject=gettext_lazy("Data delivered: %(organisation)s"),
        subject_values={"organisation": request.organisation},
        context={"delivery": delivery},
        url=request.get_absolute_url(),
    )
    return delivery
