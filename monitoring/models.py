"""Annual monitoring: rounds, each municipality's status report, emissions, checklist, actions.

Sectors and checklist requirements are data (see monitoring/reference.py), so the knowledge
partners can change them without a release. Emission figures carry the data release (vintage)
of the municipal energy and CO2 accounts they came from: a recalculated year is stored beside
the earlier figure, pages show the latest release, and the history shows what changed.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from partners.models import Municipality

MIN_YEAR = 1990
MAX_YEAR = 2100
REVISION_INTERVAL_YEARS = 5
# "2024-1": the accounts' release year and its number within that year (1–9), so that the
# text order of releases is their time order.
DATA_RELEASE_PATTERN = r"^(19|20)[0-9]{2}-[1-9]$"


YEAR_VALIDATORS = [MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]
release_validator = RegexValidator(
    DATA_RELEASE_PATTERN, _("Write the data release as year-number, e.g. 2024-1.")
)


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day `years` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def next_revision_due(
    adopted_on: datetime.date | None, revised_on: datetime.date | None
) -> datetime.date | None:
    """The plan must be revised at least every five years after adoption or its last revision.

    The one place this rule lives; `revision_due_by_q` is its database form.
    """
    last = max((day for day in (adopted_on, revised_on) if day is not None), default=None)
    return add_years(last, REVISION_INTERVAL_YEARS) if last else None


def revision_due_by_q(day: datetime.date, prefix: str = "") -> Q:
    """Reports whose plan's next revision falls due on or before `day` (see next_revision_due).

    `plan_revised_on >= plan_adopted_on` is a constraint, so the later of the two dates is the
    revision date when present, else the adoption date.
    """
    cutoff = add_years(day, -REVISION_INTERVAL_YEARS)
    return Q(**{f"{prefix}plan_revised_on__lte": cutoff}) | Q(
        **{f"{prefix}plan_revised_on__isnull": True, f"{prefix}plan_adopted_on__lte": cutoff}
    )


def revision_due_between_q(after: datetime.date, until: datetime.date, prefix: str = "") -> Q:
    """Reports whose next revision falls due after `after` and on or before `until`."""
    low = add_years(after, -REVISION_INTERVAL_YEARS)
    high = add_years(until, -REVISION_INTERVAL_YEARS)
    return Q(**{f"{prefix}plan_revised_on__gt": low, f"{prefix}plan_revised_on__lte": high}) | Q(
        **{
            f"{prefix}plan_revised_on__isnull": True,
            f"{prefix}plan_adopted_on__gt": low,
            f"{prefix}plan_adopted_on__lte": high,
        }
    )


class TranslatedNameMixin:
    """Data rows shown in the UI keep a Danish and an English name; `name` is the active one."""

    @property
    def name(self) -> str:
        language = (get_language() or "da")[:2]
        return self.name_en if language == "en" and self.name_en else self.name_da


class Sector(TranslatedNameMixin, models.Model):
    """An emission sector of the municipal energy and CO2 accounts: a sector group as the
    accounts publish it (Energi, Transport, Landbrug, Affald, Industri; no parent) or one of
    a group's finer parts (see docs/sectors.md for the mapping to the accounts and GPC).

    A figure may be recorded for a group when its finer split is unknown; where a municipality
    and year have a figure for a group, that figure is the group's total and the figures of its
    parts are detail within it: totals count one or the other, never both (`counted_cells`,
    EmissionFigureQuerySet.for_totals).
    """

    class Group(models.TextChoices):
        STATIONARY_ENERGY = "stationary_energy", _("Stationary energy")
        TRANSPORT = "transport", _("Transport")
        AFOLU = "afolu", _("Agriculture, forestry and land use")
        WASTE = "waste", _("Waste")
        IPPU = "ippu", _("Industrial processes and product use")

    key = models.SlugField(_("key"), max_length=40, unique=True)
    name_da = models.CharField(_("Danish name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    group = models.CharField(_("GPC group"), max_length=32, choices=Group.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("sector group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="parts",
        help_text=_("Empty for a sector group of the accounts; the group of a finer sector."),
    )
    # Land use (LULUCF) can be a net removal, and the accounts' Landbrug nets it in.
    may_be_negative = models.BooleanField(
        _("may be negative"),
        default=False,
        help_text=_("Net removals (land use) are recorded as negative figures."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("emission sector")
        verbose_name_plural = _("emission sectors")
        ordering = ["position", "key"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")), name="sector_not_its_own_group"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_group(self) -> bool:
        return self.parent_id is None

    def clean(self) -> None:
        if self.parent_id is not None and self.parent.parent_id is not None:
            raise ValidationError({"parent": _("A sector group cannot itself be part of a group.")})


def counted_cells(cells: dict[tuple[int, int], Decimal], sectors) -> dict:
    """The cells {(sector id, year): t CO2e} of ONE municipality that a total adds up: a part's
    figure is left out where its group has a figure of its own for that year (the group's
    figure is the whole; see Sector)."""
    parent = {s.pk: s.parent_id for s in sectors}
    return {
        (sector_id, year): value
        for (sector_id, year), value in cells.items()
        if parent.get(sector_id) is None or (parent[sector_id], year) not in cells
    }


class ChecklistRequirement(TranslatedNameMixin, models.Model):
    """A requirement of the DK2020/CAPF checklist a climate action plan is assessed against."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    name_da = models.CharField(_("Danish name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("checklist requirement")
        verbose_name_plural = _("checklist requirements")
        ordering = ["position", "key"]

    def __str__(self) -> str:
        return self.name


class Round(models.Model):
    """The monitoring round of one year. A closed round is read-only."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    emissions_year = models.PositiveSmallIntegerField(
        _("emissions year"),
        help_text=_(
            "The calendar year the emission figures of this round describe; the accounts lag "
            "about two years behind."
        ),
    )
    opens_on = models.DateField(_("opens"))
    deadline = models.DateField(_("deadline"))
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.OPEN)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reminders_sent_at = models.DateTimeField(_("reminders last sent"), null=True, blank=True)
    # The last time the secretariat reopened the closed round for a correction, and why
    # (services.round_reopen; every reopening is in the audit trail).
    reopened_at = models.DateTimeField(_("reopened"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reopened by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("monitoring round")
        verbose_name_plural = _("monitoring rounds")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR), name="round_year_range"
            ),
            models.CheckConstraint(
                condition=Q(emissions_year__gte=MIN_YEAR, emissions_year__lte=models.F("year")),
                name="round_emissions_year_not_after_round",
            ),
            models.CheckConstraint(
                condition=Q(deadline__gte=models.F("opens_on")), name="round_deadline_after_open"
            ),
            models.CheckConstraint(
                condition=(Q(status="open") & Q(closed_at__isnull=True))
                | (Q(status="closed") & Q(closed_at__isnull=False)),
                name="round_closed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return _("Monitoring round %(year)s") % {"year": self.year}

    def get_absolute_url(self) -> str:
        return reverse("monitoring-round-detail", kwargs={"year": self.year})

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


def published_q(prefix: str = "") -> Q:
    """The one rule for "a report is published", as a query: approved, or locked with its round
    after having been approved. `prefix` reaches the report over a relation ("report__",
    "reports__", "status_reports__"). The same rule for one report: StatusReport.is_published.
    Who may read which report (published or not) is monitoring.permissions.visible_reports_q."""
    return Q(**{f"{prefix}state": "approved"}) | Q(
        **{f"{prefix}state": "locked", f"{prefix}approved_at__isnull": False}
    )


class StatusReportQuerySet(models.QuerySet):
    def published(self) -> "StatusReportQuerySet":
        return self.filter(published_q())


class StatusReport(models.Model):
    """One municipality's report in one round: plan, targets, adaptation and workflow state."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        APPROVED = "approved", _("Approved")
        LOCKED = "locked", _("Locked")

    class PlanStatus(models.TextChoices):
        NONE = "none", _("No plan")
        IN_PREPARATION = "in_preparation", _("In preparation")
        ADOPTED = "adopted", _("Adopted")
        UNDER_REVISION = "under_revision", _("Under revision")
        REVISED = "revised", _("Revised")

    class AdaptationPlanStatus(models.TextChoices):
        NONE = "none", _("No plan")
        IN_PREPARATION = "in_preparation", _("In preparation")
        ADOPTED = "adopted", _("Adopted")

    EDITABLE_STATES = (State.DRAFT, State.CHANGES_REQUESTED)
    PLAN_EXISTS_STATES = (PlanStatus.ADOPTED, PlanStatus.UNDER_REVISION, PlanStatus.REVISED)

    round = models.ForeignKey(
        Round, verbose_name=_("round"), on_delete=models.PROTECT, related_name="reports"
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="status_reports",
    )
    # Climate action plan
    plan_status = models.CharField(
        _("climate action plan"), max_length=32, choices=PlanStatus, default=PlanStatus.NONE
    )
    plan_adopted_on = models.DateField(_("plan adopted"), null=True, blank=True)
    plan_revised_on = models.DateField(_("plan last revised"), null=True, blank=True)
    recertified = models.BooleanField(_("recertified"), default=False)
    recertified_on = models.DateField(_("recertified on"), null=True, blank=True)
    # Targets
    baseline_year = models.PositiveSmallIntegerField(
        _("baseline year"), null=True, blank=True, validators=YEAR_VALIDATORS
    )
    baseline_emissions = models.DecimalField(
        _("baseline emissions (t CO2e)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    target_2030_reduction_pct = models.DecimalField(
        _("2030 reduction target (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    net_zero_year = models.PositiveSmallIntegerField(
        _("net-zero year"),
        null=True,
        blank=True,
        validators=YEAR_VALIDATORS,
        help_text=_("The year the municipality aims to reach net zero (climate neutrality)."),
    )
    # Climate adaptation
    adaptation_risk_assessed = models.BooleanField(_("climate risk assessment done"), default=False)
    adaptation_plan_status = models.CharField(
        _("climate adaptation plan"),
        max_length=32,
        choices=AdaptationPlanStatus,
        default=AdaptationPlanStatus.NONE,
    )
    adaptation_note = models.TextField(_("note on climate adaptation"), blank=True)
    # Data release and source of this round's emission figures
    data_release = models.CharField(
        _("data release"),
        max_length=10,
        blank=True,
        validators=[release_validator],
        help_text=_("The release of the energy and CO2 accounts, e.g. 2024-1."),
    )
    data_source = models.CharField(_("data source"), max_length=200, blank=True)
    # Workflow
    state = models.CharField(_("state"), max_length=32, choices=State, default=State.DRAFT)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    review_comment = models.TextField(_("review comment"), blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    # The state the report had when its round was closed and locked it, so that reopening the
    # round for a correction gives each report its state back (services.round_reopen).
    locked_from = models.CharField(
        _("state before locking"),
        max_length=32,
        choices=[
            (State.DRAFT.value, State.DRAFT.label),
            (State.SUBMITTED.value, State.SUBMITTED.label),
            (State.CHANGES_REQUESTED.value, State.CHANGES_REQUESTED.label),
            (State.APPROVED.value, State.APPROVED.label),
        ],
        blank=True,
    )

    objects = StatusReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("status report")
        verbose_name_plural = _("status reports")
        ordering = ["round", "municipality__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "municipality"], name="report_one_per_round_municipality"
            ),
            models.CheckConstraint(
                condition=Q(plan_revised_on__isnull=True)
                | Q(plan_adopted_on__isnull=True)
                | Q(plan_revised_on__gte=models.F("plan_adopted_on")),
                name="report_revised_not_before_adopted",
            ),
            models.CheckConstraint(
                condition=Q(baseline_emissions__isnull=True) | Q(baseline_emissions__gte=0),
                name="report_baseline_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(target_2030_reduction_pct__isnull=True)
                | Q(target_2030_reduction_pct__gte=0, target_2030_reduction_pct__lte=100),
                name="report_target_percent_range",
            ),
            models.CheckConstraint(
                condition=Q(baseline_year__isnull=True)
                | Q(baseline_year__gte=MIN_YEAR, baseline_year__lte=MAX_YEAR),
                name="report_baseline_year_range",
            ),
            models.CheckConstraint(
                condition=Q(net_zero_year__isnull=True)
                | Q(net_zero_year__gte=MIN_YEAR, net_zero_year__lte=MAX_YEAR),
                name="report_net_zero_year_range",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="report_version_positive"),
            models.CheckConstraint(
                condition=~Q(state="approved") | Q(approved_at__isnull=False),
                name="report_approved_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["round", "state"]),
            # A municipality's reports, newest round first (municipality page, analysis).
            models.Index(fields=["municipality", "round"], name="report_municipality_round"),
        ]

    def __str__(self) -> str:
        return _("%(municipality)s, %(year)s") % {
            "municipality": self.municipality.name,
            "year": self.round.year,
        }

    def get_absolute_url(self) -> str:
        return reverse(
            "monitoring-report-detail",
            kwargs={"year": self.round.year, "code": self.municipality.code},
        )

    def clean(self) -> None:
        errors = {}
        if (
            self.plan_adopted_on
            and self.plan_revised_on
            and self.plan_revised_on < self.plan_adopted_on
        ):
            errors["plan_revised_on"] = _("The revision cannot be before the adoption.")
        if self.plan_revised_on and not self.plan_adopted_on:
            errors["plan_adopted_on"] = _("Give the adoption date of the plan that was revised.")
        if self.recertified_on and not self.recertified:
            errors["recertified"] = _("Tick recertified when you give a recertification date.")
        if self.baseline_year and self.net_zero_year and self.net_zero_year <= self.baseline_year:
            errors["net_zero_year"] = _("The net-zero year must come after the baseline year.")
        if self.baseline_emissions is not None and not self.baseline_year:
            errors["baseline_year"] = _("Give the year of the baseline emissions.")
        if errors:
            raise ValidationError(errors)

    @property
    def next_revision_due(self) -> datetime.date | None:
        return next_revision_due(self.plan_adopted_on, self.plan_revised_on)

    @property
    def has_plan(self) -> bool:
        return self.plan_status in self.PLAN_EXISTS_STATES

    @property
    def has_changes_requested(self) -> bool:
        return self.state == self.State.CHANGES_REQUESTED

    @property
    def is_published(self) -> bool:
        """The one predicate for "published" (the query is published_q)."""
        return self.state_is_published(self.state, self.approved_at)

    @classmethod
    def state_badge(cls, state: str | None, approved_at) -> tuple[str, str]:
        """How a state is shown: (badge key, label). No state is a report not started; a
        locked report says whether it had been approved."""
        if not state:
            return "not_started", _("Not started")
        if state != cls.State.LOCKED:
            return state, cls.State(state).label
        if approved_at:
            return "locked", _("Approved and locked")
        return "locked", _("Locked without approval")

    @classmethod
    def state_is_published(cls, state: str | None, approved_at: datetime.datetime | None) -> bool:
        """is_published for a row that carries only the report's state and approval time."""
        return state == cls.State.APPROVED or (
            state == cls.State.LOCKED and approved_at is not None
        )

    def target_2030_emissions(self):
        if self.baseline_emissions is None or self.target_2030_reduction_pct is None:
            return None
        return self.baseline_emissions * (100 - self.target_2030_reduction_pct) / 100


class DataRelease(models.Model):
    """One release (vintage) of the national energy and CO2 accounts, as imported by the
    secretariat. Its figures are EmissionFigures with this name as their `data_release` and no
    report: official, published without a coordinator's approval, marked with their source.
    A later release that recalculates a year sits beside the earlier one; pages show the
    latest (release names sort in time order, see DATA_RELEASE_PATTERN)."""

    name = models.CharField(_("name"), max_length=10, unique=True, validators=[release_validator])
    source = models.CharField(_("source"), max_length=200)
    imported_at = models.DateTimeField(_("imported"), default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("data release")
        verbose_name_plural = _("data releases")
        ordering = ["-name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(name__regex=DATA_RELEASE_PATTERN), name="data_release_name_format"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.source})"


class EmissionFigureQuerySet(models.QuerySet):
    def latest_releases(self, condition: Q | None = None) -> "EmissionFigureQuerySet":
        """Figures matching `condition`, only the latest release of each (municipality, year,
        sector) among those that match.

        Portable (no DISTINCT ON, so it runs on SQLite too): a figure is the latest when no
        newer release of the same cell matches the same condition.
        """
        condition = condition if condition is not None else Q()
        newer = self.model.objects.filter(
            condition,
            municipality=OuterRef("municipality"),
            year=OuterRef("year"),
            sector=OuterRef("sector"),
            data_release__gt=OuterRef("data_release"),
        )
        return self.filter(condition).filter(~Exists(newer))

    def for_totals(self, condition: Q | None = None) -> "EmissionFigureQuerySet":
        """`latest_releases(condition)` as a total adds it up: without the figures of a group's
        parts where the group has a figure of its own for the same municipality and year (see
        Sector). Every sum of emissions goes through here."""
        condition = condition if condition is not None else Q()
        group_figure = self.model.objects.filter(
            condition,
            municipality=OuterRef("municipality"),
            year=OuterRef("year"),
            sector=OuterRef("sector__parent"),
        )
        return self.latest_releases(condition).filter(~Exists(group_figure))


class EmissionFigure(models.Model):
    """Territorial emissions of one sector in one municipality and year, from one data release."""

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="emission_figures",
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    sector = models.ForeignKey(
        Sector, verbose_name=_("sector"), on_delete=models.PROTECT, related_name="figures"
    )
    # Negative only in a sector that may be negative (clean()); a CHECK cannot see the sector.
    tonnes_co2e = models.DecimalField(_("t CO2e"), max_digits=14, decimal_places=2)
    data_release = models.CharField(
        _("data release"), max_length=10, validators=[release_validator]
    )
    data_source = models.CharField(_("data source"), max_length=200, blank=True)
    report = models.ForeignKey(
        StatusReport,
        verbose_name=_("status report"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="emission_figures",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("entered"), default=timezone.now)

    objects = EmissionFigureQuerySet.as_manager()

    class Meta:
        verbose_name = _("emission figure")
        verbose_name_plural = _("emission figures")
        ordering = ["municipality", "year", "sector", "data_release"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "year", "sector", "data_release"],
                name="emission_one_per_cell_and_release",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR), name="emission_year_range"
            ),
            models.CheckConstraint(
                condition=Q(data_release__regex=DATA_RELEASE_PATTERN),
                name="emission_release_format",
            ),
        ]
        indexes = [models.Index(fields=["municipality", "year", "sector"])]

    def __str__(self) -> str:
        return f"{self.sector} {self.year} ({self.data_release})"

    def get_additional_data(self) -> dict:
        """Stored with each audit entry, so a report's history finds its parts (even deleted)."""
        return {"report_id": self.report_id}

    def clean(self) -> None:
        if (
            self.tonnes_co2e is not None
            and self.tonnes_co2e < 0
            and self.sector_id is not None
            and not self.sector.may_be_negative
        ):
            raise ValidationError(negative_not_allowed(self.sector))


def negative_not_allowed(sector: Sector) -> str:
    return _("%(sector)s cannot be negative (only land use can be a net removal).") % {
        "sector": sector.name
    }


class ChecklistAnswer(models.Model):
    """Whether a report's plan meets one DK2020/CAPF requirement. `met` is empty until assessed."""

    report = models.ForeignKey(
        StatusReport,
        verbose_name=_("status report"),
        on_delete=models.CASCADE,
        related_name="checklist_answers",
    )
    requirement = models.ForeignKey(
        ChecklistRequirement,
        verbose_name=_("requirement"),
        on_delete=models.PROTECT,
        related_name="answers",
    )
    met = models.BooleanField(_("met"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("checklist answer")
        verbose_name_plural = _("checklist answers")
        ordering = ["requirement__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "requirement"], name="checklist_one_answer_per_requirement"
            )
        ]

    def __str__(self) -> str:
        return f"{self.requirement}: {self.met}"

    def get_additional_data(self) -> dict:
        """Stored with each audit entry, so a report's history finds its parts (even deleted)."""
        return {"report_id": self.report_id}


class Action(models.Model):
    """An action of the municipality's plan and its progress as reported in one round."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        STARTED = "started", _("Started")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    report = models.ForeignKey(
        StatusReport,
        verbose_name=_("status report"),
        on_delete=models.CASCADE,
        related_name="actions",
    )
    name = models.CharField(_("action"), max_length=200)
    sector = models.ForeignKey(
        Sector,
        verbose_name=_("sector"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status, default=Status.NOT_STARTED
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["report", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["report", "name"], name="action_name_unique_in_report")
        ]
        # Actions counted by status over a round's reports (national and DGO pages).
        indexes = [models.Index(fields=["report", "status"], name="action_report_status")]

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict:
        """Stored with each audit entry, so a report's history finds its parts (even deleted)."""
        return {"report_id": self.report_id}


def report_document_storage():
    """Generated status reports are served by a permission-checked view, never under MEDIA_URL."""
    from django.core.files.storage import storages

    return storages["private"]


class StatusReportDocument(models.Model):
    """The annual status report of a round as a PDF, rendered in the background.

    One document per round, language and state of the data (`data_snapshot_at`, the newest
    change of the round's report data): asking again for unchanged data reuses it.
    """

    class Language(models.TextChoices):
        DA = "da", _("Danish")
        EN = "en", _("English")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        GATHERING = "gathering", _("Gathering data")
        RENDERING = "rendering", _("Rendering")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    round = models.ForeignKey(
        Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="documents"
    )
    language = models.CharField(_("language"), max_length=2, choices=Language)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(
        _("progress"), default=0, validators=[MaxValueValidator(100)]
    )
    step = models.CharField(_("step"), max_length=200, blank=True)
    data_snapshot_at = models.DateTimeField(_("data as of"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    file = models.FileField(
        _("file"),
        storage=report_document_storage,
        upload_to="status-reports/",
        max_length=200,
        blank=True,
    )
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    # A preview for the knowledge partners: rendered with the edition's draft text, never
    # listed or published as the report (permissions.can_view_status_report_document).
    is_preview = models.BooleanField(_("preview of the draft text"), default=False)
    # The parts the PDF is joined from, in order, with their content keys (status_report.parts):
    # the tasks that render them and the one that joins them read it.
    render_plan = models.JSONField(_("render plan"), default=list, blank=True, editable=False)

    class Meta:
        verbose_name = _("status report document")
        verbose_name_plural = _("status report documents")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "language", "data_snapshot_at", "is_preview"],
                name="status_report_document_unique_snapshot",
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="status_report_document_progress_range"
            ),
        ]

    def __str__(self) -> str:
        return _("Status report %(year)s (%(language)s)") % {
            "year": self.round.year,
            "language": self.get_language_display(),
        }

    def get_absolute_url(self) -> str:
        return reverse("monitoring-status-report-download", kwargs={"pk": self.pk})

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE

    @property
    def is_pending(self) -> bool:
        return self.status not in (self.Status.DONE, self.Status.FAILED)

    @property
    def is_failed(self) -> bool:
        return self.status == self.Status.FAILED

    @property
    def file_name(self) -> str:
        """Deterministic, so a re-delivered task overwrites instead of adding a file."""
        kind = "preview" if self.is_preview else "statusrapport"
        return f"status-reports/{kind}-{self.round.year}-{self.language}-{self.pk}.pdf"


class StatusReportPublication(models.Model):
    """A finished status report the secretariat has published on the open pages (åben viden).

    Until then a rendered document is a working copy for signed-in users only. Withdrawing the
    publication deletes this row; the document itself stays.
    """

    document = models.OneToOneField(
        StatusReportDocument,
        verbose_name=_("status report document"),
        on_delete=models.CASCADE,
        related_name="publication",
    )
    published_at = models.DateTimeField(_("published"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("published status report")
        verbose_name_plural = _("published status reports")
        ordering = ["-published_at", "-pk"]

    def __str__(self) -> str:
        return str(self.document)


# --- transition indicators (decision support) ----------------------------------------------


class Indicator(TranslatedNameMixin, models.Model):
    """A transition indicator: a measurable sign of the green transition in a municipality.

    Kept as data (the catalogue), edited by the secretariat and the knowledge partners;
    monitoring/reference.py seeds a starting set. Values carry their source and data release.
    """

    class Group(models.TextChoices):
        ENERGY = "energy", _("Energy")
        TRANSPORT = "transport", _("Transport")
        AGRICULTURE = "agriculture_land_use", _("Agriculture and land use")
        WASTE = "waste_wastewater", _("Waste and wastewater")

    class Direction(models.TextChoices):
        HIGHER = "higher", _("Higher is better")
        LOWER = "lower", _("Lower is better")

    key = models.SlugField(_("key"), max_length=60, unique=True)
    name_da = models.CharField(_("Danish name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    unit_da = models.CharField(_("unit (Danish)"), max_length=40)
    unit_en = models.CharField(_("unit (English)"), max_length=40)
    group = models.CharField(_("sector group"), max_length=32, choices=Group.choices)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    source = models.CharField(_("source"), max_length=300)
    source_url = models.URLField(_("source web address"), blank=True)
    definition_da = models.TextField(_("definition (Danish)"))
    definition_en = models.TextField(_("definition (English)"))
    minimum = models.DecimalField(
        _("lowest valid value"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    maximum = models.DecimalField(
        _("highest valid value"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("transition indicator")
        verbose_name_plural = _("transition indicators")
        ordering = ["group", "position", "key"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minimum__isnull=True)
                | Q(maximum__isnull=True)
                | Q(maximum__gte=models.F("minimum")),
                name="indicator_range_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("monitoring-indicator-detail", kwargs={"key": self.key})

    @property
    def unit(self) -> str:
        language = (get_language() or "da")[:2]
        return self.unit_en if language == "en" and self.unit_en else self.unit_da

    @property
    def definition(self) -> str:
        language = (get_language() or "da")[:2]
        return self.definition_en if language == "en" and self.definition_en else self.definition_da

    @property
    def higher_is_better(self) -> bool:
        return self.direction == self.Direction.HIGHER

    def clean(self) -> None:
        if self.minimum is not None and self.maximum is not None and self.maximum < self.minimum:
            raise ValidationError(
                {"maximum": _("The highest valid value cannot be below the lowest.")}
            )

    def check_value(self, value) -> None:
        """Raise ValidationError when `value` lies outside the indicator's valid range."""
        if self.minimum is not None and value < self.minimum:
            raise ValidationError(
                _("The value must be at least %(minimum)s %(unit)s.")
                % {"minimum": self.minimum.normalize(), "unit": self.unit}
            )
        if self.maximum is not None and value > self.maximum:
            raise ValidationError(
                _("The value must be at most %(maximum)s %(unit)s.")
                % {"maximum": self.maximum.normalize(), "unit": self.unit}
            )


class IndicatorValue(models.Model):
    """One indicator's value for a municipality and year, with its source and data release.

    Entered with a status report (then published with it) or imported; values not tied to a
    report come from published statistics and are public to everyone signed in."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="values"
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="indicator_values",
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=4)
    data_release = models.CharField(
        _("data release"),
        max_length=40,
        help_text=_("The publication the value comes from, e.g. the table and its date."),
    )
    data_source = models.CharField(_("data source"), max_length=300, blank=True)
    report = models.ForeignKey(
        StatusReport,
        verbose_name=_("status report"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="indicator_values",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("entered"), default=timezone.now)

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["indicator", "municipality", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "municipality", "year"], name="indicator_value_one_per_year"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR),
                name="indicator_value_year_range",
            ),
        ]
        indexes = [models.Index(fields=["municipality", "year"])]

    def __str__(self) -> str:
        return f"{self.indicator} {self.year}: {self.value}"

    def get_additional_data(self) -> dict:
        return {"report_id": self.report_id}


class IndicatorTarget(models.Model):
    """A municipality's optional target for an indicator in a year (usually 2030)."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="targets"
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="indicator_targets",
    )
    year = models.PositiveSmallIntegerField(_("target year"), validators=YEAR_VALIDATORS)
    value = models.DecimalField(_("target value"), max_digits=16, decimal_places=4)
    report = models.ForeignKey(
        StatusReport,
        verbose_name=_("status report"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="indicator_targets",
    )

    class Meta:
        verbose_name = _("indicator target")
        verbose_name_plural = _("indicator targets")
        ordering = ["indicator", "municipality", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "municipality", "year"], name="indicator_target_one_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.year}: {self.value}"


class DigestPreference(models.Model):
    """A person's choice about the weekly "what is due" e-mail (sent unless opted out)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="digest_preference",
    )
    weekly_digest = models.BooleanField(_("weekly e-mail about what is due"), default=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("digest preference")
        verbose_name_plural = _("digest preferences")

    def __str__(self) -> str:
        return f"{self.user}: {self.weekly_digest}"


# --- the status report's editorial text (the knowledge partners') ----------------------------


class ReportEdition(models.Model):
    """The knowledge partners' text of one edition (one round's year) of the status report:
    a foreword, key messages (hovedbudskaber) and a short narrative per chapter (§8.7).

    Written and published by the knowledge partners only; the secretariat reads it. A draft is
    saved many times (`version` guards against overwriting someone else's save); once published
    the text is locked and goes into the PDF and onto the report's page. Key figures in the text
    are tokens filled from the data (monitoring.status_report.editorial).
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    round = models.OneToOneField(
        Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="edition"
    )
    foreword = models.TextField(_("foreword"), blank=True)
    key_messages = models.JSONField(_("key messages"), default=list, blank=True)
    chapters = models.JSONField(_("chapter texts"), default=dict, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State, default=State.DRAFT)
    organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("knowledge partner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("status report text")
        verbose_name_plural = _("status report texts")
        ordering = ["-round__year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="draft", published_at__isnull=True)
                | Q(state="published", published_at__isnull=False),
                name="report_edition_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return _("Status report text %(year)s") % {"year": self.round.year}

    def get_absolute_url(self) -> str:
        return reverse("monitoring-edition", kwargs={"year": self.round.year})

    @property
    def is_published(self) -> bool:
        return self.state == self.State.PUBLISHED

    @property
    def is_empty(self) -> bool:
        return not (self.foreword.strip() or self.key_messages or any(self.chapters.values()))
