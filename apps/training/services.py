"""Writes of the training app: lectures, attendance, retraining, quota reminders.

Each is one function in one transaction; TrainingError carries a message for the person who
tried. Writes check that `by` may act on the hall or representative (township staff only read
the county's hall); notifications are queued in the outbox and sent after commit.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.models import User
from apps.core.permissions import require_staff_writer
from apps.core.uploads import PIL_FORMATS, reencoded_image
from apps.notifications.services import notification_queue
from apps.representatives.choices import Status as RepresentativeStatus
from apps.representatives.models import Representative
from apps.training import materials
from apps.training.models import Attendance, Lecture, Retraining

QUOTA_REMINDER_RULE = "training.behind_quota"
MANUAL_REMINDER_RULE = "training.quota_reminder"


class TrainingError(ValidationError):
    """A step the rules do not allow, with a message for the person who tried it."""


def _full_clean(obj) -> None:
    """Model validation, raised as the app's own error so callers catch one type."""
    try:
        obj.full_clean()
    except TrainingError:
        raise
    except ValidationError as error:
        raise TrainingError(error.error_dict if hasattr(error, "error_dict") else error.messages) from None


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


# --- lectures -----------------------------------------------------------------------------


def _attach_material(lecture: Lecture, upload) -> None:
    try:
        kind = materials.check_material(upload)
    except materials.MaterialRefused as error:
        raise TrainingError({"materials": str(error)}) from None
    lecture.materials_name = upload.name[-200:]
    if kind in PIL_FORMATS:
        upload = reencoded_image(upload, kind)  # only the pixels: no EXIF, nothing appended
    # Stored under the extension of what the file is, whatever its name said.
    upload.name = "material" + materials.KINDS[kind][0]
    lecture.materials = upload


@transaction.atomic
def lecture_save(*, lecture: Lecture, by: User | None, materials_upload=None) -> Lecture:
    """Create or change a lecture; a new material is checked by its content and size first."""
    if lecture.pk:
        locked = Lecture.objects.select_for_update(of=("self",)).select_related("hall__region").get(pk=lecture.pk)
        require_staff_writer(by, locked.hall.region.path)
    if lecture.hall_id:
        require_staff_writer(by, lecture.hall.region.path)
    if materials_upload is not None:
        _attach_material(lecture, materials_upload)
    elif not lecture.materials:
        lecture.materials_name = ""
    if lecture.status == Lecture.Status.HELD and lecture.date and lecture.date > timezone.localdate():
        raise TrainingError({"status": _("授课日期还没到，不能记为已举办。")})
    _full_clean(lecture)
    lecture.save()
    return lecture


@transaction.atomic
def lecture_set_status(*, lecture: Lecture, status: str, by: User | None) -> Lecture:
    lecture = Lecture.objects.select_for_update(of=("self",)).select_related("hall__region").get(pk=lecture.pk)
    require_staff_writer(by, lecture.hall.region.path)
    if status not in Lecture.Status.values:
        raise TrainingError(_("请选择授课状态。"))
    if status == Lecture.Status.HELD and lecture.date > timezone.localdate():
        raise TrainingError(_("授课日期还没到，不能记为已举办。"))
    if status != Lecture.Status.HELD and lecture.attendance.filter(status=Attendance.Status.PRESENT).exists():
        raise TrainingError(_("已有代表登记出席，不能改为“%(status)s”。") % {"status": Lecture.Status(status).label})
    lecture.status = status
    lecture.save(update_fields=["status"])
    return lecture


# --- attendance ---------------------------------------------------------------------------


def _marked_representatives(lecture: Lecture, marks: dict[int, str]) -> dict[int, Representative]:
    bad = sorted({str(s) for s in marks.values() if s not in Attendance.Status.values})
    if bad:
        raise TrainingError(_("出勤情况“%(value)s”无效。") % {"value": "、".join(bad)})
    reps = {
        r.pk: r
        for r in Representative.objects.filter(pk__in=list(marks))
        .select_related("township")
        .only("name", "township__path")
    }
    if len(reps) != len(marks):
        raise TrainingError(_("所选代表不存在。"))
    region_path = lecture.hall.region.path
    strangers = [r.name for r in reps.values() if not r.township.path.startswith(region_path)]
    if strangers:
        raise TrainingError(
            _("只能登记本讲堂所在区域的代表：%(names)s不在%(region)s。")
            % {"names": "、".join(sorted(strangers)), "region": lecture.hall.region.name}
        )
    return reps


def _lock_lecture(lecture: Lecture) -> Lecture:
    return Lecture.objects.select_for_update(of=("self",)).select_related("hall__region").get(pk=lecture.pk)


@transaction.atomic
def attendance_mark(*, lecture: Lecture, marks: dict[int, str], by: User | None) -> int:
    """Record present / absent / excused for representatives (id -> status), all or nothing.

    A planned lecture whose day has come is held once attendance is taken. Returns how many
    rows were written or changed."""
    lecture = _lock_lecture(lecture)
    require_staff_writer(by, lecture.hall.region.path)
    return _write_marks(lecture, marks, by)


@transaction.atomic
def attendance_check_in(*, lecture: Lecture, representative: Representative, by: User) -> bool:
    """A representative checks in with the lecture's 活动码: marked present by the same rules as
    staff marking (not cancelled, its day has come, of the hall's region), by themselves.
    False when they were already marked present."""
    lecture = _lock_lecture(lecture)
    if lecture.attendance.filter(representative=representative, status=Attendance.Status.PRESENT).exists():
        return False
    _write_marks(lecture, {representative.pk: Attendance.Status.PRESENT}, by)
    return True


def _write_marks(lecture: Lecture, marks: dict[int, str], by: User | None) -> int:
    if lecture.status == Lecture.Status.CANCELLED:
        raise TrainingError(_("已取消的授课不能登记出勤。"))
    if lecture.date > timezone.localdate():
        raise TrainingError(_("授课日期还没到，不能登记出勤。"))
    marks = {int(pk): status for pk, status in marks.items()}
    if not marks:
        raise TrainingError(_("没有要登记的代表。"))
    _marked_representatives(lecture, marks)
    existing = {a.representative_id: a for a in lecture.attendance.select_for_update()}
    now, changed, new = timezone.now(), [], []
    for rep_id, status in marks.items():
        row = existing.get(rep_id)
        if row is None:
            new.append(
                Attendance(lecture=lecture, representative_id=rep_id, status=status, marked_by=by, marked_at=now)
            )
        elif row.status != status:
            row.status, row.marked_by, row.marked_at = status, by, now
            changed.append(row)
    Attendance.objects.bulk_create(new)
    Attendance.objects.bulk_update(changed, ["status", "marked_by", "marked_at"])
    if lecture.status == Lecture.Status.PLANNED:
        lecture.status = Lecture.Status.HELD
        lecture.save(update_fields=["status"])
    return len(new) + len(changed)


# --- retraining ---------------------------------------------------------------------------


def _open_retraining_error(open_one: Retraining) -> TrainingError:
    return TrainingError(
        _("%(name)s已有未完成的再培训（%(date)s安排），完成后才能再次安排。")
        % {"name": open_one.representative.name, "date": open_one.assigned_on.strftime("%Y-%m-%d")}
    )


@transaction.atomic
def retraining_assign(*, representative: Representative, reason: str, by, due_on: date | None = None) -> Retraining:
    """Put a representative on retraining (再培训) and tell them in the portal's inbox.

    Refused while an earlier retraining of theirs is open: the representative's row is locked,
    so two staff assigning at once give one retraining, not two."""
    rep = (
        Representative.objects.select_for_update(of=("self",))
        .select_related("township", "user")
        .get(pk=representative.pk)
    )
    require_staff_writer(by, rep.township.path)
    if rep.status != RepresentativeStatus.SERVING:
        raise TrainingError(_("%(name)s已不在任，不能安排再培训。") % {"name": rep.name})
    if not (reason or "").strip():
        raise TrainingError({"reason": _("请写明安排再培训的原因。")})
    today = timezone.localdate()
    if due_on is not None and due_on < today:
        raise TrainingError({"due_on": _("完成期限不能早于今天。")})
    open_one = Retraining.objects.filter(representative=rep, completed_on__isnull=True).first()
    if open_one is not None:
        raise _open_retraining_error(open_one)
    retraining = Retraining(representative=rep, reason=reason.strip(), assigned_by=by, assigned_on=today, due_on=due_on)
    _full_clean(retraining)
    try:
        with transaction.atomic():
            retraining.save()
    except IntegrityError:
        raise _open_retraining_error(Retraining.objects.get(representative=rep, completed_on__isnull=True)) from None
    _notify_assigned(retraining)
    return retraining


def _notify_assigned(retraining: Retraining) -> None:
    user = retraining.representative.user
    if user is None:
        return
    notification_queue(
        rule="training.retraining_assigned",
        target=retraining,
        recipients=[user],
        due_on=retraining.due_on or retraining.assigned_on,
        subject=_("请参加再培训：%(reason)s") % {"reason": retraining.reason[:80]},
        body=retraining.reason,
        channels=["inbox"],
    )


@transaction.atomic
def retraining_complete(
    *, retraining: Retraining, by, lecture: Lecture | None = None, note: str = "", completed_on: date | None = None
) -> Retraining:
    """Close a retraining, optionally by the lecture the representative attended for it."""
    retraining = (
        Retraining.objects.select_for_update(of=("self",))
        .select_related("representative__township")
        .get(pk=retraining.pk)
    )
    require_staff_writer(by, retraining.representative.township.path)
    if retraining.completed_on is not None:
        raise TrainingError(_("这次再培训已于%(date)s完成。") % {"date": retraining.completed_on.strftime("%Y-%m-%d")})
    completed_on = completed_on or timezone.localdate()
    if lecture is not None:
        _check_completing_lecture(retraining, lecture)
        completed_on = lecture.date
    if completed_on < retraining.assigned_on:
        raise TrainingError(_("完成日期不能早于安排日期。"))
    if lecture is None and not note.strip():
        raise TrainingError({"note": _("没有对应的授课时，请说明如何完成的再培训。")})
    retraining.completed_on, retraining.completed_by = completed_on, by
    retraining.lecture, retraining.note = lecture, note.strip()
    retraining.save()
    return retraining


def _check_completing_lecture(retraining: Retraining, lecture: Lecture) -> None:
    attended = Attendance.objects.filter(
        lecture=lecture, representative=retraining.representative_id, status=Attendance.Status.PRESENT
    ).exists()
    if lecture.status != Lecture.Status.HELD or not attended:
        raise TrainingError(
            _("%(name)s没有出席“%(lecture)s”，不能以此完成再培训。")
            % {"name": retraining.representative.name, "lecture": lecture.topic}
        )
    if lecture.date < retraining.assigned_on:
        raise TrainingError(_("所选授课早于再培训的安排日期。"))


# --- quota reminders ----------------------------------------------------------------------


def quota_reminder_subject(held: int, quota: int, year: int) -> str:
    return _("%(year)s年授课任务%(quota)s次，已完成%(held)s次，请尽快安排授课") % {
        "year": year,
        "quota": quota,
        "held": held,
    }


@transaction.atomic
def instructors_remind(*, instructors, year: int, by) -> int:
    """Staff remind instructors behind their quota (rows annotated by the quota selector); an
    instructor is reminded at most once a day this way. Returns how many reminders are new."""
    today = timezone.localdate()
    queued = 0
    for instructor in instructors:
        require_staff_writer(by, instructor.hall.region.path)
        if instructor.user_id is None:
            continue
        queued += notification_queue(
            rule=MANUAL_REMINDER_RULE,
            target=instructor,
            recipients=[instructor.user],
            due_on=today,
            subject=quota_reminder_subject(instructor.held_count, instructor.quota_target, year),
        )
    return queued
