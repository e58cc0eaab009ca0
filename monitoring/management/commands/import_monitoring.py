from pathlib import Path

from auditlog.context import set_actor
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from core.spreadsheet import MAX_BYTES
from monitoring.imports import rounds as rounds_import
from monitoring.models import Round
from partners.models import User


class Command(BaseCommand):
    help = (
        "Import a monitoring round's spreadsheet (xlsx or csv). Validates every row first and "
        "writes nothing unless all rows are valid; exits 0 only when everything was valid."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--year", type=int, required=True, help="The round's year")
        parser.add_argument("--dry-run", action="store_true", help="Check only; write nothing")
        parser.add_argument(
            "--user",
            help="Record the import as this user's (secretariat or administrator). Without it "
            "the import is recorded as a system import.",
        )

    def handle(self, *args, file: Path, year: int, dry_run: bool, user: str | None, **options):
        round = Round.objects.filter(year=year).first()
        if round is None:
            raise CommandError(f"There is no monitoring round for {year}.")
        by = None
        if user:
            by = User.objects.filter(username=user).first()
            if by is None:
                raise CommandError(f"No user {user!r}.")
        if not file.is_file():
            raise CommandError(f"No file {file}.")
        if file.stat().st_size > MAX_BYTES:
            raise CommandError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
        content = file.read_bytes()
        try:
            with set_actor(by):
                result = rounds_import.round_import(
                    round=round,
                    by=by,
                    system=by is None,
                    content=content,
                    filename=file.name,
                    dry_run=dry_run,
                )
        except PermissionDenied as error:
            # The service decides who may import; the command says so in one line (English,
            # like its other messages), not a traceback.
            raise CommandError(
                f"User {user!r} may not import monitoring rounds (secretariat or administrator "
                "only); nothing was written."
            ) from error
        for line in result.lines():
            self.stdout.write(line)
        if not result.is_valid:
            raise CommandError("The file has errors; nothing was written.")
        self.stdout.write("Dry run: nothing was written." if dry_run else "Imported.")
