"""`manage.py load_demo` loads Chengbu's liaison offices: twelve offices with a station each, the
seed article's 526 problems handled in 2022, reception days with representatives on duty, and
current concerns in every status."""

from datetime import date, time, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from apps.core.models import User
from apps.demo.liaison import liaison_demo_load
from apps.liaison.models import (
    Concern,
    ConcernEvent,
    DutyShift,
    Funding,
    LiaisonOffice,
    ReceptionDay,
    ReceptionRecord,
    ReceptionSchedule,
)
from apps.notifications.models import Notification
from apps.proposals.models import Proposal

Status = Concern.Status


@pytest.fixture(scope="module")
def _demo_loaded(django_db_setup, django_db_blocker):
    """Load once for the module, inside a transaction rolled back at its end; each test runs
    in a savepoint of it."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("load_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def output(_demo_loaded, db):
    return _demo_loaded


def _year() -> "Concern.objects":
    return Concern.objects.filter(submitted_at__year=2022)


def _counts() -> dict[str, int]:
    models = [LiaisonOffice, Funding, ReceptionSchedule, ReceptionDay, DutyShift, Concern, ConcernEvent]
    models += [ReceptionRecord, Notification, Proposal, User, Concern.history.model, DutyShift.history.model]
    return {m._meta.label: m._default_manager.count() for m in models}


def test_every_township_has_an_office_with_a_village_station(output):
    offices = LiaisonOffice.objects.filter(level=LiaisonOffice.Level.OFFICE).select_related("region")
    stations = LiaisonOffice.objects.filter(level=LiaisonOffice.Level.STATION).select_related("region", "parent")

    assert offices.count() == 12 and stations.count() == 12
    assert {o.region.parent.code for o in offices} == {"430529"}
    assert all(s.parent.region_id == s.region.parent_id for s in stations)
    assert all(o.head and o.liaison_officer and o.address and o.opening_hours for o in [*offices, *stations])
    assert offices.get(region__name="儒林镇").name == "儒林镇人大代表联系群众工作室"
    assert "联系群众：工作室 12 个、联络站 12 个" in output


def test_each_office_got_twenty_thousand_yuan_extra_in_2022_and_a_schedule_on_the_9th_and_19th(output):
    offices = LiaisonOffice.objects.filter(level=LiaisonOffice.Level.OFFICE)
    extra = Funding.objects.filter(office__in=offices, year=2022, source="县财政专项")

    assert extra.count() == 12 and set(extra.values_list("amount", flat=True)) == {Decimal("20000.00")}
    assert Funding.objects.filter(office__in=offices, year=2022).exclude(source="县财政专项").count() == 12
    schedules = ReceptionSchedule.objects.filter(office__in=offices)
    assert {(s.days_of_month, s.starts_at, s.ends_at) for s in schedules} == {("9,19", time(9), time(11, 30))}
    assert schedules.count() == 12


def test_the_526_problems_of_2022_were_all_handled_within_the_year(output):
    year = _year()

    assert year.count() == 526
    assert set(year.values_list("status", flat=True)) <= {Status.RESOLVED, Status.CLOSED}
    assert all(c.closed_at is None or c.closed_at.year == 2022 for c in year)
    assert {e.at.year for e in ConcernEvent.objects.filter(concern__in=year)} == {2022}
    assert {h.history_date.year for h in Concern.history.filter(id__in=year.values("pk"))} == {2022}
    assert "2022 年处理群众意见 526 条" in output


def test_the_year_mixes_answers_on_the_spot_and_routed_concerns_rated_mostly_satisfied(output):
    year = _year()
    on_spot = year.filter(answered_on_spot=True)
    routes = dict(year.exclude(route="").values_list("route").annotate(n=Count("pk")))
    ratings = dict(year.exclude(rating="").values_list("rating").annotate(n=Count("pk")))

    assert 150 <= on_spot.count() <= 250
    assert ReceptionRecord.objects.filter(concern__in=on_spot).count() == on_spot.count()
    assert set(routes) == set(Concern.Route.values)
    assert set(year.values_list("channel", flat=True)) == set(Concern.Channel.values)
    satisfied = ratings.get("satisfied", 0) + ratings.get("basic", 0)
    assert satisfied / sum(ratings.values()) >= 0.9
    assert ratings["satisfied"] > ratings["basic"] > ratings.get("dissatisfied", 0)
    # Every office handled some, the largest township the most.
    per_office = dict(year.values_list("office__region__name").annotate(n=Count("pk")))
    assert len(per_office) == 12 and max(per_office, key=per_office.get) == "儒林镇"


def test_the_year_keeps_the_deadlines(output):
    routed = _year().exclude(route="")
    assert routed.count() > 300
    for concern in routed:
        assert timezone.localdate(concern.accepted_at) <= concern.accept_due_on, concern.pk
        assert timezone.localdate(concern.resolved_at) <= concern.resolve_due_on, concern.pk
        times = list(concern.events.order_by("pk").values_list("at", flat=True))
        assert times == sorted(times), concern.pk
    assert not Notification.objects.filter(object_id__in=_year().values("pk"), rule__startswith="concern.")


def test_reception_days_of_2022_and_around_today_have_representatives_on_duty(output):
    today = timezone.localdate()
    ruling = LiaisonOffice.objects.get(region__name="儒林镇", level=LiaisonOffice.Level.OFFICE)
    days_2022 = ReceptionDay.objects.filter(office=ruling, date__year=2022)

    assert sorted({d.day for d in days_2022.values_list("date", flat=True)}) == [9, 19]
    assert days_2022.count() == 24
    assert ReceptionDay.objects.filter(office=ruling, date__gt=today).exists()
    assert ReceptionDay.objects.filter(office=ruling, date__range=(today - timedelta(days=80), today)).exists()
    open_days = ReceptionDay.objects.exclude(status=ReceptionDay.Status.CANCELLED).annotate(n=Count("shifts"))
    assert set(open_days.values_list("n", flat=True)) <= {2, 3}
    shift = DutyShift.objects.select_related("representative", "office").first()
    assert shift.representative.township_id == shift.office.region_id


def test_attendance_past_is_mostly_attended_and_future_is_pending(output):
    today = timezone.localdate()
    past = DutyShift.objects.filter(date__lt=today)
    marks = dict(past.values_list("attendance").annotate(n=Count("pk")))

    assert marks["attended"] / sum(marks.values()) >= 0.85
    assert marks.get("absent") and marks.get("excused")
    assert "pending" not in marks
    assert set(DutyShift.objects.filter(date__gt=today).values_list("attendance", flat=True)) == {"pending"}
    checked = past.filter(checked_in_at__isnull=False)
    assert checked.exists()
    assert all(timezone.localdate(s.checked_in_at) == s.date for s in checked)


def test_one_reception_day_was_moved_and_one_cancelled(output):
    moved = ReceptionDay.objects.get(status=ReceptionDay.Status.MOVED)
    cancelled = ReceptionDay.objects.get(status=ReceptionDay.Status.CANCELLED)

    assert moved.date == moved.moved_from + timedelta(days=1) and moved.note
    assert set(moved.shifts.values_list("date", flat=True)) == {moved.date}
    assert set(cancelled.shifts.values_list("attendance", flat=True)) == {"excused"}


def test_current_concerns_are_in_every_status(output):
    today = timezone.localdate()
    current = Concern.objects.filter(submitted_at__date__gte=today - timedelta(days=60))
    unit_edu = User.objects.get(username="unit_edu")
    rep_demo = User.objects.get(username="rep_demo").representative

    assert set(current.values_list("status", flat=True)) == set(Status.values)
    assert current.filter(status=Status.ROUTED, unit=unit_edu.handling_unit).count() == 2
    assert current.filter(status=Status.ROUTED, representative=rep_demo).exists()
    assert current.filter(status=Status.RESOLVED, rating="").exists()
    assert current.filter(status=Status.CLOSED).exclude(rating="").exists()
    assert current.filter(status=Status.SUBMITTED, accept_due_on__lt=today).exists()
    assert current.filter(status=Status.ROUTED, resolve_due_on__lt=today).exists()
    assert all(c.submitted_at <= timezone.now() for c in current)
    assert Notification.objects.filter(recipient=unit_edu, rule="concern.routed").exists()


def test_one_concern_became_a_draft_proposal_of_rep_demo(output):
    concern = Concern.objects.get(proposal__isnull=False)
    proposal = concern.proposal

    assert proposal.status == Proposal.Status.DRAFT if hasattr(Proposal, "Status") else proposal.status == "draft"
    assert proposal.lead.user.username == "rep_demo"
    assert proposal.period == Proposal.Period.RECESS
    assert list(proposal.concerns.all()) == [concern]
    assert concern.events.filter(action="to_proposal").exists()
    assert timezone.localdate(proposal.created_at) < timezone.localdate()


# --- the year written in bulk is what the services write -------------------------------------------


def _trace(concern: Concern) -> tuple[list, list]:
    events = [
        (e.action, e.from_status, e.to_status, e.by_id is None, bool(e.note))
        for e in concern.events.order_by("at", "pk")
    ]
    history = [
        (h.history_type, h.status, h.history_user_id, h.history_change_reason)
        for h in Concern.history.filter(id=concern.pk).order_by("history_date", "history_id")
    ]
    return events, history


def _filled(obj) -> set[str]:
    return {f.name for f in type(obj)._meta.concrete_fields if getattr(obj, f.attname) not in (None, "")}


def _twin(candidates, service_made: Concern, *, steps: int | None = None) -> Concern:
    """A concern of the demo year that went through the same steps as one the services handled."""
    actions = list(service_made.events.order_by("at", "pk").values_list("action", flat=True))
    for concern in candidates.prefetch_related("events"):
        mine = [e.action for e in sorted(concern.events.all(), key=lambda e: (e.at, e.pk))]
        if mine[: steps or len(mine)] == actions[: steps or len(actions)]:
            return concern
    raise AssertionError(f"no concern of the year went through {actions}")


def test_a_concern_of_the_year_has_the_rows_the_services_write(output):
    by_services = Concern.objects.get(submission_key="demo:now:closed")
    twin = _twin(_year().filter(channel="online", route="unit").exclude(name=""), by_services)

    assert _trace(twin) == _trace(by_services)
    assert _filled(twin) == _filled(by_services)
    assert twin.revisits.count() == by_services.revisits.count() == 1


def test_a_visitor_answered_on_the_spot_in_the_year_has_the_rows_the_services_write(output):
    by_services = Concern.objects.get(answered_on_spot=True, submitted_at__year=timezone.localdate().year)
    twin = _twin(_year().filter(answered_on_spot=True), by_services, steps=2)

    events, history = _trace(twin)
    assert (events[:2], history[:2]) == _trace(by_services)
    assert _filled(twin.reception) == _filled(by_services.reception)
    assert ReceptionRecord.history.filter(id=twin.reception.pk).count() == 1
    assert {by_services.reception.reception_day_id is not None, twin.reception.reception_day_id is not None} == {True}


def test_a_shift_of_the_year_has_the_rows_the_services_write(output):
    def trace(shift):
        return [
            (h.history_type, h.attendance, h.checked_by_id is not None, h.history_change_reason)
            for h in shift.history.order_by("history_date", "history_id")
        ]

    window = timezone.localdate() - timedelta(days=80)
    by_services = DutyShift.objects.filter(date__gte=window, attendance__in=["absent", "excused"]).first()
    twin = DutyShift.objects.filter(date__year=2022, attendance=by_services.attendance).first()

    assert trace(twin) == trace(by_services)
    assert _filled(twin) == _filled(by_services)


def test_loading_again_changes_nothing(output):
    counts = _counts()

    summary = liaison_demo_load()

    assert summary["created"] == 0
    assert _counts() == counts
    assert summary["concerns"] == 526 and summary["offices"] == 12


def test_the_demo_is_the_same_for_another_today(output):
    # Loading on another day adds that day's window, never a second year.
    liaison_demo_load(today=timezone.localdate() + timedelta(days=40))

    assert _year().count() == 526
    assert Concern.objects.filter(submission_key__startswith="demo:now:").count() == 11
    assert date(2022, 1, 9) in set(ReceptionDay.objects.values_list("date", flat=True))
