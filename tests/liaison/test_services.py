"""The liaison services: every state change of a concern, the tracking code, reception days,
duty shifts, the statistics selectors and the reminders."""

import math
from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.core.workdays import add_workdays
from apps.liaison import selectors, services
from apps.liaison.models import (
    Concern,
    ConcernEvent,
    DutyShift,
    ReceptionDay,
    ReceptionRecord,
    ReceptionSchedule,
    Revisit,
)
from apps.liaison.services import ConcernError
from apps.notifications.models import Notification
from apps.notifications.rules import run_scans
from apps.proposals.models import Proposal
from tests.factories import RepresentativeFactory, SessionFactory
from tests.images import PNG

Status = Concern.Status
Attendance = DutyShift.Attendance

# A Monday with no holiday around it: working-day deadlines are easy to read.
MONDAY = datetime(2024, 3, 4, 10, 0)


def _at(moment):
    return time_machine.travel(timezone.make_aware(moment), tick=False)


@pytest.fixture
def session(county_term):
    return SessionFactory(term=county_term, number=1)


def _state(concern: Concern) -> tuple:
    """Everything a refused step must leave as it was: the row, its events, its history, its revisits."""
    concern = Concern.objects.get(pk=concern.pk)
    row = {f.attname: getattr(concern, f.attname) for f in Concern._meta.concrete_fields}
    return (
        row,
        ConcernEvent.objects.filter(concern=concern).count(),
        concern.history.count(),
        Revisit.objects.filter(concern=concern).count(),
        Proposal.objects.count(),
    )


# --- tracking codes -----------------------------------------------------------------------------


def test_tracking_codes_use_an_alphabet_without_look_alikes():
    assert len(services.CODE_ALPHABET) == len(set(services.CODE_ALPHABET)) == 25
    assert not set("0O1IL2Z5S8B") & set(services.CODE_ALPHABET)
    code = services.new_tracking_code()
    assert len(code) == services.CODE_LENGTH == 14
    assert set(code) <= set(services.CODE_ALPHABET)


def test_tracking_codes_carry_at_least_sixty_random_bits():
    assert services.CODE_LENGTH * math.log2(len(services.CODE_ALPHABET)) >= 60


def test_tracking_codes_do_not_repeat():
    codes = {services.new_tracking_code() for _ in range(5000)}
    assert len(codes) == 5000


def test_every_concern_gets_its_own_code_shown_in_groups_of_four(concern_a, concern_b):
    assert concern_a.tracking_code != concern_b.tracking_code
    groups = concern_a.display_code.split("-")
    assert [len(g) for g in groups] == [4, 4, 4, 2]
    assert services.normalise_code(concern_a.display_code.lower()) == concern_a.tracking_code
    assert services.normalise_code(f" {concern_a.display_code.replace('-', ' ')} ") == concern_a.tracking_code


# --- submission ---------------------------------------------------------------------------------


def test_a_concern_is_saved_with_its_office_deadline_and_first_event(
    village_a, office_a, staff_a, liaison_a, rep_a, representative_user
):
    with _at(MONDAY):
        concern, created = services.concern_submit(
            region=village_a, category="water", description="停水三天。", addressed_to=rep_a, phone="13800000000"
        )

    assert created and concern.status == Status.SUBMITTED and concern.channel == Concern.Channel.ONLINE
    assert concern.office == office_a  # a village's concern goes to its township's office
    assert concern.accept_due_on == date(2024, 3, 6)  # two working days
    assert concern.resolve_due_on is None
    event = concern.events.get()
    assert (event.action, event.from_status, event.to_status, event.by) == ("submit", "", Status.SUBMITTED, None)
    notified = set(Notification.objects.filter(rule="concern.submitted").values_list("recipient", flat=True))
    assert notified == {staff_a.pk, liaison_a.pk, representative_user.pk}


def test_the_same_form_posted_twice_makes_one_concern(township_a, office_a):
    first, created = services.concern_submit(
        region=township_a, category="roads", description="路灯坏了。", submission_key="k-1"
    )
    again, created_again = services.concern_submit(
        region=township_a, category="roads", description="路灯坏了。", submission_key="k-1"
    )

    assert created and not created_again
    assert again.pk == first.pk
    assert Concern.objects.count() == 1
    assert ConcernEvent.objects.count() == 1


def test_an_invalid_concern_is_refused_and_nothing_is_saved(township_a, office_a):
    with pytest.raises(ValidationError):
        services.concern_submit(region=township_a, category="nonsense", description="内容", submission_key="k-2")
    assert not Concern.objects.exists()


def test_photos_are_kept_with_the_concern(township_a, office_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    photo = SimpleUploadedFile("p.png", PNG, content_type="image/png")
    concern, _ = services.concern_submit(region=township_a, category="roads", description="塌方", photos=[photo])
    assert concern.photos.count() == 1


# --- transitions: the whole matrix --------------------------------------------------------------


@pytest.fixture
def make(concern_a, staff_a):
    """Bring concern_a into a status through the services."""

    def _make(status: str) -> Concern:
        by = staff_a
        if status == Status.REFERRED_OUT:
            services.concern_refer_out(concern=concern_a, reason="petition", note="请到信访局反映。", by=by)
        if status in (Status.ACCEPTED, Status.ROUTED, Status.RESOLVED, Status.CLOSED):
            services.concern_accept(concern=concern_a, by=by)
        if status == Status.ROUTED:
            services.concern_route(concern=concern_a, route="township", by=by)
        if status in (Status.RESOLVED, Status.CLOSED):
            services.concern_resolve(concern=concern_a, answer="已修复", public_answer="已修复", by=by)
        if status == Status.CLOSED:
            services.concern_close(concern=concern_a, by=by)
        concern_a.refresh_from_db()
        assert concern_a.status == status
        return concern_a

    return _make


STEPS = {
    "accept": lambda c, by, **k: services.concern_accept(concern=c, by=by),
    "refer_out": lambda c, by, **k: services.concern_refer_out(concern=c, reason="litigation", note="请诉讼。", by=by),
    "route": lambda c, by, **k: services.concern_route(concern=c, route="township", by=by),
    "resolve": lambda c, by, **k: services.concern_resolve(concern=c, answer="答复", public_answer="答复", by=by),
    "answer_on_spot": lambda c, by, **k: services.concern_answer_on_spot(concern=c, answer="当场答复", by=by),
    "revisit": lambda c, by, **k: services.concern_revisit(
        concern=c, revisited_on=timezone.localdate(), notes="电话回访", by=by
    ),
    "rate": lambda c, by, **k: services.concern_rate(concern=c, rating="satisfied"),
    "close": lambda c, by, **k: services.concern_close(concern=c, by=by),
    "to_proposal": lambda c, by, rep, session: services.concern_to_proposal(
        concern=c, representative=rep, session=session, by=by
    ),
}
ALLOWED = {
    "accept": {Status.SUBMITTED},
    "refer_out": {Status.SUBMITTED, Status.ACCEPTED},
    "route": {Status.ACCEPTED, Status.ROUTED},
    "resolve": {Status.ACCEPTED, Status.ROUTED},
    "answer_on_spot": {Status.SUBMITTED},
    "revisit": {Status.RESOLVED},
    "rate": {Status.RESOLVED, Status.CLOSED},
    "close": {Status.RESOLVED},
    "to_proposal": {Status.ACCEPTED, Status.ROUTED},
}


@pytest.mark.parametrize("step", sorted(STEPS))
@pytest.mark.parametrize("status", Status.values)
def test_each_step_is_allowed_only_from_its_statuses(make, staff_a, rep_a, session, step, status):
    concern = make(status)
    before = _state(concern)
    if status in ALLOWED[step]:
        STEPS[step](concern, staff_a, rep=rep_a, session=session)
        assert _state(concern) != before
    else:
        with pytest.raises(ConcernError, match="不能"):
            STEPS[step](concern, staff_a, rep=rep_a, session=session)
        assert _state(concern) == before


def test_accepting_starts_the_resolution_deadline(concern_a, staff_a):
    with _at(MONDAY):
        services.concern_accept(concern=concern_a, by=staff_a)
    concern_a.refresh_from_db()
    assert concern_a.status == Status.ACCEPTED
    assert concern_a.resolve_due_on == add_workdays(date(2024, 3, 4), 15) == date(2024, 3, 25)
    assert concern_a.accepted_at == timezone.make_aware(MONDAY)
    event = concern_a.events.order_by("pk").last()
    assert (event.action, event.from_status, event.to_status, event.by) == (
        "accept",
        Status.SUBMITTED,
        Status.ACCEPTED,
        staff_a,
    )


def test_referring_out_tells_the_citizen_why(concern_a, staff_a):
    services.concern_refer_out(concern=concern_a, reason="petition", note="请向县信访局反映。", by=staff_a)
    concern_a.refresh_from_db()
    assert concern_a.status == Status.REFERRED_OUT
    assert (concern_a.referral_reason, concern_a.referral_note) == ("petition", "请向县信访局反映。")
    assert concern_a.closed_at is not None
    assert concern_a.events.order_by("pk").last().note == "请向县信访局反映。"


@pytest.mark.parametrize(
    ("reason", "note", "message"),
    [("", "说明", "请选择引导理由"), ("nonsense", "说明", "请选择引导理由"), ("petition", "  ", "请写明")],
)
def test_referring_out_needs_a_reason_and_a_note(concern_a, staff_a, reason, note, message):
    before = _state(concern_a)
    with pytest.raises(ConcernError, match=message):
        services.concern_refer_out(concern=concern_a, reason=reason, note=note, by=staff_a)
    assert _state(concern_a) == before


@pytest.fixture
def accepted(concern_a, staff_a):
    services.concern_accept(concern=concern_a, by=staff_a)
    concern_a.refresh_from_db()
    return concern_a


def test_routing_to_a_unit_tells_its_staff_by_the_deadline(accepted, staff_a, unit, unit_staff):
    services.concern_route(concern=accepted, route="unit", unit=unit, by=staff_a)
    accepted.refresh_from_db()
    assert (accepted.status, accepted.route, accepted.unit, accepted.representative) == (
        Status.ROUTED,
        "unit",
        unit,
        None,
    )
    note = Notification.objects.get(rule="concern.routed")
    assert (note.recipient, note.due_on) == (unit_staff, accepted.resolve_due_on)
    assert accepted.events.order_by("pk").last().note == "县教育局"


def test_routing_again_to_a_representative_replaces_the_unit(accepted, staff_a, unit, rep_a, representative_user):
    services.concern_route(concern=accepted, route="unit", unit=unit, by=staff_a)
    services.concern_route(concern=accepted, route="representative", representative=rep_a, unit=unit, by=staff_a)
    accepted.refresh_from_db()
    assert (accepted.route, accepted.unit, accepted.representative) == ("representative", None, rep_a)
    assert Notification.objects.filter(rule="concern.routed", recipient=representative_user).exists()


def test_routing_to_the_township_government(accepted, staff_a):
    services.concern_route(concern=accepted, route="township", by=staff_a)
    accepted.refresh_from_db()
    assert (accepted.status, accepted.route, accepted.unit, accepted.representative) == (
        Status.ROUTED,
        "township",
        None,
        None,
    )


@pytest.mark.parametrize(
    ("route", "message"),
    [
        ("unit", "请选择承办单位"),
        ("representative", "请选择办理代表"),
        ("elsewhere", "请选择转办对象"),
        ("", "请选择转办对象"),
    ],
)
def test_routing_needs_a_target(accepted, staff_a, route, message):
    before = _state(accepted)
    with pytest.raises(ConcernError, match=message):
        services.concern_route(concern=accepted, route=route, by=staff_a)
    assert _state(accepted) == before


def test_resolving_records_the_answer_and_the_public_answer(accepted, staff_a):
    services.concern_resolve(concern=accepted, answer="内部：已协调", public_answer="已修复", by=staff_a)
    accepted.refresh_from_db()
    assert (accepted.status, accepted.answer, accepted.public_answer) == (Status.RESOLVED, "内部：已协调", "已修复")
    assert accepted.resolved_at is not None


@pytest.mark.parametrize(("answer", "public_answer"), [("", "已修复"), ("已协调", " "), ("", "")])
def test_resolving_needs_both_answers(accepted, staff_a, answer, public_answer):
    before = _state(accepted)
    with pytest.raises(ConcernError, match="请填写办理情况"):
        services.concern_resolve(concern=accepted, answer=answer, public_answer=public_answer, by=staff_a)
    assert _state(accepted) == before


def test_answering_on_the_spot_accepts_and_resolves_at_once(concern_a, liaison_a):
    services.concern_answer_on_spot(concern=concern_a, answer="当场讲解了政策", by=liaison_a)
    concern_a.refresh_from_db()
    assert concern_a.status == Status.RESOLVED and concern_a.answered_on_spot
    assert concern_a.accepted_at == concern_a.resolved_at
    assert concern_a.public_answer == "当场讲解了政策"


def test_answering_on_the_spot_needs_the_answer(concern_a, liaison_a):
    before = _state(concern_a)
    with pytest.raises(ConcernError, match="请填写答复内容"):
        services.concern_answer_on_spot(concern=concern_a, answer=" ", by=liaison_a)
    assert _state(concern_a) == before


@pytest.fixture
def resolved(accepted, staff_a):
    services.concern_resolve(concern=accepted, answer="已修复", public_answer="已修复", by=staff_a)
    accepted.refresh_from_db()
    return accepted


def test_the_citizen_rates_once_even_after_closing(resolved, staff_a):
    services.concern_close(concern=resolved, by=staff_a)
    services.concern_rate(concern=resolved, rating="basic")
    resolved.refresh_from_db()
    assert (resolved.status, resolved.rating) == (Status.CLOSED, "basic")
    assert resolved.events.order_by("pk").last().by is None

    before = _state(resolved)
    with pytest.raises(ConcernError, match="已经评价过了"):
        services.concern_rate(concern=resolved, rating="satisfied")
    assert _state(resolved) == before


def test_a_rating_must_be_one_of_the_three(resolved):
    before = _state(resolved)
    with pytest.raises(ConcernError, match="请选择满意"):
        services.concern_rate(concern=resolved, rating="great")
    assert _state(resolved) == before


def test_revisits_are_recorded_with_their_notes(resolved, staff_a):
    revisit = services.concern_revisit(
        concern=resolved, revisited_on=timezone.localdate(), notes="电话回访，群众满意", by=staff_a
    )
    assert (revisit.concern, revisit.recorded_by) == (resolved, staff_a)
    assert resolved.events.order_by("pk").last().action == "revisit"
    assert Concern.objects.get(pk=resolved.pk).status == Status.RESOLVED


@pytest.mark.parametrize(("days", "notes", "message"), [(1, "回访", "不能晚于今天"), (0, " ", "请填写回访情况")])
def test_a_revisit_needs_notes_and_cannot_be_in_the_future(resolved, staff_a, days, notes, message):
    before = _state(resolved)
    with pytest.raises(ConcernError, match=message):
        services.concern_revisit(
            concern=resolved, revisited_on=timezone.localdate() + timedelta(days=days), notes=notes, by=staff_a
        )
    assert _state(resolved) == before


def test_closing(resolved, staff_a):
    services.concern_close(concern=resolved, by=staff_a)
    resolved.refresh_from_db()
    assert resolved.status == Status.CLOSED and resolved.closed_at is not None


def test_a_concern_becomes_a_draft_proposal_linked_both_ways(accepted, staff_a, rep_a, session):
    proposal = services.concern_to_proposal(concern=accepted, representative=rep_a, session=session, by=staff_a)
    accepted.refresh_from_db()

    assert accepted.proposal == proposal
    assert list(proposal.concerns.all()) == [accepted]
    assert (proposal.status, proposal.lead, proposal.formation) == ("draft", rep_a, "liaison")
    assert accepted.display_code in proposal.title and proposal.content == accepted.description
    assert accepted.status == Status.ACCEPTED  # the concern itself is still to be answered
    assert accepted.events.order_by("pk").last().note == str(proposal.pk)

    before = _state(accepted)
    with pytest.raises(ConcernError, match="已经转为代表建议"):
        services.concern_to_proposal(concern=accepted, representative=rep_a, session=session, by=staff_a)
    assert _state(accepted) == before


def test_a_representative_out_of_office_cannot_get_a_proposal(accepted, staff_a, session, township_a, county_term):
    gone = RepresentativeFactory(
        township=township_a, term=county_term, status="resigned", status_changed_on=date.today()
    )
    before = _state(accepted)
    with pytest.raises(ValidationError):
        services.concern_to_proposal(concern=accepted, representative=gone, session=session, by=staff_a)
    assert _state(accepted) == before


# --- reception records --------------------------------------------------------------------------


def test_a_visitor_answered_on_the_spot_is_a_resolved_concern(office_a, liaison_a):
    record = services.reception_record_add(
        office=office_a,
        received_on=timezone.localdate(),
        matter="咨询医保报销",
        by=liaison_a,
        visitor_name="王大妈",
        answered_on_spot=True,
        answer="当场讲解",
        category="health",
    )
    concern = Concern.objects.get(pk=record.concern_id)
    assert concern.channel == Concern.Channel.RECEPTION and concern.answered_on_spot
    assert concern.status == Status.RESOLVED and concern.name == "王大妈"
    assert [e.action for e in concern.events.order_by("pk")] == ["submit", "answer_on_spot"]


def test_a_visitor_not_answered_on_the_spot_leaves_a_concern_to_follow(station_a, office_a, liaison_a):
    day = ReceptionDay.objects.create(office=station_a, date=timezone.localdate(), starts_at=time(9), ends_at=time(11))
    record = services.reception_record_add(
        office=station_a, received_on=timezone.localdate(), matter="村道塌方", by=liaison_a, is_urgent=True
    )
    assert record.reception_day == day
    assert record.concern.status == Status.SUBMITTED and record.concern.is_urgent
    assert record.concern.office == office_a  # the station's township office follows it up


@pytest.mark.parametrize(
    ("matter", "on_spot", "answer", "message"),
    [(" ", False, "", "请填写反映事项"), ("咨询", True, " ", "当场答复的，请填写答复情况")],
)
def test_a_reception_record_needs_the_matter_and_the_answer_given(
    office_a, liaison_a, matter, on_spot, answer, message
):
    with pytest.raises(ConcernError, match=message):
        services.reception_record_add(
            office=office_a,
            received_on=timezone.localdate(),
            matter=matter,
            by=liaison_a,
            answered_on_spot=on_spot,
            answer=answer,
        )
    assert not ReceptionRecord.objects.exists() and not Concern.objects.exists()


# --- reception days -----------------------------------------------------------------------------


@pytest.fixture
def schedule(office_a):
    return ReceptionSchedule.objects.create(
        office=office_a, days_of_month="9,19", starts_at=time(9), ends_at=time(11, 30)
    )


def _days(office):
    return list(ReceptionDay.objects.filter(office=office).order_by("date").values_list("date", flat=True))


def test_reception_days_fall_on_the_9th_and_19th(schedule, office_a):
    assert services.reception_days_generate(schedule=schedule, start=date(2024, 1, 1), end=date(2024, 12, 31)) == 24
    days = _days(office_a)
    assert {d.day for d in days} == {9, 19} and len(days) == 24
    assert set(ReceptionDay.objects.values_list("starts_at", "ends_at", "status")) == {
        (time(9), time(11, 30), "scheduled")
    }


def test_the_31st_is_generated_only_in_months_that_have_one(office_a):
    schedule = ReceptionSchedule.objects.create(
        office=office_a, days_of_month="31", starts_at=time(9), ends_at=time(11)
    )
    services.reception_days_generate(schedule=schedule, start=date(2024, 1, 1), end=date(2024, 12, 31))
    assert [d.month for d in _days(office_a)] == [1, 3, 5, 7, 8, 10, 12]


def test_generation_stays_within_the_dates_asked_for(schedule, office_a):
    services.reception_days_generate(schedule=schedule, start=date(2024, 3, 10), end=date(2024, 4, 9))
    assert _days(office_a) == [date(2024, 3, 19), date(2024, 4, 9)]


def test_generating_again_keeps_moved_and_cancelled_days_as_staff_left_them(schedule, office_a, staff_a):
    services.reception_days_generate(schedule=schedule, start=date(2024, 3, 1), end=date(2024, 3, 31))
    ninth = ReceptionDay.objects.get(date=date(2024, 3, 9))
    nineteenth = ReceptionDay.objects.get(date=date(2024, 3, 19))
    services.reception_day_move(day=ninth, to=date(2024, 3, 11), by=staff_a, note="周末顺延")
    services.reception_day_cancel(day=nineteenth, by=staff_a, note="暴雨")

    assert services.reception_days_generate(schedule=schedule, start=date(2024, 3, 1), end=date(2024, 3, 31)) == 0
    assert _days(office_a) == [date(2024, 3, 11), date(2024, 3, 19)]
    assert ReceptionDay.objects.get(date=date(2024, 3, 19)).status == ReceptionDay.Status.CANCELLED


@pytest.fixture
def day(schedule, office_a):
    return ReceptionDay.objects.create(office=office_a, date=date(2024, 3, 9), starts_at=time(9), ends_at=time(11, 30))


def test_a_moved_day_takes_its_shifts_along_and_remembers_where_it_came_from(day, staff_a, rep_a):
    shift = services.shift_assign(day=day, representatives=[rep_a], by=staff_a)[0]
    services.reception_day_move(day=day, to=date(2024, 3, 10), by=staff_a, note="顺延一天")
    services.reception_day_move(day=day, to=date(2024, 3, 11), by=staff_a, note="再顺延一天")
    day.refresh_from_db()
    shift.refresh_from_db()
    assert (day.date, day.moved_from, day.status, day.note) == (
        date(2024, 3, 11),
        date(2024, 3, 9),
        ReceptionDay.Status.MOVED,
        "再顺延一天",
    )
    assert shift.date == date(2024, 3, 11)


def test_a_day_cannot_be_moved_onto_another_or_once_cancelled(day, office_a, staff_a):
    ReceptionDay.objects.create(office=office_a, date=date(2024, 3, 19), starts_at=time(9), ends_at=time(11))
    with pytest.raises(ConcernError, match="该日期已有接待日"):
        services.reception_day_move(day=day, to=date(2024, 3, 19), by=staff_a)
    services.reception_day_cancel(day=day, by=staff_a, note="取消")
    with pytest.raises(ConcernError, match="已取消的接待日不能调整"):
        services.reception_day_move(day=day, to=date(2024, 3, 20), by=staff_a)
    day.refresh_from_db()
    assert day.date == date(2024, 3, 9)


def test_cancelling_excuses_the_shifts_still_pending(day, staff_a, rep_a, neighbour):
    kept, excused = services.shift_assign(day=day, representatives=[rep_a, neighbour], by=staff_a)
    services.shift_mark(shift=kept, attendance=Attendance.ATTENDED, by=staff_a)
    services.reception_day_cancel(day=day, by=staff_a, note="因暴雨取消")
    day.refresh_from_db()
    assert (day.status, day.note) == (ReceptionDay.Status.CANCELLED, "因暴雨取消")
    assert DutyShift.objects.get(pk=kept.pk).attendance == Attendance.ATTENDED
    assert DutyShift.objects.get(pk=excused.pk).attendance == Attendance.EXCUSED


def test_cancelling_needs_a_reason(day, staff_a):
    with pytest.raises(ConcernError, match="须说明原因"):
        services.reception_day_cancel(day=day, by=staff_a, note=" ")
    assert ReceptionDay.objects.get(pk=day.pk).status == ReceptionDay.Status.SCHEDULED


# --- shifts -------------------------------------------------------------------------------------


def test_assigning_puts_each_representative_on_duty_once(day, staff_a, rep_a, neighbour):
    services.shift_assign(day=day, representatives=[rep_a], by=staff_a)
    shifts = services.shift_assign(day=day, representatives=[rep_a, neighbour], by=staff_a)
    assert DutyShift.objects.filter(reception_day=day).count() == 2
    assert {(s.representative, s.date, s.attendance) for s in shifts} == {
        (rep_a, day.date, Attendance.PENDING),
        (neighbour, day.date, Attendance.PENDING),
    }


def test_a_cancelled_day_gets_nobody_on_duty(day, staff_a, rep_a):
    services.reception_day_cancel(day=day, by=staff_a, note="取消")
    day.refresh_from_db()  # shift_assign trusts the instance it is given (it does not re-read the day)
    with pytest.raises(ConcernError, match="不能安排值班"):
        services.shift_assign(day=day, representatives=[rep_a], by=staff_a)
    assert not DutyShift.objects.exists()


@pytest.fixture
def shift(day, staff_a, rep_a):
    return services.shift_assign(day=day, representatives=[rep_a], by=staff_a)[0]


def test_checking_in_and_out(shift, liaison_a):
    with _at(datetime(2024, 3, 9, 8, 55)):
        services.shift_check_in(shift=shift, by=liaison_a)
    with _at(datetime(2024, 3, 9, 11, 35)):
        services.shift_check_out(shift=shift, by=liaison_a)
    shift.refresh_from_db()
    assert shift.attendance == Attendance.ATTENDED and shift.checked_by == liaison_a
    assert timezone.localtime(shift.checked_in_at).time() == time(8, 55)
    assert timezone.localtime(shift.checked_out_at).time() == time(11, 35)


def test_checking_in_or_out_twice_or_out_first_is_refused(shift, liaison_a):
    with pytest.raises(ConcernError, match="请先签到"):
        services.shift_check_out(shift=shift, by=liaison_a)
    services.shift_check_in(shift=shift, by=liaison_a)
    with pytest.raises(ConcernError, match="已经签到"):
        services.shift_check_in(shift=shift, by=liaison_a)
    services.shift_check_out(shift=shift, by=liaison_a)
    with pytest.raises(ConcernError, match="已经签退"):
        services.shift_check_out(shift=shift, by=liaison_a)


def test_a_representative_checks_in_only_on_the_day(shift, rep_a, representative_user):
    with _at(datetime(2024, 3, 8, 9)), pytest.raises(ConcernError, match="只能在值班当天签到"):
        services.shift_check_in(shift=shift, by=representative_user)
    assert DutyShift.objects.get(pk=shift.pk).checked_in_at is None
    with _at(datetime(2024, 3, 9, 9)):
        services.shift_check_in(shift=shift, by=representative_user)
    assert DutyShift.objects.get(pk=shift.pk).attendance == Attendance.ATTENDED


@pytest.mark.parametrize("attendance", [Attendance.ATTENDED, Attendance.ABSENT, Attendance.EXCUSED])
def test_staff_mark_attendance_afterwards(shift, staff_a, attendance):
    services.shift_mark(shift=shift, attendance=attendance, by=staff_a)
    shift.refresh_from_db()
    assert (shift.attendance, shift.checked_by) == (attendance, staff_a)


@pytest.mark.parametrize("attendance", [Attendance.PENDING, "late", ""])
def test_marking_needs_a_real_outcome(shift, staff_a, attendance):
    with pytest.raises(ConcernError, match="请选择出勤情况"):
        services.shift_mark(shift=shift, attendance=attendance, by=staff_a)
    assert DutyShift.objects.get(pk=shift.pk).attendance == Attendance.PENDING


# --- selectors on known data --------------------------------------------------------------------


def test_attendance_rate_counts_attended_over_due_leaving_out_excused(office_a, office_b, staff_a, rep_a, rep_b):
    marks = {
        rep_a: [Attendance.ATTENDED, Attendance.ATTENDED, Attendance.ATTENDED, Attendance.ABSENT, Attendance.EXCUSED],
        rep_b: [Attendance.ABSENT, Attendance.EXCUSED, Attendance.PENDING],
    }
    for rep, outcomes in marks.items():
        office = office_a if rep == rep_a else office_b
        for i, outcome in enumerate(outcomes):
            shift = DutyShift.objects.create(office=office, representative=rep, date=date(2024, 1, 1 + i))
            if outcome != Attendance.PENDING:
                services.shift_mark(shift=shift, attendance=outcome, by=staff_a)

    by_rep = {
        r["representative"]: r for r in selectors.attendance_rates(DutyShift.objects.all(), group_by="representative")
    }
    assert (by_rep[rep_a.pk]["attended"], by_rep[rep_a.pk]["due"]) == (3, 4)
    assert (by_rep[rep_b.pk]["attended"], by_rep[rep_b.pk]["due"]) == (0, 1)
    assert selectors.Share(3, 4).percent == 75.0 and selectors.Share(0, 0).percent is None
    by_office = {r["office"]: r for r in selectors.attendance_rates(DutyShift.objects.all(), group_by="office")}
    assert (by_office[office_a.pk]["attended"], by_office[office_a.pk]["due"]) == (3, 4)


@pytest.fixture
def known_set(township_a, township_b, office_a, office_b, village_a, staff_a, liaison_a, unit):
    """In township A: one overdue unaccepted, one accepted, one referred out, one answered on the
    spot, one resolved and rated satisfied, one closed rated basically satisfied, one closed rated
    dissatisfied, one routed and past its deadline. In township B: one just submitted."""
    with _at(MONDAY):
        services.concern_submit(region=village_a, category="roads", description="1")
        routed, _ = services.concern_submit(region=township_a, category="roads", description="8")
        services.concern_accept(concern=routed, by=staff_a)
        services.concern_route(concern=routed, route="unit", unit=unit, by=staff_a)
    with _at(datetime(2024, 5, 6, 10)):
        accepted, _ = services.concern_submit(region=township_a, category="roads", description="2")
        services.concern_accept(concern=accepted, by=staff_a)
        referred, _ = services.concern_submit(region=township_a, category="roads", description="3")
        services.concern_refer_out(concern=referred, reason="petition", note="信访", by=staff_a)
        services.reception_record_add(
            office=office_a, received_on=date(2024, 5, 6), matter="4", by=liaison_a, answered_on_spot=True, answer="答"
        )
        for rating, close in (("satisfied", False), ("basic", True), ("dissatisfied", True)):
            c, _ = services.concern_submit(region=township_a, category="water", description=rating)
            services.concern_accept(concern=c, by=staff_a)
            services.concern_resolve(concern=c, answer="答", public_answer="答", by=staff_a)
            services.concern_rate(concern=c, rating=rating)
            if close:
                services.concern_close(concern=c, by=staff_a)
        services.concern_submit(region=township_b, category="water", description="B")


def test_concern_statistics_per_office(known_set, office_a, office_b):
    rows = selectors.concern_statistics(Concern.objects.all(), group_by="office", today=date(2024, 5, 7))
    by_office = {r["office"]: r for r in rows}
    a = by_office[office_a.pk]
    assert (a["received"], a["accepted"], a["on_spot"], a["referred"], a["resolved"], a["overdue"]) == (
        8,
        6,
        1,
        1,
        4,
        2,
    )
    assert (a["satisfied"], a["rated"]) == (2, 3)
    b = by_office[office_b.pk]
    assert (b["received"], b["accepted"], b["overdue"], b["rated"]) == (1, 0, 0, 0)


# --- reminders ----------------------------------------------------------------------------------


def test_representatives_on_duty_hear_of_their_reception_day_ahead(
    settings, shift, representative_user, neighbour, day
):
    services.shift_assign(day=day, representatives=[neighbour], by=None)  # neighbour has no account: nobody to tell
    ahead = settings.RENDA_LIAISON["RECEPTION_NOTICE_DAYS"]
    run_scans(today=day.date - timedelta(days=ahead + 1))
    assert not Notification.objects.filter(rule="liaison.reception_notice").exists()

    run_scans(today=day.date - timedelta(days=ahead))
    run_scans(today=day.date - timedelta(days=ahead))
    run_scans(today=day.date - timedelta(days=1))
    notices = Notification.objects.filter(rule="liaison.reception_notice", channel="inbox")
    assert [(n.recipient, n.due_on) for n in notices] == [(representative_user, day.date)]


def test_no_notice_for_a_cancelled_day(shift, day, staff_a, representative_user):
    services.reception_day_cancel(day=day, by=staff_a, note="取消")
    run_scans(today=day.date - timedelta(days=1))
    assert not Notification.objects.filter(rule="liaison.reception_notice").exists()


def test_overdue_concerns_are_reminded_daily_to_the_office_staff(concern_a, staff_a, liaison_a, staff_b):
    due = concern_a.accept_due_on
    run_scans(today=due)
    assert not Notification.objects.filter(rule="liaison.concern_overdue").exists()

    run_scans(today=due + timedelta(days=1))
    run_scans(today=due + timedelta(days=1))
    run_scans(today=due + timedelta(days=2))
    inbox = Notification.objects.filter(rule="liaison.concern_overdue", channel="inbox")
    assert set(inbox.values_list("recipient", flat=True)) == {staff_a.pk, liaison_a.pk}
    assert inbox.filter(recipient=staff_a).count() == 2  # one a day


def test_overdue_routed_concerns_are_reminded_to_their_handler_too(
    accepted, staff_a, unit, unit_staff, rep_a, representative_user, township_a
):
    services.concern_route(concern=accepted, route="unit", unit=unit, by=staff_a)
    other, _ = services.concern_submit(region=township_a, category="roads", description="桥")
    services.concern_accept(concern=other, by=staff_a)
    services.concern_route(concern=other, route="representative", representative=rep_a, by=staff_a)
    accepted.refresh_from_db()

    run_scans(today=accepted.resolve_due_on + timedelta(days=1))
    rows = Notification.objects.filter(rule="liaison.concern_overdue", channel="inbox")
    assert set(rows.filter(object_id=accepted.pk).values_list("recipient", flat=True)) == {staff_a.pk, unit_staff.pk}
    assert set(rows.filter(object_id=other.pk).values_list("recipient", flat=True)) == {
        staff_a.pk,
        representative_user.pk,
    }


def test_answered_concerns_are_not_reminded(resolved):
    run_scans(today=resolved.resolve_due_on + timedelta(days=5))
    assert not Notification.objects.filter(rule="liaison.concern_overdue").exists()


def test_the_representative_on_duty_is_reminded_the_day_before(shift, day, representative_user):
    run_scans(today=day.date - timedelta(days=2))
    assert not Notification.objects.filter(rule="liaison.shift_tomorrow").exists()
    run_scans(today=day.date - timedelta(days=1))
    run_scans(today=day.date - timedelta(days=1))
    rows = Notification.objects.filter(rule="liaison.shift_tomorrow", channel="inbox")
    assert [(n.recipient, n.due_on) for n in rows] == [(representative_user, day.date)]


def test_a_concern_due_soon_is_reminded_once_to_staff_and_handler(accepted, staff_a, unit, unit_staff, settings):
    services.concern_route(concern=accepted, route="unit", unit=unit, by=staff_a)
    accepted.refresh_from_db()
    due = accepted.resolve_due_on
    days = settings.RENDA_LIAISON["DUE_SOON_DAYS"]
    run_scans(today=due - timedelta(days=days + 1))
    assert not Notification.objects.filter(rule="liaison.concern_due_soon").exists()
    run_scans(today=due - timedelta(days=days))
    run_scans(today=due)
    rows = Notification.objects.filter(rule="liaison.concern_due_soon", channel="inbox")
    assert set(rows.values_list("recipient", flat=True)) == {staff_a.pk, unit_staff.pk}
    assert rows.count() == 2


def test_only_serving_representatives_of_the_township_go_on_duty(day, rep_a, rep_b, staff_a):
    with pytest.raises(services.ConcernError, match=rep_b.name):
        services.shift_assign(day=day, representatives=[rep_a, rep_b], by=staff_a)
    assert not DutyShift.objects.exists()
