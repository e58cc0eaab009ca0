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


# A meeting paper and a status report PDF on the private storage (as the portal stores them).
PRIVATE_FILES = """
import datetime
from django.core.files.base import ContentFile
from django.utils import timezone
from governance.models import AgendaItem, Body, Meeting, Paper
from monitoring.models import StatusReportDocument
from tests.monitoring.factories import make_round
meeting = Meeting.objects.create(
    body=Body.objects.get(code="fu"), title="FU", starts_at=timezone.now(), location="KL"
)
item = AgendaItem.objects.create(meeting=meeting, position=1, title="Punkt 1")
paper = Paper(agenda_item=item, original_name="bilag.pdf", size=20, content_type="application/pdf")
paper.file.save("bilag.pdf", ContentFile(b"%PDF-1.7 meeting paper"), save=False)
paper.save()
document = StatusReportDocument(round=make_round(), language="da", data_snapshot_at=timezone.now())
document.file.save("statusrapport.pdf", ContentFile(b"%PDF-1.7 status report"), save=False)
document.save()
print(paper.pk, document.pk)
"""

READ_PRIVATE_FILES = """
from governance.models import Paper
from monitoring.models import StatusReportDocument
print(Paper.objects.get(pk={paper}).file.read().decode())
print(StatusReportDocument.objects.get(pk={document}).file.read().decode())
"""


def test_backup_then_restore_into_an_empty_database(reference_data, tmp_path):
    source = connection.settings_dict["NAME"]  # the test database, committed data only
    target = f"klima_restore_{uuid.uuid4().hex[:8]}"
    with admin_connection() as admin:
        admin.execute(f'CREATE DATABASE "{target}"')
    media = tmp_path / "media"
    (media / "papers").mkdir(parents=True)
    (media / "papers" / "agenda.pdf").write_bytes(b"%PDF-1.7 test")
    # The private files live outside MEDIA_ROOT, as in production.
    private = tmp_path / "elsewhere" / "private"
    try:
        env = {"DJANGO_ENV": "test", "MEDIA_ROOT": str(media), "PRIVATE_MEDIA_ROOT": str(private)}
        made = manage(
            "shell", "--no-imports", "-c", PRIVATE_FILES, DATABASE_URL=database_url(source), **env
        )
        assert made.returncode == 0, made.stderr
        paper, document = made.stdout.split()[-2:]
        assert private.is_dir() and not (media / "papers" / "bilag.pdf").exists()
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
        restored_private = tmp_path / "restored-private"
        restore = manage(
            "restore",
            str(folder),
            DATABASE_URL=database_url(target),
            DJANGO_ENV="test",
            MEDIA_ROOT=str(restored_media),
            PRIVATE_MEDIA_ROOT=str(restored_private),
        )
        assert restore.returncode == 0, restore.stderr
        assert (restored_media / "papers" / "agenda.pdf").read_bytes() == b"%PDF-1.7 test"
        # The paper and the report PDF come back, readable through their records.
        read = manage(
            "shell",
            "--no-imports",
            "-c",
            READ_PRIVATE_FILES.format(paper=paper, document=document),
            DJANGO_ENV="test",
            DATABASE_URL=database_url(target),
            PRIVATE_MEDIA_ROOT=str(restored_private),
        )
        assert read.returncode == 0, read.stderr
        assert read.stdout.splitlines()[-2:] == ["%PDF-1.7 meeting paper", "%PDF-1.7 status report"]
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
