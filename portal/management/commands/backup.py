import os
import shutil
import subprocess
import tarfile
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from portal import object_storage

from ._storage_archive import archive_storage


def pg_env_and_args() -> tuple[dict, list[str]]:
    """Connection arguments for pg_dump/pg_restore from the default database settings."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise CommandError("Backups need PostgreSQL (set DATABASE_URL); SQLite is a demo database.")
    env = {"PGPASSWORD": db.get("PASSWORD") or ""}
    args = ["--host", db.get("HOST") or "localhost", "--port", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    return env, args


def executable(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise CommandError(f"{name} is not installed (apt-get install postgresql-client).")
    return path


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump custom format), the uploaded files (MEDIA_ROOT) and the "
        "private files (meeting papers, report PDFs) into a folder."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", default="backups", help="folder for the backup files")

    def handle(self, *args, output: str, **options) -> None:
        env, conn = pg_env_and_args()
        folder = Path(output) / datetime.now().strftime("%Y%m%d-%H%M%S")
        folder.mkdir(parents=True, exist_ok=False)
        dump = folder / "database.dump"
        # The arguments come from our own settings, never from a request.
        subprocess.run(  # noqa: S603
            [
                executable("pg_dump"),
                *conn,
                "--format=custom",
                "--no-owner",
                "--file",
                str(dump),
                connection.settings_dict["NAME"],
            ],
            env={**os.environ, **env},
            check=True,
        )
        media = Path(settings.MEDIA_ROOT)
        with tarfile.open(folder / "media.tar.gz", "w:gz") as archive:
            if media.exists():
                archive.add(media, arcname="media")
        # Media and private files in S3: the bucket's objects (objects.tar.gz). On the
        # filesystem the private storage is backed up through its API: its folder is often
        # outside MEDIA_ROOT (PRIVATE_MEDIA_ROOT).
        if not object_storage.archive(folder):
            archive_storage(storages["private"], folder / "private.tar.gz", prefix="private")
        self.stdout.write(str(folder))
