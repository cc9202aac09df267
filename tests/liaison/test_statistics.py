"""The statistics page: a year's concerns per township and office, satisfaction with numerator and
denominator, duty attendance per office and representative, the workbook, scope and page cost."""

import io
from datetime import date, datetime, time

import openpyxl
import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.core.models import AuditEvent
from apps.liaison import services
from apps.liaison.models import ReceptionDay
from tests.factories import RepresentativeFactory

STATISTICS = "admin:liaison_concern_statistics"
EXPORT = "admin:liaison_concern_statistics_export"
YEAR = {"year": "2024"}


def _at(moment):
    return time_machine.travel(timezone.make_aware(moment), tick=False)


def _concern(region, by, *, steps=(), rating="", unit=None, rep=None):
    concern, _ = services.concern_submit(region=region, category="roads", description="问题")
    for step in steps:
        if step == "accept":
            services.concern_accept(concern=concern, by=by)
        elif step == "refer":
            services.concern_refer_out(concern=concern, reason="petition", note="请到信访局", by=by)
        elif step == "route_unit":
            services.concern_route(concern=concern, route="unit", unit=unit, by=by)
        elif step == "route_rep":
            services.concern_route(concern=concern, route="representative", representative=rep, by=by)
        elif step == "resolve":
            services.concern_resolve(concern=concern, answer="答", public_answer="答", by=by)
        elif step == "close":
            services.concern_close(concern=concern, by=by)
    if rating:
        services.concern_rate(concern=concern, rating=rating)
    return concern


def _shifts(office, by, marks: dict, day: date):
    reception = ReceptionDay.objects.create(office=office, date=day, starts_at=time(9), ends_at=time(11))
    shifts = services.shift_assign(day=reception, representatives=list(marks), by=by)
    for shift in shifts:
        if marks[shift.representative]:
            services.shift_mark(shift=shift, attendance=marks[shift.representative], by=by)


@pytest.fixture
def neighbour(township_a, county_term):
    return RepresentativeFactory(name="吴建华", township=township_a, term=county_term)


@pytest.fixture
def known_set(
    township_a, township_b, village_a, office_a, office_b, staff_a, staff_b, liaison_a, unit, rep_a, rep_b, neighbour
):
    """Township A, 2024: one never accepted, one answered on the spot (satisfied), one routed to a unit
    and closed (basically satisfied), one referred out, one resolved (dissatisfied), one routed to a
    representative and left open. Township B, 2024: one closed (satisfied); 2023: one more.
    Duty in 2024: 杨秀英 attended twice and was absent once, 吴建华 excused once and attended once
    (A); 蓝春花 absent once (B); in 2023 蓝春花 attended once."""
    with _at(datetime(2024, 3, 4, 10)):
        _concern(village_a, staff_a)
        services.reception_record_add(
            office=office_a,
            received_on=date(2024, 3, 4),
            matter="咨询",
            by=liaison_a,
            answered_on_spot=True,
            answer="答",
        )
        _concern(township_a, staff_a, steps=["accept", "route_unit", "resolve", "close"], rating="basic", unit=unit)
        _concern(township_a, staff_a, steps=["accept", "refer"])
        _concern(township_a, staff_a, steps=["accept", "resolve"], rating="dissatisfied")
        _concern(township_a, staff_a, steps=["accept", "route_rep"], rep=rep_a)
        _concern(township_b, staff_b, steps=["accept", "resolve", "close"], rating="satisfied")
    with _at(datetime(2024, 3, 5, 10)):
        from apps.liaison.models import Concern

        on_spot = Concern.objects.get(answered_on_spot=True)
        services.concern_rate(concern=on_spot, rating="satisfied")
        _shifts(office_a, staff_a, {rep_a: "attended", neighbour: "excused"}, date(2024, 3, 9))
        _shifts(office_a, staff_a, {rep_a: "attended", neighbour: "attended"}, date(2024, 3, 19))
        _shifts(office_a, staff_a, {rep_a: "absent"}, date(2024, 4, 9))
        _shifts(office_b, staff_b, {rep_b: "absent"}, date(2024, 3, 9))
    with _at(datetime(2023, 6, 1, 10)):
        _concern(township_b, staff_b)
        _shifts(office_b, staff_b, {rep_b: "attended"}, date(2023, 6, 9))


def _row(row):
    s = row.satisfaction
    return (
        row.label,
        row.received,
        row.accepted,
        row.on_spot,
        row.referred,
        row.resolved,
        row.overdue,
        s.numerator,
        s.denominator,
    )


def test_the_year_per_township_with_satisfaction_as_numerator_and_denominator(login, committee_staff, known_set):
    stats = login(committee_staff).get(reverse(STATISTICS), YEAR).context["stats"]
    # Accepted counts every concern that was accepted, the one referred out afterwards included.
    assert [_row(r) for r in stats["townships"]] == [
        ("儒林镇", 6, 5, 1, 1, 3, 2, 2, 3),
        ("茅坪镇", 1, 1, 0, 0, 1, 0, 1, 1),
    ]
    assert _row(stats["total"]) == ("合计", 7, 6, 1, 1, 4, 2, 3, 4)
    assert stats["total"].satisfaction.percent == 75.0


def test_the_year_per_office(login, committee_staff, known_set, office_a, office_b):
    stats = login(committee_staff).get(reverse(STATISTICS), YEAR).context["stats"]
    assert [_row(r) for r in stats["offices"]] == [
        (office_a.name, 6, 5, 1, 1, 3, 2, 2, 3),
        (office_b.name, 1, 1, 0, 0, 1, 0, 1, 1),
    ]


def test_duty_attendance_per_office_and_representative(login, committee_staff, known_set, office_a, office_b):
    stats = login(committee_staff).get(reverse(STATISTICS), YEAR).context["stats"]
    offices = [(r.label, r.rate.numerator, r.rate.denominator) for r in stats["office_attendance"]]
    assert offices == [(office_a.name, 3, 4), (office_b.name, 0, 1)]
    reps = {r.label: (r.rate.numerator, r.rate.denominator, r.detail) for r in stats["representative_attendance"]}
    assert reps == {
        "杨秀英": (2, 3, "儒林镇·县人大代表"),
        "吴建华": (1, 1, "儒林镇·县人大代表"),
        "蓝春花": (0, 1, "茅坪镇·县人大代表"),
    }


def test_another_year_is_counted_on_its_own(login, committee_staff, known_set):
    stats = login(committee_staff).get(reverse(STATISTICS), {"year": "2023"}).context["stats"]
    assert [_row(r) for r in stats["townships"]] == [("茅坪镇", 1, 0, 0, 0, 0, 1, 0, 0)]
    assert [(r.label, r.rate.numerator) for r in stats["representative_attendance"]] == [("蓝春花", 1)]


def test_a_township_can_be_chosen(login, committee_staff, known_set, township_b):
    stats = login(committee_staff).get(reverse(STATISTICS), {**YEAR, "township": township_b.pk}).context["stats"]
    assert [r.label for r in stats["townships"]] == ["茅坪镇"]
    assert [r.label for r in stats["representative_attendance"]] == ["蓝春花"]


def test_the_page_shows_the_current_year_by_default(login, committee_staff, known_set):
    response = login(committee_staff).get(reverse(STATISTICS))
    assert response.context["chosen"]["year"] == timezone.localdate().year
    assert response.context["stats"]["townships"] == []


def test_a_year_outside_the_list_is_refused(login, committee_staff):
    response = login(committee_staff).get(reverse(STATISTICS), {"year": "1900"})
    assert response.status_code == 200 and response.context["stats"] is None
    assert response.context["form"].errors


def test_township_staff_see_their_township_only(login, staff_b, known_set, township_a):
    response = login(staff_b).get(reverse(STATISTICS), YEAR)
    stats = response.context["stats"]
    assert [r.label for r in stats["townships"]] == ["茅坪镇"]
    assert [r.label for r in stats["representative_attendance"]] == ["蓝春花"]
    assert [label for _pk, label in response.context["form"].fields["township"].choices][1:] == ["茅坪镇"]
    # Choosing another township is not offered, and asking for it anyway is refused.
    assert login(staff_b).get(reverse(STATISTICS), {**YEAR, "township": township_a.pk}).context["stats"] is None


@pytest.mark.parametrize("persona", ["unit", "representative", "anonymous"])
def test_only_staff_reach_the_statistics(login, personas, persona):
    assert login(personas[persona]).get(reverse(STATISTICS)).status_code == 302


def test_the_workbook_has_the_four_tables(login, committee_staff, known_set):
    response = login(committee_staff).get(reverse(EXPORT), YEAR)
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["按工作室", "按乡镇", "驻室出勤（工作室）", "驻室出勤（代表）"]
    townships = list(book["按乡镇"].iter_rows(values_only=True))
    assert townships[0][:3] == ("乡镇", "收到", "受理")
    assert townships[1] == ("儒林镇", 6, 5, 1, 1, 3, 2, 66.7, 2, 3)
    assert townships[-1] == ("合计", 7, 6, 1, 1, 4, 2, 75, 3, 4)
    reps = list(book["驻室出勤（代表）"].iter_rows(values_only=True))
    assert ("杨秀英", "儒林镇·县人大代表", 66.7, 2, 3) in reps
    exported = AuditEvent.objects.get(kind="export", actor=committee_staff)
    assert exported.detail == {"register": "concern statistics", "year": 2024}


def test_the_workbook_needs_the_export_permission(login, committee_staff, liaison_a):
    assert login(liaison_a).get(reverse(EXPORT), YEAR).status_code == 403
    assert "导出 xlsx" not in login(liaison_a).get(reverse(STATISTICS), YEAR).content.decode()
    committee_staff.groups.first().permissions.remove(Permission.objects.get(codename="export_concern"))
    assert login(committee_staff).get(reverse(EXPORT), YEAR).status_code == 403


def test_the_statistics_cost_the_same_queries_however_many_rows(
    login,
    committee_staff,
    known_set,
    township_a,
    township_b,
    county_term,
    office_a,
    staff_a,
    django_assert_max_num_queries,
):
    url = reverse(STATISTICS)
    client = login(committee_staff)
    client.get(url, YEAR)
    with CaptureQueriesContext(connection) as small:
        client.get(url, YEAR)
    with _at(datetime(2024, 6, 3, 10)):
        for i in range(6):
            _concern(township_a if i % 2 else township_b, staff_a, steps=["accept"])
        more = [RepresentativeFactory(township=township_a, term=county_term) for _i in range(4)]
        _shifts(office_a, staff_a, dict.fromkeys(more, "attended"), date(2024, 6, 9))
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url, YEAR)
    assert response.context["stats"]["total"].received == 13
    assert len(response.context["stats"]["representative_attendance"]) == 7
