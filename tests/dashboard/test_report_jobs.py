"""Asking for an annual report and building it: one job per request, progress saved step by step,
failures that end in `failed` with a reason and leave no file behind, scope checked."""

import io
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from apps.core.jobs import stale_after
from apps.dashboard import report, services
from apps.dashboard.figures import period_for_term, period_for_year
from apps.dashboard.models import ReportJob
from tests.dashboard.test_report_render import known_dashboard

Status = ReportJob.Status
YEAR_2022 = period_for_year(2022)


@pytest.fixture
def report_dir(settings, tmp_path) -> Path:
    folder = tmp_path / "reports"
    settings.RENDA_DASHBOARD = {**settings.RENDA_DASHBOARD, "REPORT_DIR": str(folder)}
    return folder


@pytest.fixture
def seen_while_building(monkeypatch):
    """The known dashboard in place of the figures, noting the job's state when they are computed."""
    seen = []

    def build(*, scope, period, scope_label, region=None):
        seen.append(ReportJob.objects.values_list("status", "progress", "step").get())
        return known_dashboard()

    monkeypatch.setattr(services, "build_dashboard", build)
    return seen


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_asking_writes_a_queued_job_and_sends_the_task_only_after_commit(
    committee_staff, county, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = services.report_request(user=committee_staff, period=YEAR_2022)
    assert len(callbacks) == 1
    assert (job.status, job.progress, job.year, job.term_id) == (Status.QUEUED, 0, 2022, None)
    assert (job.paths, job.region_path, job.scope_label) == (("/430529/",), "/430529/", "城步苗族自治县")


def test_asking_again_while_it_is_queued_or_running_returns_the_same_job(committee_staff, county):
    first = services.report_request(user=committee_staff, period=YEAR_2022)
    assert services.report_request(user=committee_staff, period=YEAR_2022) == first
    ReportJob.objects.filter(pk=first.pk).update(status=Status.RUNNING)
    assert services.report_request(user=committee_staff, period=YEAR_2022) == first
    ReportJob.objects.filter(pk=first.pk).update(status=Status.DONE)
    assert services.report_request(user=committee_staff, period=YEAR_2022) != first


def test_another_period_or_township_is_another_job(committee_staff, township_a, county_term):
    first = services.report_request(user=committee_staff, period=YEAR_2022)
    by_term = services.report_request(user=committee_staff, period=period_for_term(county_term))
    one_township = services.report_request(user=committee_staff, period=YEAR_2022, region=township_a)
    assert len({first.pk, by_term.pk, one_township.pk}) == 3
    assert (by_term.term, by_term.year) == (county_term, None)
    assert (one_township.paths, one_township.scope_label) == (("/430529/430529100/",), "儒林镇")


def test_township_staff_get_their_township_and_cannot_ask_for_another(staff_a, township_a, township_b):
    assert services.report_request(user=staff_a, period=YEAR_2022).paths == (township_a.path,)
    with pytest.raises(services.ReportError, match="不在您的管辖范围内"):
        services.report_request(user=staff_a, period=YEAR_2022, region=township_b)
    assert ReportJob.objects.count() == 1


@pytest.mark.parametrize("persona", ["unit", "representative", "anonymous"])
def test_people_without_the_dashboard_cannot_ask(personas, persona):
    from django.contrib.auth.models import AnonymousUser

    user = personas[persona] or AnonymousUser()
    with pytest.raises(PermissionDenied):
        services.report_request(user=user, period=YEAR_2022)
    assert not ReportJob.objects.exists()


def test_building_moves_the_job_from_queued_through_running_to_done(committee_staff, report_dir, seen_while_building):
    job = services.report_request(user=committee_staff, period=YEAR_2022)
    services.report_build(job_id=job.pk)
    assert seen_while_building == [(Status.RUNNING, 5, "计算统计数据")]
    job.refresh_from_db()
    assert (job.status, job.progress, job.error) == (Status.DONE, 100, "")
    assert job.started_at <= job.finished_at
    assert files_in(report_dir) == sorted([job.xlsx_name, job.pdf_name])
    book = openpyxl.load_workbook(io.BytesIO((report_dir / job.xlsx_name).read_bytes()))
    assert book.sheetnames == ["联系群众", "代表建议"]
    assert book["联系群众"]["A1"].value == "城步苗族自治县人大常委会 2022 年代表工作统计报告"
    assert (report_dir / job.pdf_name).read_bytes().startswith(b"%PDF")


def test_a_redelivered_task_does_not_build_the_same_job_twice(committee_staff, report_dir, seen_while_building):
    job = services.report_request(user=committee_staff, period=YEAR_2022)
    services.report_build(job_id=job.pk)
    assert services.report_build(job_id=job.pk) is None
    assert len(seen_while_building) == 1
    assert len(files_in(report_dir)) == 2


def test_a_job_whose_worker_died_is_claimed_again_once_stale(committee_staff, report_dir, seen_while_building):
    job = services.report_request(user=committee_staff, period=YEAR_2022)
    ReportJob.objects.filter(pk=job.pk).update(status=Status.RUNNING, started_at=timezone.now())
    assert services.report_build(job_id=job.pk) is None
    with time_machine.travel(timezone.now() + stale_after(ReportJob) + timedelta(minutes=1)):
        assert services.report_build(job_id=job.pk).status == Status.DONE


def test_a_figure_that_raises_ends_the_job_failed_with_a_reason_and_no_file(committee_staff, report_dir, monkeypatch):
    def broken(**kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(services, "build_dashboard", broken)
    job = services.report_request(user=committee_staff, period=YEAR_2022)
    services.report_build(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert "ZeroDivisionError" in job.error and "division by zero" in job.error
    assert (job.xlsx_name, job.pdf_name) == ("", "")
    assert files_in(report_dir) == []


def test_a_pdf_that_fails_takes_the_finished_workbook_with_it(
    committee_staff, report_dir, seen_while_building, monkeypatch
):
    def broken(html):
        raise OSError("disk full")

    monkeypatch.setattr(report, "report_pdf", broken)
    job = services.report_request(user=committee_staff, period=YEAR_2022)
    services.report_build(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.xlsx_name) == (Status.FAILED, "")
    assert "disk full" in job.error
    assert files_in(report_dir) == []  # neither the workbook nor a partial file is left


def test_the_report_is_built_from_the_real_figures(committee_staff, report_dir):
    job = services.report_request(user=committee_staff, period=YEAR_2022)
    assert services.report_build(job_id=job.pk).status == Status.DONE


def test_reports_are_kept_outside_the_web_root():
    folder = Path(settings.RENDA_DASHBOARD["REPORT_DIR"]).resolve()
    for web_root in (settings.MEDIA_ROOT, settings.STATIC_ROOT, *settings.STATICFILES_DIRS):
        assert not folder.is_relative_to(Path(web_root).resolve())


def test_a_report_of_everything_is_seen_only_by_those_who_see_everything(
    django_user_model, staff_a, committee_staff, report_dir
):
    from apps.core.scope import scope_for
    from apps.dashboard.access import scope_covers_job

    admin = django_user_model.objects.create_superuser("root", password=None)
    job = services.report_request(user=admin, period=YEAR_2022)
    assert (job.paths, job.region_path, job.scope_label) == (("/",), "/", "全部区域")
    assert services.report_build(job_id=job.pk).status == Status.DONE
    assert not ReportJob.objects.visible_to(committee_staff).exists()
    assert not scope_covers_job(scope_for(staff_a), job)
    assert scope_covers_job(scope_for(admin), job)
