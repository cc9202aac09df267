"""Background exports of the big registers: the workbook, its scope, its states, its download,
the admin button, the refusal of large in-request exports, and memory that does not grow."""

import datetime
import itertools
import tracemalloc

import openpyxl
import pytest
from django.db.models.signals import post_init
from django.urls import reverse
from django.utils import timezone

from apps.core import export_jobs
from apps.core.export_jobs import export_request, export_run
from apps.core.models import ExportJob
from apps.liaison import services
from apps.liaison.models import Concern
from apps.liaison.resources import ConcernResource
from apps.proposals.models import Proposal
from tests.proposals.conftest import accepted, draft, session  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
Status = ExportJob.Status
_codes = itertools.count(1)


@pytest.fixture(autouse=True)
def _export_dir(settings, tmp_path):
    settings.RENDA_EXPORT_DIR = str(tmp_path / "exports")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "exports"


@pytest.fixture
def concern_a(township_a):
    concern, _ = services.concern_submit(
        region=township_a, category="roads", description="村道塌方。", name="王大妈", phone="13812345678"
    )
    return concern


@pytest.fixture
def concern_b(township_b):
    concern, _ = services.concern_submit(region=township_b, category="water", description="停水三天。", name="李大伯")
    return concern


def bulk_concerns(region, n: int) -> None:
    moment = timezone.now()
    Concern.objects.bulk_create(
        Concern(
            tracking_code=f"X{next(_codes):08d}",
            region=region,
            category=Concern.Category.ROADS,
            description="路灯不亮" * 20,
            consented_at=moment,
            accept_due_on=datetime.date(2022, 3, 1),
        )
        for _ in range(n)
    )


def run(user, query="", model_label="liaison.concern") -> ExportJob:
    job = export_request(model_label=model_label, query=query, by=user)
    export_run(job_id=job.pk)
    job.refresh_from_db()
    return job


def sheet_rows(job: ExportJob) -> list[tuple]:
    book = openpyxl.load_workbook(export_jobs.export_file(job.file_name), read_only=True)
    return list(book.worksheets[0].iter_rows(values_only=True))


# --- the workbook ------------------------------------------------------------------------------


def test_the_workbook_has_the_resource_header_and_only_the_township_rows(staff_a, concern_a, concern_b):
    job = run(staff_a)
    rows = sheet_rows(job)
    assert list(rows[0]) == ConcernResource(user=staff_a).get_export_headers()
    assert [(r[0], r[3], r[8], r[9]) for r in rows[1:]] == [(concern_a.display_code, "儒林镇", "王大妈", "13812345678")]
    assert (job.status, job.rows_done, job.rows_total, job.progress, job.error) == (Status.DONE, 1, 1, 100, "")


def test_the_workbook_is_named_for_its_content_with_the_header_frozen(staff_a, concern_a):
    job = run(staff_a)
    sheet = openpyxl.load_workbook(export_jobs.export_file(job.file_name)).worksheets[0]
    assert (sheet.title, sheet.freeze_panes) == ("群众意见台账", "A2")
    assert job.title == f"群众意见台账-儒林镇-{timezone.localdate():%Y-%m-%d}"


def test_the_workbook_follows_the_changelist_filters_and_is_formula_safe(committee_staff, concern_a, township_b):
    services.concern_submit(region=township_b, category="other", description="=HYPERLINK(1)", name="=cmd")
    job = run(committee_staff, query=f"township={township_b.pk}")
    assert job.query == f"township={township_b.pk}"
    assert [(r[10], r[8]) for r in sheet_rows(job)[1:]] == [("'=HYPERLINK(1)", "'=cmd")]


@pytest.mark.usefixtures("accepted")
def test_proposals_export_through_their_own_resource(committee_staff):
    job = run(committee_staff, model_label="proposals.proposal")
    rows = sheet_rows(job)
    assert job.status == Status.DONE and len(rows) == 2
    assert Proposal.objects.get().title in rows[1]


# --- states ------------------------------------------------------------------------------------


def test_progress_is_saved_as_rows_are_written(monkeypatch, staff_a, township_a):
    bulk_concerns(township_a, 5)
    monkeypatch.setattr(export_jobs, "PROGRESS_EVERY", 2)
    seen = []
    original = export_jobs.safe_cell

    def spy(value):  # what another process would read while the rows are written
        seen.append(ExportJob.objects.values_list("status", "rows_done").get())
        return original(value)

    monkeypatch.setattr(export_jobs, "safe_cell", spy)
    job = export_request(model_label="liaison.concern", query="", by=staff_a)
    assert (job.status, job.rows_done) == (Status.QUEUED, 0)
    export_run(job_id=job.pk)
    assert {s for s, _ in seen} == {Status.RUNNING}
    assert sorted({n for _, n in seen}) == [0, 2, 4]
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.rows_total) == (Status.DONE, 5, 5)
    assert export_run(job_id=job.pk) is None  # a redelivered task does not write it twice


def test_a_failure_ends_failed_with_its_reason_and_no_file(monkeypatch, staff_a, concern_a, _export_dir):
    def broken(self, concern):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(ConcernResource, "dehydrate_status", broken)
    job = run(staff_a)
    assert (job.status, job.file_name) == (Status.FAILED, "")
    assert "RuntimeError" in job.error and "disk on fire" in job.error
    assert not any(_export_dir.iterdir())


def test_a_requester_who_lost_the_permission_gets_a_failed_job(staff_a, concern_a):
    job = export_request(model_label="liaison.concern", query="", by=staff_a)
    staff_a.is_active = False
    staff_a.save()
    export_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.error) == (Status.FAILED, "申请人已无导出该数据的权限。")


def test_asking_needs_the_export_permission(liaison_a):
    with pytest.raises(export_jobs.ExportError):
        export_request(model_label="liaison.concern", query="", by=liaison_a)
    assert not ExportJob.objects.exists()


# --- download and the jobs page ----------------------------------------------------------------


def test_download_is_for_the_requester_and_staff_covering_it(login, staff_a, staff_b, committee_staff, concern_a):
    job = run(staff_a)
    url = reverse("export_download", args=[job.token])
    response = login(staff_a).get(url)
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"PK")
    assert login(committee_staff).get(url).status_code == 200  # the county covers the township
    assert login(staff_b).get(url).status_code == 404
    assert login(None).get(url).status_code == 302


def test_a_county_export_is_not_downloadable_by_township_staff(login, staff_a, committee_staff, concern_a):
    job = run(committee_staff)
    assert login(staff_a).get(reverse("export_download", args=[job.token])).status_code == 404


def test_an_unfinished_job_has_nothing_to_download(login, staff_a):
    job = export_request(model_label="liaison.concern", query="", by=staff_a)
    assert login(staff_a).get(reverse("export_download", args=[job.token])).status_code == 404


@pytest.mark.parametrize("jobs", [1, 15])
def test_the_jobs_page_lists_ones_own_in_fixed_queries(login, staff_a, staff_b, jobs, django_assert_max_num_queries):
    for _ in range(jobs):
        export_request(model_label="liaison.concern", query="", by=staff_a)
    other = export_request(model_label="liaison.concern", query="", by=staff_b)
    client = login(staff_a)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("export_jobs"))
    page = response.content.decode()
    assert page.count('class="status-queued"') == jobs
    assert f"export-job-{other.pk}" not in page
    assert 'http-equiv="refresh"' in page


# --- the admin ---------------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["liaison_concern", "proposals_proposal"])
def test_the_changelist_button_queues_a_job_for_its_filters(login, committee_staff, model):
    client = login(committee_staff)
    url = reverse(f"admin:{model}_background_export")
    assert url in client.get(reverse(f"admin:{model}_changelist")).content.decode()
    assert client.get(url + "?status=submitted").status_code == 302
    assert not ExportJob.objects.exists()  # only a POST asks
    response = client.post(url + "?status=submitted")
    assert response.url == reverse("export_jobs")
    job = ExportJob.objects.get()
    asked = (committee_staff, model.replace("_", "."), "status=submitted")
    assert (job.requested_by, job.model_label, job.query) == asked


def test_staff_without_the_export_permission_get_no_button_and_no_job(login, liaison_a):
    client = login(liaison_a)
    url = reverse("admin:liaison_concern_background_export")
    assert url not in client.get(reverse("admin:liaison_concern_changelist")).content.decode()
    assert client.post(url).status_code == 403
    assert not ExportJob.objects.exists()


def test_the_in_request_export_is_refused_above_the_limit(settings, login, staff_a, concern_a, township_a):
    bulk_concerns(township_a, 2)
    settings.RENDA_EXPORT_SYNC_MAX_ROWS = 2
    data = {"format": 0, "resource": 0, **{f"concernresource_{f}": True for f in ConcernResource.Meta.fields}}
    response = login(staff_a).post(reverse("admin:liaison_concern_export"), data)
    assert response.status_code == 200 and "Content-Disposition" not in response
    assert "后台导出 xlsx" in response.content.decode()
    settings.RENDA_EXPORT_SYNC_MAX_ROWS = 3
    response = login(staff_a).post(reverse("admin:liaison_concern_export"), data)
    assert response["Content-Disposition"].startswith("attachment")


# --- memory ------------------------------------------------------------------------------------


def _peak(user, monkeypatch) -> int:
    job = export_request(model_label="liaison.concern", query="", by=user)
    tracemalloc.start()
    try:
        export_run(job_id=job.pk)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        assert ExportJob.objects.get(pk=job.pk).status == Status.DONE


def test_rows_reach_the_sheet_a_chunk_at_a_time(monkeypatch, staff_a, township_a):
    """When the first row is written, only the first chunk of concerns has been read."""
    monkeypatch.setattr(export_jobs, "CHUNK_SIZE", 100)
    bulk_concerns(township_a, 1000)
    loaded, at_first_row = [], []
    original = export_jobs.write_workbook

    def spy(target, headers, rows, **kwargs):
        def watched():
            for row in rows:
                at_first_row.append(len(loaded))
                yield row

        return original(target, headers, watched(), **kwargs)

    monkeypatch.setattr(export_jobs, "write_workbook", spy)
    post_init.connect(lambda sender, **kw: loaded.append(1), sender=Concern, weak=False, dispatch_uid="hc-count")
    try:
        job = run(staff_a)
    finally:
        post_init.disconnect(sender=Concern, dispatch_uid="hc-count")
    assert job.rows_done == 1000
    assert at_first_row[0] <= 100 and len(loaded) == 1000


def test_memory_does_not_grow_with_the_rows(monkeypatch, staff_a, township_a):
    """8x the rows, not 8x the memory. (Holding the rows, as the in-request Dataset does, takes
    ~0.8 kB a row: ~5.5 MB more here; streaming stays within allocator noise.)"""
    monkeypatch.setattr(export_jobs, "CHUNK_SIZE", 100)
    bulk_concerns(township_a, 1000)
    _peak(staff_a, monkeypatch)  # warm-up: imports, translations and caches are not rows
    small = _peak(staff_a, monkeypatch)
    bulk_concerns(township_a, 7000)
    large = _peak(staff_a, monkeypatch)
    assert large < small + 2 * 1024 * 1024, (small, large)
