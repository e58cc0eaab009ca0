from pathlib import Path

from auditlog.context import set_actor
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from core.spreadsheet import CellError, max_bytes
from monitoring.imports.accounts import national_accounts_import
from monitoring.imports.spreadsheet import parse_release
from partners.models import User


class Command(BaseCommand):
    help = (
        "Import a file of the national energy and CO2 accounts (csv or xlsx, wide or long) as "
        "one data release. Validates every row first and writes nothing unless all rows are "
        "valid; importing the same file again changes nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--release", required=True, help="The release's name, e.g. 2025-1")
        parser.add_argument("--source", default="", help="Where the figures come from")
        parser.add_argument("--dry-run", action="store_true", help="Check only; write nothing")
        parser.add_argument(
            "--user",
            help="Record the import as this user's (secretariat or administrator). Without it "
            "the import is recorded as a system import.",
        )

    def handle(self, *args, file: Path, release: str, source: str, dry_run: bool, user, **options):
        try:
            release = parse_release(release)
        except CellError as error:
            raise CommandError(str(error)) from error
        by = None
        if user:
            by = User.objects.filter(username=user).first()
            if by is None:
                raise CommandError(f"No user {user!r}.")
        if not file.is_file():
            raise CommandError(f"No file {file}.")
        if file.stat().st_size > max_bytes():
            raise CommandError(f"The file is larger than {max_bytes() // (1024 * 1024)} MB.")
        try:
            with set_actor(by):
                result = national_accounts_import(
                    release=release,
                    source=source,
                    by=by,
                    system=by is None,
                    content=file.read_bytes(),
                    filename=file.name,
                    dry_run=dry_run,
                )
        except PermissionDenied as error:
            raise CommandError(
                f"User {user!r} may not import the national accounts (secretariat or "
                "administrator only); nothing was written."
            ) from error
        for line in result.lines():
            self.stdout.write(line)
        if not result.is_valid:
            raise CommandError("The file has errors; nothing was written.")
        self.stdout.write("Dry run: nothing was written." if dry_run else "Imported.")
