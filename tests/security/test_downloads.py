"""Background export and annual report downloads (issue 17, finding 2): a file goes only to
someone allowed it, by an unguessable token; everyone else gets the same 404 as for a job that
does not exist."""

import pytest
from django.urls import Resolver404, resolve, reverse

from apps.core import services as core_services
from apps.core.models import ExportJob, User

pytestmark = pytest.mark.django_db


def export_url(job):
    return reverse("export_download", args=[job.token])


def report_url(job, kind="pdf"):
    return reverse("dashboard:report_download", args=[job.token, kind])


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_the_requester_downloads_their_export(client, world):
    response = _get(client, world.users.staff_a, export_url(world.export_job))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"PK")


def test_committee_staff_of_the_county_download_a_township_export(client, world):
    assert _get(client, world.users.committee, export_url(world.export_job)).status_code == 200


def test_liaison_staff_without_the_export_permission_get_404(client, world):
    liaison = world.users.liaison
    assert not liaison.has_perm("liaison.export_concern")
    assert _get(client, liaison, export_url(world.export_job)).status_code == 404


def test_even_their_own_job_is_refused_without_the_export_permission(client, world):
    own = ExportJob.objects.create(
        requested_by=world.users.liaison,
        model_label="liaison.concern",
        title="群众意见",
        region_path=world.township.path,
        status=ExportJob.Status.DONE,
        file_name=world.export_job.file_name,
    )
    assert _get(client, world.users.liaison, export_url(own)).status_code == 404


def test_another_townships_staff_get_404(client, world, outsiders):
    assert _get(client, outsiders.staff_b, export_url(world.export_job)).status_code == 404
    assert _get(client, outsiders.committee, export_url(world.export_job)).status_code == 404


def test_township_staff_of_the_same_township_may_not_download_a_colleagues_export(client, world):
    colleague = core_services.user_create(
        username="staff_a2", password=None, role=User.Role.TOWNSHIP, full_name="staff_a2", regions=[world.township]
    )
    assert colleague.has_perm("liaison.export_concern")
    assert _get(client, colleague, export_url(world.export_job)).status_code == 404


def test_a_requester_whose_scope_was_narrowed_gets_404_and_no_longer_sees_the_job(client, world, township_b):
    staff_a = world.users.staff_a
    staff_a.regions.set([township_b])
    assert _get(client, staff_a, export_url(world.export_job)).status_code == 404
    page = client.get(reverse("export_jobs")).content.decode()
    assert f"export-job-{world.export_job.pk}" not in page


def test_a_county_wide_export_is_refused_once_the_committee_member_is_narrowed_to_a_township(client, world):
    committee = world.users.committee
    job = ExportJob.objects.create(
        requested_by=committee,
        model_label="liaison.concern",
        title="群众意见",
        region_path=world.county.path,
        status=ExportJob.Status.DONE,
        file_name=world.export_job.file_name,
    )
    assert _get(client, committee, export_url(job)).status_code == 200
    committee.regions.set([world.township])
    assert client.get(export_url(job)).status_code == 404


def test_the_jobs_page_lists_the_requesters_downloadable_jobs(client, world):
    page = _get(client, world.users.staff_a, reverse("export_jobs")).content.decode()
    assert export_url(world.export_job) in page


def test_an_unknown_token_is_404(client, world):
    url = reverse("export_download", args=["00000000-0000-4000-8000-000000000000"])
    assert _get(client, world.users.committee, url).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/exports/{export}/download/",
        "/dashboard/report/{report}/status/",
        "/dashboard/report/{report}/pdf/",
    ],
)
def test_integer_ids_no_longer_resolve(client, world, path):
    url = path.format(export=world.export_job.pk, report=world.report_job.pk)
    with pytest.raises(Resolver404):
        resolve(url)
    assert _get(client, world.users.committee, url).status_code == 404


def test_job_tokens_are_random_uuids(world):
    assert world.export_job.token.version == 4
    assert world.report_job.token.version == 4
    # Random, not derived from the row: two jobs' tokens share nothing guessable.
    assert world.export_job.token != world.report_job.token
    assert world.export_job.token.int != world.export_job.pk


# --- annual reports ----------------------------------------------------------------------------


def test_a_report_goes_to_its_requester_and_committee_staff_only(client, world, outsiders):
    job = world.report_job
    assert _get(client, world.users.staff_a, report_url(job)).status_code == 200
    assert _get(client, world.users.committee, report_url(job)).status_code == 200
    for user in (outsiders.staff_b, outsiders.committee, outsiders.unit, outsiders.representative):
        assert _get(client, user, report_url(job)).status_code == 404, user.username
        status = reverse("dashboard:report_status", args=[job.token])
        assert client.get(status).status_code == 404, user.username


def test_the_report_status_names_its_files_by_token(client, world):
    data = _get(client, world.users.staff_a, reverse("dashboard:report_status", args=[world.report_job.token])).json()
    assert data["pdf_url"] == report_url(world.report_job)
    assert "id" not in data


# --- the migration -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("app", "before", "model", "fields"),
    [
        ("core", "0002_export_job", "ExportJob", {"model_label": "liaison.concern", "title": "群众意见"}),
        (
            "dashboard",
            "0001_initial",
            "ReportJob",
            {"scope_paths": "/1/", "region_path": "/1/", "scope_label": "县", "year": 2022, "period_key": "y2022"},
        ),
    ],
)
def test_the_migration_gives_each_existing_job_its_own_token(app, before, model, fields):
    from django.apps import apps as current
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([(app, before)])
    old = executor.loader.project_state([(app, before)]).apps
    user = old.get_model("core", "User").objects.create(username="old_requester")
    Job = old.get_model(app, model)
    for status in ("done", "failed"):
        Job.objects.create(requested_by_id=user.pk, status=status, **fields)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    tokens = list(current.get_model(app, model).objects.values_list("token", flat=True))
    assert len(tokens) == 2 and None not in tokens and len(set(tokens)) == 2
