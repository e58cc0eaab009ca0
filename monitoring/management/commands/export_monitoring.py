from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from monitoring.exports import round_export_file
from monitoring.models import Round


class Command(BaseCommand):
    help = "Export a monitoring round with the same columns as its import template."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
        parser.add_argument("--output", type=Path, required=True)

    def handle(self, *args, year: int, format: str, output: Path, **options) -> None:
        round = Round.objects.filter(year=year).first()
        if round is None:
            raise CommandError(f"There is no monitoring round for {year}.")
        output.write_bytes(round_export_file(round=round, file_format=format))
        self.stdout.write(f"Wrote {output}")
