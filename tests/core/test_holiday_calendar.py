"""The holiday calendar staff enter (2027 onwards, which the pinned chinese-calendar does not know):
working days read it first, the package is the default, the November warning, importing a file,
and the open deadlines counted again after a change (preview, then confirm)."""

import io
from datetime import date, datetime, timedelta

import openpyxl
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.core import services as core_services
from apps.core.deadlines import deadline_preview, deadlines_recompute, preview_fingerprint
from apps.core.holidays import Day, parse_ics
from apps.core.models import CalendarDay, HolidayYear
from apps.core.workdays import Source, add_workdays, calendar_warning, is_workday, workdays_between, year_calendar
from apps.liaison import services
from apps.liaison.models import Concern, ConcernEvent

H, W = CalendarDay.Kind.HOLIDAY, CalendarDay.Kind.WORKDAY


def spring_festival_2027() -> list[Day]:
    """A test's own 2027 Spring Festival: 5-13 February off, Sunday 31 January and Saturday 20
    February worked."""
    days = [Day(date(2027, 2, 5) + timedelta(days=n), H, "春节") for n in range(9)]
    return [*days, Day(date(2027, 1, 31), W, "春节"), Day(date(2027, 2, 20), W, "春节")]


@pytest.fixture
def calendar_2027(db):
    return core_services.holiday_year_save(year=2027, days=spring_festival_2027(), source="测试")


def _at(year, month, day, hour=10):
    return time_machine.travel(timezone.make_aware(datetime(year, month, day, hour)), tick=False)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- working days --------------------------------------------------------------------------------


def test_a_year_nobody_entered_and_the_package_does_not_know_counts_weekends_only(db):
    assert year_calendar(2027).source == Source.NONE
    assert add_workdays(date(2027, 2, 4), 2) == date(2027, 2, 8)  # Friday, Monday


def test_deadlines_across_the_2027_spring_festival_follow_the_calendar_staff_entered(calendar_2027):
    assert year_calendar(2027).source == Source.ADMIN
    assert add_workdays(date(2027, 2, 4), 2) == date(2027, 2, 16)
    assert add_workdays(date(2027, 1, 29), 1) == date(2027, 1, 31)  # the 调休 Sunday
    assert add_workdays(date(2027, 2, 15), 15) == date(2027, 3, 5)  # Saturday 20 February counts
    assert workdays_between(date(2027, 2, 4), date(2027, 2, 16)) == 2


def test_a_concern_submitted_before_the_spring_festival_gets_its_deadlines_from_the_calendar(calendar_2027, township_a):
    with _at(2027, 2, 4):
        concern, _created = services.concern_submit(region=township_a, category="roads", description="路灯坏了。")
    assert concern.accept_due_on == date(2027, 2, 16)


def test_staff_entries_replace_the_packages_data_for_a_year_it_knows(db):
    assert not is_workday(date(2026, 10, 1))  # the package: National Day
    core_services.holiday_year_save(year=2026, days=[Day(date(2026, 10, 1), W, "测试")])
    assert is_workday(date(2026, 10, 1))
    assert is_workday(date(2026, 10, 2))  # the year is the staff's now: only the days they entered


def test_changing_the_calendar_drops_the_cached_year(calendar_2027):
    assert not is_workday(date(2027, 2, 8))
    CalendarDay.objects.get(date=date(2027, 2, 8)).delete()
    assert is_workday(date(2027, 2, 8))
    HolidayYear.objects.get(year=2027).days.create(date=date(2027, 2, 8), kind=H, name="春节")
    assert not is_workday(date(2027, 2, 8))


def test_a_deadline_reads_each_year_once_not_once_a_day(calendar_2027, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):  # the year's row and its days
        assert add_workdays(date(2027, 2, 15), 15) == date(2027, 3, 5)
    with django_assert_max_num_queries(0):  # cached
        assert add_workdays(date(2027, 3, 1), 60) > date(2027, 5, 1)


# --- the November warning ------------------------------------------------------------------------


def test_no_warning_before_november_while_next_year_is_missing(calendar_2027):
    assert calendar_warning(date(2027, 10, 31)) is None


def test_from_november_the_missing_next_year_is_named(calendar_2027):
    warning = calendar_warning(date(2027, 11, 1))
    assert warning is not None and "2028" in warning


def test_no_warning_once_next_year_is_entered(calendar_2027):
    core_services.holiday_year_save(year=2028, days=[Day(date(2028, 1, 1), H, "元旦")])
    assert calendar_warning(date(2027, 11, 1)) is None


def test_a_year_the_package_knows_needs_no_entry(db):
    assert calendar_warning(date(2025, 11, 20)) is None  # 2026 is in chinese-calendar 1.11.0


def test_the_admin_index_warns_every_staff_member_from_november(calendar_2027, committee_staff, staff_a):
    with _at(2027, 11, 2):
        for user in (committee_staff, staff_a):
            page = _client(user).get(reverse("admin:index"))
            assert "尚未录入2028年的节假日安排" in page.content.decode()
        core_services.holiday_year_save(year=2028, days=[Day(date(2028, 1, 1), H, "元旦")])
        assert "节假日安排：该年" not in _client(committee_staff).get(reverse("admin:index")).content.decode()


# --- entering a year -----------------------------------------------------------------------------


def _xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


ICS = """BEGIN:VCALENDAR\r
VERSION:2.0\r
BEGIN:VEVENT\r
DTSTART;VALUE=DATE:20270205\r
DTEND;VALUE=DATE:20270214\r
SUMMARY:春节\r
END:VEVENT\r
BEGIN:VEVENT\r
DTSTART;VALUE=DATE:20270131\r
SUMMARY:春节调休上班\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_an_ics_file_gives_holidays_and_working_days():
    days = parse_ics(ICS)
    assert len(days) == 10
    assert days[0] == Day(date(2027, 1, 31), W, "春节")
    assert {d.date for d in days if d.kind == H} == {date(2027, 2, 5) + timedelta(days=n) for n in range(9)}


def test_committee_staff_import_a_year_from_xlsx_in_the_admin(committee_staff):
    content = _xlsx(
        [
            ["日期", "结束日期", "类型", "节日"],
            ["2027-02-05", "2027-02-13", "放假", "春节"],
            [date(2027, 2, 20), None, "调休上班", "春节"],
        ]
    )
    upload = SimpleUploadedFile("2027.xlsx", content)
    response = _client(committee_staff).post(
        reverse("admin:core_holidayyear_import"), {"year": 2027, "source": "国办发明电", "file": upload}
    )
    assert response.status_code == 302
    year = HolidayYear.objects.get(year=2027)
    assert (year.days.filter(kind=H).count(), year.days.filter(kind=W).count(), year.source) == (9, 1, "国办发明电")
    assert add_workdays(date(2027, 2, 4), 2) == date(2027, 2, 16)
    assert year.days.first().history.count() == 1  # each day keeps its history


def test_a_file_with_a_day_both_off_and_worked_is_refused_and_nothing_saved(committee_staff):
    content = _xlsx([["日期", "类型"], ["2027-02-05", "放假"], ["2027-02-05", "调休上班"]])
    response = _client(committee_staff).post(
        reverse("admin:core_holidayyear_import"), {"year": 2027, "file": SimpleUploadedFile("x.xlsx", content)}
    )
    assert response.status_code == 200
    assert "既是放假又是上班" in response.content.decode()
    assert not HolidayYear.objects.exists()


def test_township_staff_may_read_the_calendar_but_not_import_it(staff_a):
    client = _client(staff_a)
    assert client.get(reverse("admin:core_holidayyear_changelist")).status_code == 200
    assert client.get(reverse("admin:core_holidayyear_import")).status_code == 403


# --- recomputing open deadlines -------------------------------------------------------------------


@pytest.fixture
def counted_without_2027(township_a, township_b, committee_staff):
    """Concerns whose deadlines were counted before anyone entered 2027 (weekends only)."""
    with _at(2027, 1, 28):
        resolving, _created = services.concern_submit(region=township_a, category="roads", description="村道塌方。")
    with _at(2027, 1, 29):
        services.concern_accept(concern=resolving, by=committee_staff)
    with _at(2027, 2, 4):
        waiting, _created = services.concern_submit(region=township_a, category="water", description="停水。")
        elsewhere, _created = services.concern_submit(region=township_b, category="water", description="停水。")
    return Concern.objects.get(pk=waiting.pk), Concern.objects.get(pk=resolving.pk), elsewhere


def test_the_preview_shows_what_moves_and_changes_nothing(counted_without_2027, committee_staff):
    waiting, resolving, _elsewhere = counted_without_2027
    assert (waiting.accept_due_on, resolving.resolve_due_on) == (date(2027, 2, 8), date(2027, 2, 19))
    core_services.holiday_year_save(year=2027, days=spring_festival_2027())
    moves = {(m.pk, m.field): (m.old, m.new) for m in deadline_preview(user=committee_staff, years=[2026, 2027])}
    assert moves[(waiting.pk, "accept_due_on")] == (date(2027, 2, 8), date(2027, 2, 16))
    assert moves[(resolving.pk, "resolve_due_on")] == (date(2027, 2, 19), date(2027, 2, 25))
    assert Concern.objects.get(pk=waiting.pk).accept_due_on == date(2027, 2, 8)


def test_the_preview_covers_only_the_staff_members_scope(counted_without_2027, staff_b):
    _waiting, _resolving, elsewhere = counted_without_2027
    core_services.holiday_year_save(year=2027, days=spring_festival_2027())
    assert {m.pk for m in deadline_preview(user=staff_b, years=[2027])} == {elsewhere.pk}


def test_confirming_in_the_admin_moves_each_deadline_into_its_history(counted_without_2027, committee_staff):
    waiting, resolving, _elsewhere = counted_without_2027
    holiday_year = core_services.holiday_year_save(year=2027, days=spring_festival_2027())
    client = _client(committee_staff)
    url = reverse("admin:core_holidayyear_recompute", args=[holiday_year.pk])
    preview = client.get(url)
    assert preview.content.decode().count('class="deadline-move"') == 3  # the two in A, one in B
    response = client.post(url, {"fingerprint": preview.context["form"].initial["fingerprint"]})
    assert response.status_code == 302
    waiting = Concern.objects.get(pk=waiting.pk)
    assert waiting.accept_due_on == date(2027, 2, 16)
    versions = waiting.history.order_by("-history_id")  # by id: the submit was time-travelled ahead
    assert [v.accept_due_on for v in versions[:2]] == [date(2027, 2, 16), date(2027, 2, 8)]
    assert versions[0].history_change_reason == "节假日安排变更后重新计算期限"
    event = ConcernEvent.objects.get(concern=waiting, action="recount_due")
    assert "2027-02-08" in event.note and "2027-02-16" in event.note and event.by == committee_staff
    assert Concern.objects.get(pk=resolving.pk).resolve_due_on == date(2027, 2, 25)
    assert deadline_preview(user=committee_staff, years=[2027]) == []


def test_a_preview_that_changed_since_it_was_shown_is_not_applied(counted_without_2027, committee_staff):
    waiting, _resolving, _elsewhere = counted_without_2027
    core_services.holiday_year_save(year=2027, days=spring_festival_2027())
    seen = preview_fingerprint(deadline_preview(user=committee_staff, years=[2027]))
    core_services.holiday_year_save(year=2027, days=spring_festival_2027()[:3])  # someone edits meanwhile
    assert deadlines_recompute(user=committee_staff, years=[2027], fingerprint=seen) is None
    assert Concern.objects.get(pk=waiting.pk).accept_due_on == date(2027, 2, 8)


def test_township_staff_may_not_recompute(calendar_2027, staff_a):
    url = reverse("admin:core_holidayyear_recompute", args=[calendar_2027.pk])
    assert _client(staff_a).get(url).status_code == 403


def test_staff_enter_a_day_on_the_years_page_and_are_offered_the_recomputation(calendar_2027, committee_staff):
    url = reverse("admin:core_holidayyear_change", args=[calendar_2027.pk])
    days = list(calendar_2027.days.order_by("date"))
    data = {"source": "国办发明电", "note": "", "days-TOTAL_FORMS": len(days) + 1, "days-INITIAL_FORMS": len(days)}
    data |= {"days-MIN_NUM_FORMS": 0, "days-MAX_NUM_FORMS": 1000}
    for i, day in enumerate(days):
        data |= {f"days-{i}-id": day.pk, f"days-{i}-holiday_year": calendar_2027.pk, f"days-{i}-date": day.date}
        data |= {f"days-{i}-kind": day.kind, f"days-{i}-name": day.name}
    n = len(days)
    data |= {f"days-{n}-holiday_year": calendar_2027.pk, f"days-{n}-date": "2027-10-01", f"days-{n}-kind": H}
    data |= {f"days-{n}-name": "国庆节"}
    response = _client(committee_staff).post(url, data, follow=True)
    assert response.status_code == 200
    assert not is_workday(date(2027, 10, 1))
    assert reverse("admin:core_holidayyear_recompute", args=[calendar_2027.pk]) in response.content.decode()
    assert CalendarDay.objects.get(date=date(2027, 10, 1)).history.get().history_user == committee_staff
