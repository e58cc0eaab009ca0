"""`make backup` / `make restore` cover the bucket: with S3 storage, every object of the media
and private storages goes into the backup (objects.tar.gz) and back into a new, empty bucket.
Against moto's S3 server, a real process."""

import tarfile
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from tests.s3 import moto_server
from tests.test_backup_restore import admin_connection, database_url
from tests.test_settings import manage

pytestmark = pytest.mark.django_db(transaction=True)

OBJECTS = {
    "media/imports/round-2025-abc.bin": b"an import waiting for confirmation",
    "private/papers/0123abcd.pdf": b"%PDF-1.7 a meeting paper",
    "private/status-reports/2025/da.pdf": b"%PDF-1.7 the status report",
}


def test_backup_and_restore_cover_the_bucket(reference_data, tmp_path):
    source = connection.settings_dict["NAME"]
    targets = [f"klima_restore_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    with admin_connection() as admin:
        for target in targets:
            admin.execute(f'CREATE DATABASE "{target}"')
    try:
        with moto_server() as s3:
            original, restored = s3.new_bucket(), s3.new_bucket()
            client = s3.client()
            for key, content in OBJECTS.items():
                client.put_object(Bucket=original, Key=key, Body=content)

            backup = manage(
                "backup",
                "--output",
                str(tmp_path / "backups"),
                DJANGO_ENV="test",
                DATABASE_URL=database_url(source),
                **s3.env(original),
            )
            assert backup.returncode == 0, backup.stderr
            folder = Path(backup.stdout.strip().splitlines()[-1])
            with tarfile.open(folder / "objects.tar.gz") as archive:
                assert sorted(archive.getnames()) == sorted(
                    ["default/imports/round-2025-abc.bin", "private/papers/0123abcd.pdf",
                     "private/status-reports/2025/da.pdf"]
                )  # fmt: skip

            restore = manage(
                "restore",
                str(folder),
                DJANGO_ENV="test",
                DATABASE_URL=database_url(targets[0]),
                **s3.env(restored),
            )
            assert restore.returncode == 0, restore.stderr
            assert s3.keys(restored) == OBJECTS

            # A bucket that holds files is refused before the (empty) database is touched.
            again = manage(
                "restore",
                str(folder),
                DJANGO_ENV="test",
                DATABASE_URL=database_url(targets[1]),
                **s3.env(restored),
            )
            assert again.returncode != 0 and "storage is not empty" in again.stderr
            db = connection.settings_dict
            with psycopg.connect(
                host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=targets[1]
            ) as target:
                tables = target.execute(
                    "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
                ).fetchone()[0]
            assert tables == 0
            assert s3.keys(restored) == OBJECTS
    finally:
        with admin_connection() as admin:
            for target in targets:
                admin.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
