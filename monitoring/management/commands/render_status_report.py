"""Render a round's annual status report to a PDF file, synchronously (no web, no worker)."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from monitoring.models import Round, StatusReportDocument
from monitoring.status_report.rendering import report_write_pdf


class Command(BaseCommand):
    help = "Render the annual status report of a monitoring round as a PDF."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument(
            "--language", choices=StatusReportDocument.Language.values, default="da"
        )
        parser.add_argument("--output", required=True, help="the PDF file to write")

    def handle(self, *args, year: int, language: str, output: str, **options):
        round = Round.objects.filter(year=year).first()
        if round is None:
            raise CommandError(f"There is no monitoring round for {year}.")
        started = time.monotonic()
        pdf, pages = report_write_pdf(round=round, language=language)
        Path(output).write_bytes(pdf)
        self.stdout.write(
            f"{output}: {pages} pages, {len(pdf)} bytes in {time.monotonic() - started:.1f} s"
        )
