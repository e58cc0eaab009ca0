"""Evaluations for tests, made through the services as in production."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from evaluations import services
from evaluations.models import Evaluation
from governance import services as governance_services
from partners.models import Organisation

PDF = b"%PDF-1.4\n%evaluering\n"


def deadline() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=14)


def make_evaluation(by, *, kind=Evaluation.Kind.MIDTERM, title="Midtvejsevaluering 2025"):
    return services.evaluation_create(
        by=by,
        kind=kind,
        title=title,
        terms_of_reference="Evalueringen ser på styring, spor og monitorering.",
        arranged_by=Organisation.objects.get(code="realdania"),
    )


def approve_terms(evaluation: Evaluation, people) -> Evaluation:
    """Secretariat puts the terms to APS; APS votes yes; FU (chair and member) votes yes."""
    aps = services.terms_put_to_aps(
        evaluation=evaluation, by=people.secretariat, deadline=deadline()
    )
    governance_services.vote_cast(decision=aps, by=people.aps, choice="yes")
    evaluation.refresh_from_db()
    for voter in (people.fu_chair, people.fu_member):
        governance_services.vote_cast(decision=evaluation.fu_decision, by=voter, choice="yes")
    evaluation.refresh_from_db()
    return evaluation


def report_upload(name: str = "rapport.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def reported(people) -> Evaluation:
    evaluation = approve_terms(make_evaluation(people.secretariat), people)
    return services.report_attach(
        evaluation=evaluation, by=people.secretariat, upload=report_upload()
    )
