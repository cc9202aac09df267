"""Voter ratings come in as a spreadsheet (apps/core/imports.py): every row through the service,
all or nothing, scoped; a row that says what is recorded is skipped."""

import io

import tablib
from django.urls import reverse

from apps.representatives.models import VoterRating
from tests.representatives.conftest import YEAR

HEADERS = ["姓名", "代表证号", "年度", "测评日期", "满意票数", "基本满意票数", "不满意票数", "备注"]


def _upload(client, rows):
    data = tablib.Dataset(headers=HEADERS)
    for row in rows:
        data.append(row)
    upload = io.BytesIO(data.export("xlsx"))
    upload.name = "ratings.xlsx"
    url = reverse("admin:representatives_voterrating_import")
    return client.post(url, {"import_file": upload})


def _confirm(client, response):
    return client.post(
        reverse("admin:representatives_voterrating_process_import"), {"token": response.context["token"]}
    )


def _row(rep, satisfied=40, basic=5, dissatisfied=5, year=YEAR):
    return [rep.name, rep.credential_no, year, f"{YEAR}-12-10", satisfied, basic, dissatisfied, ""]


def test_a_valid_file_previews_then_records_every_rating(login, staff_a, rep_a, township_a, county_term):
    from tests.factories import RepresentativeFactory

    other = RepresentativeFactory(township=township_a, term=county_term)
    client = login(staff_a)
    response = _upload(client, [_row(rep_a), _row(other, 5, 5, 40)])
    assert response.status_code == 200 and not VoterRating.objects.exists()
    assert _confirm(client, response).status_code == 302
    assert {r.representative_id: r.percent for r in VoterRating.objects.all()} == {rep_a.pk: 90.0, other.pk: 20.0}
    assert {r.recorded_by for r in VoterRating.objects.all()} == {staff_a}


def test_a_file_with_bad_rows_reports_each_and_records_nothing(login, staff_a, rep_a, rep_b):
    rows = [_row(rep_a), _row(rep_b), _row(rep_a, 0, 0, 0), ["无此人", "X1", YEAR, "2022-12-10", 1, 1, 1, ""]]
    response = _upload(login(staff_a), rows)
    report = response.context["report"]
    invalid = {}
    for problem in report.problems:
        invalid.setdefault(problem.line, []).append(f"{problem.column}：{problem.message}")
    assert set(invalid) == {3, 4, 5}  # spreadsheet rows; rep_b is outside staff_a's township
    assert "姓名：找不到" in invalid[3][0] and "不在您的管辖范围内" in invalid[3][0]
    assert "不能为零" in " ".join(invalid[4])
    assert not VoterRating.objects.exists()


def test_importing_again_corrects_the_years_rating(login, staff_a, rep_a):
    client = login(staff_a)
    for satisfied in (40, 10):
        _confirm(client, _upload(client, [_row(rep_a, satisfied, 0, 10)]))
    assert VoterRating.objects.get().satisfied == 10
    report = _upload(client, [_row(rep_a, 10, 0, 10)]).context["report"]
    assert (report.new, report.changed, report.unchanged) == (0, 0, 1)


def test_the_template_imports_as_it_is(login, staff_a, rep_a, township_a, county_term):
    from tests.factories import RepresentativeFactory

    RepresentativeFactory(township=township_a, term=county_term)
    client = login(staff_a)
    template = client.get(reverse("admin:representatives_voterrating_import_template"))
    upload = io.BytesIO(template.content)
    upload.name = "template.xlsx"
    response = client.post(reverse("admin:representatives_voterrating_import"), {"import_file": upload})
    assert response.context["report"].problems == []
    _confirm(client, response)
    assert VoterRating.objects.count() == 2


def test_liaison_staff_may_not_import(login, liaison_a, rep_a):
    response = _upload(login(liaison_a), [_row(rep_a)])
    assert response.status_code == 403
    assert not VoterRating.objects.exists()
