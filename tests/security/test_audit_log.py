"""The audit log in the database (apps/core/audit.py): each event recorded once, no full phone
number in any row, kept RENDA_AUDIT_RETENTION_DAYS (never under 180), and read by the security
auditor, who can change nothing. Not to be confused with test_audit.py (bin/audit, pip-audit)."""

import datetime
import io
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
import tablib
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.core import services as core_services
from apps.core.audit import audit_event, audit_purge, mask_digits
from apps.core.models import AuditEvent, HandlingUnit, Region, User
from apps.core.tasks import purge_audit_events
from tests.factories import HandlingUnitFactory, SessionFactory

Kind = AuditEvent.Kind
PASSWORD = "correct horse battery staple"
REP_PHONE = "13912345678"  # rep_a's, in tests/conftest.py


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def events(kind, **filters):
    return AuditEvent.objects.filter(kind=kind, **filters)


def with_password(user: User) -> User:
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def auditor(county):
    return core_services.user_create(
        username="auditor", password=None, role=User.Role.AUDITOR, full_name="审计员", regions=[county]
    )


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", "root@example.invalid", PASSWORD)


# --- logins ----------------------------------------------------------------------------------------


def test_a_login_is_one_row_with_the_account_and_its_address(client, staff_a):
    with_password(staff_a)
    response = client.post(reverse("login"), {"username": "staff_a", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302
    [row] = events(Kind.LOGIN)
    assert (row.actor, row.actor_username, row.ip) == (staff_a, "staff_a", "10.1.2.3")
    assert row.region_path == staff_a.regions.get().path  # scoped to the account's township


def test_a_failed_login_is_one_row_naming_the_account_tried_and_no_password(client, staff_a):
    with_password(staff_a)
    response = client.post(reverse("login"), {"username": "staff_a", "password": "wrong password!"})
    assert response.status_code == 200
    [row] = events(Kind.LOGIN_FAILED)
    assert row.actor is None and row.actor_username == "staff_a"
    assert "wrong password" not in str(row.detail)
    assert not events(Kind.LOGIN).exists()


def test_a_failed_login_for_an_unknown_name_is_recorded_too(client, db):
    client.post(reverse("login"), {"username": "nobody-here", "password": "whatever-it-is"})
    assert events(Kind.LOGIN_FAILED, actor_username="nobody-here", target_id="").count() == 1


def test_logging_out_is_one_row(client, staff_a):
    with_password(staff_a)
    client.post(reverse("login"), {"username": "staff_a", "password": PASSWORD})
    client.post(reverse("logout"))
    assert events(Kind.LOGOUT, actor=staff_a).count() == 1


# --- admin writes ----------------------------------------------------------------------------------


def test_an_admin_change_is_one_row_naming_the_object(login, committee_staff, county, unit):
    url = reverse("admin:core_handlingunit_change", args=[unit.pk])
    data = {
        "name": "县教育和体育局",
        "short_name": "",
        "category": "government",
        "region": county.pk,
        "is_active": "on",
    }
    data |= {"contact_person": "", "contact_phone": ""}
    response = login(committee_staff).post(url, data)
    assert response.status_code == 302
    [row] = events(Kind.ADMIN_CHANGE)
    assert (row.actor, row.target_id, row.target_repr) == (committee_staff, str(unit.pk), "县教育和体育局")
    assert row.target_type.model == "handlingunit" and row.region_path == county.path
    assert "单位名称" in row.detail["change"]


def test_admin_additions_and_bulk_deletions_are_one_row_per_object(login, superuser, county):
    client = login(superuser)
    data = {"name": "县水利局", "short_name": "", "category": "government", "region": county.pk, "is_active": "on"}
    data |= {"contact_person": "", "contact_phone": ""}
    assert client.post(reverse("admin:core_handlingunit_add"), data).status_code == 302
    assert events(Kind.ADMIN_ADD).count() == 1
    spare = HandlingUnitFactory(region=county, name="县林业局")
    ids = list(HandlingUnit.objects.values_list("pk", flat=True))
    action = {"action": "delete_selected", "_selected_action": ids, "post": "yes"}
    assert client.post(reverse("admin:core_handlingunit_changelist"), action).status_code == 302
    deleted = events(Kind.ADMIN_DELETE)
    assert sorted(deleted.values_list("target_id", flat=True)) == sorted(str(pk) for pk in ids)
    assert spare.pk in ids


# --- permission changes ----------------------------------------------------------------------------


def _user_form(user: User, **changes) -> dict:
    data = {"username": user.username, "full_name": user.full_name, "phone": "", "email": "", "role": user.role}
    data |= {"regions": [r.pk for r in user.regions.all()], "handling_unit": "", "is_active": "on"}
    return data | changes


def test_a_role_change_in_the_admin_is_one_row_with_old_and_new(login, committee_staff, staff_a):
    url = reverse("admin:core_user_change", args=[staff_a.pk])
    response = login(committee_staff).post(url, _user_form(staff_a, role=User.Role.LIAISON))
    assert response.status_code == 302
    [row] = events(Kind.PERMISSION_CHANGE, target_id=str(staff_a.pk), actor=committee_staff)
    assert row.detail["changes"] == {
        "role": ["township", "liaison"],
        "groups": [["role:township"], ["role:liaison"]],
    }
    assert row.ip == "127.0.0.1"


def test_a_change_of_regions_and_deactivation_is_one_row(login, committee_staff, staff_a, township_b):
    url = reverse("admin:core_user_change", args=[staff_a.pk])
    form = _user_form(staff_a, regions=[township_b.pk])
    del form["is_active"]
    assert login(committee_staff).post(url, form).status_code == 302
    [row] = events(Kind.PERMISSION_CHANGE, target_id=str(staff_a.pk), actor=committee_staff)
    assert row.detail["changes"] == {"regions": [["儒林镇"], ["茅坪镇"]], "is_active": [True, False]}


def test_saving_an_account_unchanged_records_no_permission_change(login, committee_staff, staff_a):
    url = reverse("admin:core_user_change", args=[staff_a.pk])
    assert login(committee_staff).post(url, _user_form(staff_a, full_name="改名")).status_code == 302
    assert not events(Kind.PERMISSION_CHANGE, actor=committee_staff).exists()
    assert events(Kind.ADMIN_CHANGE, target_id=str(staff_a.pk)).count() == 1


def test_direct_permission_and_superuser_grants_are_recorded(staff_a):
    permission = Permission.objects.get(codename="view_region", content_type__app_label="core")
    staff_a.user_permissions.add(permission)
    staff_a.is_superuser = True
    staff_a.save()
    changes = [row.detail["changes"] for row in events(Kind.PERMISSION_CHANGE, target_id=str(staff_a.pk))]
    assert {"user_permissions": [[], ["core.view_region"]]} in changes
    assert {"is_superuser": [False, True]} in changes


# --- personal data, searches, exports, downloads -------------------------------------------------------


def test_opening_a_representative_with_contact_details_is_one_personal_data_view(login, committee_staff, rep_a):
    response = login(committee_staff).get(reverse("admin:representatives_representative_change", args=[rep_a.pk]))
    assert REP_PHONE in response.content.decode()
    [row] = events(Kind.PERSONAL_VIEW)
    assert (row.actor, row.target_id, row.region_path) == (committee_staff, str(rep_a.pk), rep_a.township.path)


def test_a_search_by_phone_is_recorded_masked_and_other_searches_are_not(login, committee_staff, rep_a):
    client = login(committee_staff)
    changelist = reverse("admin:representatives_representative_changelist")
    client.get(changelist, {"q": "杨秀英"})
    assert not events(Kind.PHONE_SEARCH).exists()
    assert client.get(changelist, {"q": REP_PHONE}).status_code == 200
    [row] = events(Kind.PHONE_SEARCH)
    assert row.detail["query"] == "139****5678" and row.detail["register"] == "representatives.representative"


def test_an_admin_export_is_one_row_with_its_row_count(login, committee_staff, rep_a):
    response = login(committee_staff).post(reverse("admin:representatives_representative_export"), {"format": "xlsx"})
    assert response.status_code == 200
    [row] = events(Kind.EXPORT)
    assert row.actor == committee_staff
    assert row.detail == {"register": "representatives.representative", "rows": 1}


def test_an_import_is_one_row_and_a_preview_none(login, committee_staff, county_term, unit):
    session = SessionFactory(term=county_term, number=1)
    sheet = tablib.Dataset(headers=["项目名称", "项目内容", "责任单位", "总投资（万元）", "计划完成时间"])
    sheet.append(["农村道路亮化", "安装路灯。", unit.name, "120", "2022-12-31"])
    upload = SimpleUploadedFile("candidates.xlsx", sheet.export("xlsx"))
    client = login(committee_staff)
    preview = client.post(reverse("admin:livelihood_project_import"), {"session": session.pk, "import_file": upload})
    assert preview.context["token"]
    assert not events(Kind.IMPORT).exists()
    client.post(reverse("admin:livelihood_project_process_import"), {"token": preview.context["token"]})
    [imported] = events(Kind.IMPORT)
    assert imported.actor == committee_staff
    assert imported.detail == {"register": "livelihood.project", "new": 1, "changed": 0, "unchanged": 0}


@pytest.fixture
def report(staff_a, township_a, tmp_path, settings):
    from apps.dashboard.models import ReportJob
    from apps.dashboard.services import report_file

    settings.RENDA_DASHBOARD = {**settings.RENDA_DASHBOARD, "REPORT_DIR": str(tmp_path)}
    job = ReportJob.objects.create(
        requested_by=staff_a,
        scope_paths=township_a.path,
        region_path=township_a.path,
        region=township_a,
        scope_label=township_a.name,
        year=2022,
        period_key="2022",
        status=ReportJob.Status.DONE,
        pdf_name="audit-sample.pdf",
    )
    report_file(job.pdf_name).write_bytes(b"%PDF-1.4\n%%EOF\n")
    return job


def test_a_report_download_is_one_row(login, staff_a, report):
    response = login(staff_a).get(reverse("dashboard:report_download", args=[report.token, "pdf"]))
    assert response.status_code == 200
    [row] = events(Kind.DOWNLOAD)
    assert (row.actor, row.target_id, row.detail) == (staff_a, str(report.pk), {"file": "pdf"})


def test_no_row_holds_a_full_phone_number(login, client, committee_staff, rep_a):
    staff = login(committee_staff)
    staff.get(reverse("admin:representatives_representative_change", args=[rep_a.pk]))
    staff.get(reverse("admin:representatives_representative_changelist"), {"q": REP_PHONE})
    Client().post(reverse("login"), {"username": REP_PHONE, "password": "not the password"})
    audit_event(
        Kind.PERSONAL_VIEW, user=committee_staff, target=rep_a, note=f"called {REP_PHONE}", id_no="43052919800101123X"
    )
    rows = list(AuditEvent.objects.values_list("detail", "target_repr", "actor_username"))
    assert len(rows) >= 4
    assert REP_PHONE not in str(rows) and "19800101" not in str(rows)


def test_digit_runs_are_masked_like_the_rest_of_the_portal():
    assert mask_digits("电话 13912345678，座机 7654321") == "电话 139****5678，座机 *****21"
    assert mask_digits("第12345号") == "第12345号"


# --- retention ---------------------------------------------------------------------------------------


def _aged(days: int) -> AuditEvent:
    return AuditEvent.objects.create(
        kind=Kind.LOGIN, actor_username=f"aged-{days}", at=timezone.now() - datetime.timedelta(days=days)
    )


def test_the_purge_removes_only_rows_past_the_retention_period(db, settings):
    settings.RENDA_AUDIT_RETENTION_DAYS = 180
    for days in (1, 179, 181, 400):
        _aged(days)
    assert audit_purge() == 2
    assert sorted(AuditEvent.objects.values_list("actor_username", flat=True)) == ["aged-1", "aged-179"]


def test_a_longer_retention_keeps_more_and_the_beat_task_purges(db, settings):
    settings.RENDA_AUDIT_RETENTION_DAYS = 365
    for days in (181, 400):
        _aged(days)
    purge_audit_events()
    assert list(AuditEvent.objects.values_list("actor_username", flat=True)) == ["aged-181"]
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"].endswith("purge_audit_events"))
    assert entry["task"] == "apps.core.tasks.purge_audit_events"


def test_a_retention_under_180_days_is_refused_at_start_up():
    env = {**os.environ, "RENDA_AUDIT_RETENTION_DAYS": "90", "DJANGO_SETTINGS_MODULE": "renda.settings"}
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=Path(settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "RENDA_AUDIT_RETENTION_DAYS" in done.stderr and "180" in done.stderr


def test_rows_are_kept_at_least_180_days_even_if_the_setting_is_lowered_later(db, settings):
    settings.RENDA_AUDIT_RETENTION_DAYS = 30
    _aged(100)
    assert audit_purge() == 0


# --- the security auditor ------------------------------------------------------------------------------

CHANGELIST = "admin:core_auditevent_changelist"


@pytest.fixture
def logged(staff_a, staff_b, township_a, township_b):
    """A row in township A, one in B and one with no region."""
    return {
        "a": audit_event(Kind.PERSONAL_VIEW, user=staff_a, target=township_a),
        "b": audit_event(Kind.PERSONAL_VIEW, user=staff_b, target=township_b),
        "none": audit_event(Kind.LOGIN_FAILED, region_path="", username="stranger"),
    }


def test_the_auditor_reads_the_log_and_each_row(login, auditor, logged):
    client = login(auditor)
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    assert {e.pk for e in response.context["cl"].result_list} >= {e.pk for e in logged.values()}
    assert client.get(reverse("admin:core_auditevent_change", args=[logged["a"].pk])).status_code == 200


def test_the_log_filters_by_kind_date_and_actor_and_searches_by_username(login, auditor, logged, staff_a):
    client = login(auditor)

    def listed(**query):
        return {e.pk for e in client.get(reverse(CHANGELIST), query).context["cl"].result_list}

    assert listed(kind="login_failed") == {logged["none"].pk}
    assert listed(actor="staff_a") == {logged["a"].pk}
    assert listed(q="staff_b") == {logged["b"].pk}
    old = _aged(10)
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    week_ago = str(midnight - datetime.timedelta(days=7))  # as the admin's "past 7 days" link has it
    assert logged["a"].pk in listed(at__gte=week_ago) and old.pk not in listed(at__gte=week_ago)


@pytest.mark.parametrize("who", ["auditor", "superuser"])
def test_nobody_adds_changes_or_deletes_a_row(login, auditor, superuser, logged, who):
    client = login({"auditor": auditor, "superuser": superuser}[who])
    row = logged["a"]
    change = reverse("admin:core_auditevent_change", args=[row.pk])
    assert client.get(reverse("admin:core_auditevent_add")).status_code == 403
    assert client.post(reverse("admin:core_auditevent_add"), {"kind": "login"}).status_code == 403
    assert client.post(change, {"kind": "login", "actor_username": "someone-else"}).status_code == 403
    assert client.get(reverse("admin:core_auditevent_delete", args=[row.pk])).status_code == 403
    assert client.post(reverse("admin:core_auditevent_delete", args=[row.pk]), {"post": "yes"}).status_code == 403
    bulk = {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"}
    client.post(reverse(CHANGELIST), bulk)
    row.refresh_from_db()
    assert row.actor_username == "staff_a"


def test_the_auditor_cannot_change_anything_else(login, auditor, county, unit, staff_a, rep_a):
    client = login(auditor)
    posts = {
        reverse("admin:core_region_change", args=[county.pk]): {"name": "改名县"},
        reverse("admin:core_handlingunit_change", args=[unit.pk]): {"name": "改名局"},
        reverse("admin:core_user_change", args=[staff_a.pk]): {"role": "committee"},
        reverse("admin:representatives_representative_change", args=[rep_a.pk]): {"name": "改名"},
        reverse("admin:core_region_add"): {"name": "新县"},
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 403, url
    assert client.get(reverse("admin:representatives_representative_changelist")).status_code == 403
    assert client.get(reverse("admin:core_user_changelist")).status_code == 403
    county.refresh_from_db()
    assert county.name == "城步苗族自治县"


def test_committee_staff_neither_see_nor_open_the_log(login, committee_staff, logged):
    client = login(committee_staff)
    assert client.get(reverse(CHANGELIST)).status_code == 403
    assert client.get(reverse("admin:core_auditevent_change", args=[logged["a"].pk])).status_code == 403
    assert reverse(CHANGELIST) not in client.get(reverse("admin:index")).content.decode()


def test_a_township_auditor_sees_only_the_rows_of_the_township(login, township_a, logged):
    auditor_a = core_services.user_create(
        username="auditor_a", password=None, role=User.Role.AUDITOR, regions=[township_a]
    )
    listed = login(auditor_a).get(reverse(CHANGELIST)).context["cl"].result_list
    listed = {e.pk for e in listed}
    assert logged["a"].pk in listed and not {logged["b"].pk, logged["none"].pk} & listed
    assert login(auditor_a).get(reverse("admin:core_auditevent_change", args=[logged["b"].pk])).status_code in (
        302,
        404,
    )


def test_the_auditor_exports_the_log_to_xlsx_and_the_export_is_recorded(login, auditor, logged):
    data = {"format": 0, "resource": 0}
    data |= {f"auditeventresource_{f}": True for f in ("at", "kind", "actor_username", "ip", "target_repr", "detail")}
    response = login(auditor).post(reverse("admin:core_auditevent_export"), data)
    assert response.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("时间", "事件类型", "操作人账号")
    assert {r[2] for r in rows[1:]} >= {"staff_a", "staff_b", "stranger"}
    [row] = events(Kind.EXPORT, actor=auditor)
    assert row.detail["register"] == "core.auditevent" and row.detail["rows"] == len(rows) - 1


def test_the_auditor_role_holds_only_the_audit_permissions(auditor):
    assert auditor.is_staff and not auditor.is_superuser
    assert auditor.get_all_permissions() == {"core.view_auditevent", "core.export_auditevent"}


def test_a_deleted_account_still_names_its_rows(staff_a, township_a):
    row = audit_event(Kind.DOWNLOAD, user=staff_a, target=township_a)
    staff_a.delete()
    row.refresh_from_db()
    assert row.actor is None and row.actor_username == "staff_a"
    assert Region.objects.filter(pk=township_a.pk).exists()
