"""`make backup` / `make restore`: a restore into an empty database gives the same portal."""

import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from tests.test_settings import manage

pytestmark = pytest.mark.django_db(transaction=True)


def database_url(name: str) -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{name}"


def admin_connection():
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], dbname="postgres", autocommit=True
    )


def row_counts(url: str) -> dict[str, int]:
    code = (
        "from django.apps import apps;"
        "import json;"
        "print(json.dumps({m._meta.db_table: m.objects.count() for m in apps.get_models()}))"
    )
    result = manage("shell", "--no-imports", "-c", code, DJANGO_ENV="test", DATABASE_URL=url)
    assert result.returncode == 0, result.stderr
    import json

    return json.loads(result.stdout.strip().splitlines()[-1])


def test_backup_then_restore_into_an_empty_database(reference_data, tmp_path):
    source = connection.settings_dict["NAME"]  # the test database, committed data only
    target = f"klima_restore_{uuid.uuid4().hex[:8]}"
    with admin_connection() as admin:
        admin.execute(f'CREATE DATABASE "{target}"')
    media = tmp_path / "media"
    (media / "papers").mkdir(parents=True)
    (media / "papers" / "agenda.pdf").write_bytes(b"%PDF-1.7 test")
    try:
        env = {"DJANGO_ENV": "test", "MEDIA_ROOT": str(media)}
        backup = manage(
            "backup",
            "--output",
            str(tmp_path / "backups"),
            DATABASE_URL=database_url(source),
            **env,
        )
        assert backup.returncode == 0, backup.stderr
        folder = Path(backup.stdout.strip().splitlines()[-1])
        assert (folder / "database.dump").stat().st_size > 0

        restored_media = tmp_path / "restored-media"
        restore = manage(
            "restore",
            str(folder),
            DATABASE_URL=database_url(target),
            DJANGO_ENV="test",
            MEDIA_ROOT=str(restored_media),
        )
        assert restore.returncode == 0, restore.stderr
        assert (restored_media / "papers" / "agenda.pdf").read_bytes() == b"%PDF-1.7 test"
        assert row_counts(database_url(target)) == row_counts(database_url(source))

        again = manage("restore", str(folder), DATABASE_URL=database_url(target), DJANGO_ENV="test")
        assert again.returncode != 0 and "not empty" in again.stderr

        # A working portal on the restored database: the municipality page answers.
        probe = (
            "from django.test import Client; from partners.models import User;"
            "u = User.objects.create_user('probe', password='x' * 12);"
            "c = Client(HTTP_HOST='localhost'); c.force_login(u);"
            "r = c.get('/municipalities/751/'); print(r.status_code, b'Aarhus' in r.content)"
        )
        result = manage(
            "shell",
            "--no-imports",
            "-c",
            probe,
            DJANGO_ENV="test",
            DATABASE_URL=database_url(target),
        )
        assert result.stdout.split()[-2:] == ["200", "True"], result.stderr
    finally:
        with admin_connection() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
