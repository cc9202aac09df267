"""bin/backup and bin/restore on the real PostgreSQL server: rows and files written by the app are
found again in a new database and a new folder, and a restore never overwrites what exists."""

import os
import subprocess
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg2
import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.utils import timezone

from apps.liaison.models import Concern, ConcernPhoto
from apps.proposals.models import Proposal, Status
from tests.factories import SessionFactory

ROOT = Path(__file__).resolve().parents[2]
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4
REPORT = b"%PDF-1.4\n% annual report\n%%EOF\n"

pytestmark = pytest.mark.django_db(transaction=True)  # pg_dump must see the rows: committed


def _url(database: str) -> str:
    s = connection.settings_dict
    user = quote(s["USER"] or "", safe="")
    password = f":{quote(s['PASSWORD'], safe='')}" if s["PASSWORD"] else ""
    return f"postgres://{user}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{database}"


def _run(*args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ROOT / "bin" / args[0]), *args[1:]], env=env, capture_output=True, text=True, timeout=300
    )


@pytest.fixture
def new_database():
    """A database name no one uses; dropped at the end whatever happened."""
    name = f"renda_restore_{uuid.uuid4().hex[:12]}"
    yield name
    admin = psycopg2.connect(_url("postgres"))
    admin.autocommit = True  # DROP DATABASE runs outside a transaction
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.close()


@pytest.fixture
def stored(settings, tmp_path, township_a, county_term, rep_a, representative_user):
    """A concern with a photo and a proposal, written to the test database; a report file."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    reports = tmp_path / "reports"
    (reports / "2022").mkdir(parents=True)
    (reports / "2022" / "annual.pdf").write_bytes(REPORT)
    now = timezone.now()
    concern = Concern.objects.create(
        tracking_code="BAK000000001",
        region=township_a,
        category="roads",
        description="村道塌方，影响出行。",
        name="王大妈",
        phone="13812345678",
        consented_at=now,
        accept_due_on=now.date(),
    )
    photo = ConcernPhoto(concern=concern)
    photo.image.save("photo.jpg", ContentFile(JPEG))
    Proposal.objects.create(
        session=SessionFactory(term=county_term, number=1),
        title="关于修缮儒林镇中心小学校舍的建议",
        content="校舍年久失修。",
        category="education",
        lead=rep_a,
        township=township_a,
        created_by=representative_user,
        status=Status.SUBMITTED,
        submitted_at=now,
    )
    env = {
        **os.environ,
        "DATABASE_URL": _url(connection.settings_dict["NAME"]),
        "MEDIA_ROOT": settings.MEDIA_ROOT,
        "RENDA_REPORT_DIR": str(reports),
    }
    return photo, env


def test_a_backup_restores_into_a_new_database_with_its_rows_and_files(stored, new_database, tmp_path):
    photo, env = stored
    made = _run("backup", str(tmp_path / "backups"), env=env)
    assert made.returncode == 0, made.stderr
    backup = Path(made.stdout.strip().splitlines()[-1])
    assert backup.name.startswith("renda-backup-")
    assert sorted(p.name for p in backup.iterdir()) == ["SHA256SUMS", "database.dump", "files.tar"]

    files = tmp_path / "restored"
    restored = _run("restore", str(backup), _url(new_database), str(files), env=env)
    assert restored.returncode == 0, restored.stderr

    with psycopg2.connect(_url(new_database)) as db, db.cursor() as cursor:
        cursor.execute(
            "SELECT p.image FROM liaison_concernphoto p JOIN liaison_concern c ON c.id = p.concern_id"
            " WHERE c.tracking_code = %s",
            ["BAK000000001"],
        )
        assert cursor.fetchall() == [(photo.image.name,)]
        cursor.execute("SELECT count(*) FROM proposals_proposal WHERE title = %s", ["关于修缮儒林镇中心小学校舍的建议"])
        assert cursor.fetchone() == (1,)
    db.close()
    assert (files / "media" / photo.image.name).read_bytes() == JPEG
    assert (files / "reports" / "2022" / "annual.pdf").read_bytes() == REPORT


def test_a_restore_never_overwrites_a_database_or_files_that_exist(stored, new_database, tmp_path):
    _photo, env = stored
    backup = _run("backup", str(tmp_path / "backups"), env=env).stdout.strip().splitlines()[-1]
    live = connection.settings_dict["NAME"]
    into_live = _run("restore", backup, _url(live), str(tmp_path / "restored"), env=env)
    assert into_live.returncode != 0 and "new database" in into_live.stderr

    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "keep.txt").write_text("mine")
    into_files = _run("restore", backup, _url(new_database), str(taken), env=env)
    assert into_files.returncode != 0 and "not empty" in into_files.stderr
    assert (taken / "keep.txt").read_text() == "mine"


def test_a_damaged_backup_is_refused_before_anything_is_restored(stored, new_database, tmp_path):
    _photo, env = stored
    backup = Path(_run("backup", str(tmp_path / "backups"), env=env).stdout.strip().splitlines()[-1])
    with open(backup / "database.dump", "r+b") as dump:
        dump.seek(100)
        dump.write(b"damaged")
    refused = _run("restore", str(backup), _url(new_database), str(tmp_path / "restored"), env=env)
    assert refused.returncode != 0 and "damaged" in refused.stderr
    with psycopg2.connect(_url("postgres")) as db, db.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_database WHERE datname = %s", [new_database])
        assert cursor.fetchone() == (0,)
    db.close()
