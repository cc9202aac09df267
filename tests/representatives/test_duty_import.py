"""Voter ratings come in as a spreadsheet: every row through the service, all or nothing, scoped."""

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
    return client.post(url, {"resource": 0, "format": 0, "import_file": upload})


def _row(rep, satisfied=40, basic=5, dissatisfied=5, year=YEAR):
    return [rep.name, rep.credential_no, year, f"{YEAR}-12-10", satisfied, basic, dissatisfied, ""]


def test_a_valid_file_previews_then_records_every_rating(login, staff_a, rep_a, township_a, county_term):
    from tests.factories import RepresentativeFactory

    other = RepresentativeFactory(township=township_a, term=county_term)
    client = login(staff_a)
    response = _upload(client, [_row(rep_a), _row(other, 5, 5, 40)])
    assert response.status_code == 200 and not VoterRating.objects.exists()
    confirm = response.context["confirm_form"]
    response = client.post(reverse("admin:representatives_voterrating_process_import"), confirm.initial)
    assert response.status_code == 302
    assert {r.representative_id: r.percent for r in VoterRating.objects.all()} == {rep_a.pk: 90.0, other.pk: 20.0}
    assert {r.recorded_by for r in VoterRating.objects.all()} == {staff_a}


def test_a_file_with_bad_rows_reports_each_and_records_nothing(login, staff_a, rep_a, rep_b):
    rows = [_row(rep_a), _row(rep_b), _row(rep_a, 0, 0, 0), ["无此人", "X1", YEAR, "2022-12-10", 1, 1, 1, ""]]
    response = _upload(login(staff_a), rows)
    result = response.context["result"]
    assert result.has_validation_errors()
    invalid = {row.number: " ".join(m for ms in row.error_dict.values() for m in ms) for row in result.invalid_rows}
    assert set(invalid) == {2, 3, 4}  # rep_b is outside staff_a's township
    assert "不在您的管辖范围内" in invalid[2] and "不能为零" in invalid[3]
    assert not VoterRating.objects.exists()


def test_importing_again_corrects_the_years_rating(login, staff_a, rep_a):
    client = login(staff_a)
    for satisfied in (40, 10):
        confirm = _upload(client, [_row(rep_a, satisfied, 0, 10)]).context["confirm_form"]
        client.post(reverse("admin:representatives_voterrating_process_import"), confirm.initial)
    assert VoterRating.objects.get().satisfied == 10


def test_liaison_staff_may_not_import(login, liaison_a, rep_a):
    response = _upload(login(liaison_a), [_row(rep_a)])
    assert response.status_code == 403
    assert not VoterRating.objects.exists()
