import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from portal import object_storage

from ._storage_archive import restore_storage
from .backup import executable, pg_env_and_args


class Command(BaseCommand):
    help = "Restore a backup made by `manage.py backup` into an EMPTY database and media folder."

    def add_arguments(self, parser):
        parser.add_argument("folder", help="the backup folder (holds database.dump, media.tar.gz)")

    def handle(self, *args, folder: str, **options) -> None:
        env, conn = pg_env_and_args()
        source = Path(folder)
        dump = source / "database.dump"
        if not dump.is_file():
            raise CommandError(f"No database.dump in {source}.")
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
            )
            if cursor.fetchone()[0]:
                raise CommandError("The target database is not empty; restore only into a new one.")
        objects = source / object_storage.ARCHIVE_NAME
        if objects.is_file():
            # Refused before the database is touched: an object store that holds files is not
            # the new, empty one a restore is for.
            for alias, storage in object_storage.object_storages().items():
                if any(True for _ in object_storage.walk_existing(storage)):
                    raise CommandError(f"The {alias} storage is not empty; restore into a new one.")
        connection.close()
        # The arguments come from our own settings, never from a request.
        subprocess.run(  # noqa: S603
            [
                executable("pg_restore"),
                *conn,
                "--no-owner",
                "--exit-on-error",
                "--dbname",
                settings.DATABASES["default"]["NAME"],
                str(dump),
            ],
            env={**os.environ, **env},
            check=True,
        )
        media_archive = source / "media.tar.gz"
        if media_archive.is_file():
            with tempfile.TemporaryDirectory() as unpacked, tarfile.open(media_archive) as archive:
                # The "data" filter refuses absolute paths, links out and device files.
                archive.extractall(unpacked, filter="data")
                if (Path(unpacked) / "media").exists():
                    shutil.copytree(
                        Path(unpacked) / "media", settings.MEDIA_ROOT, dirs_exist_ok=True
                    )
        if objects.is_file():
            try:
                object_storage.restore(objects)
            except (object_storage.NotEmpty, ValueError) as exc:
                raise CommandError(str(exc)) from exc
        private_archive = source / "private.tar.gz"
        if private_archive.is_file():
            restore_storage(storages["private"], private_archive, prefix="private")
        self.stdout.write(f"Restored {source}")
