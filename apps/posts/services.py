"""Writes of the posts app: assigning representatives to posts, their work logs, and reviews.

Every function is one transaction; PostError carries a message for the person who tried, and a
refusal leaves nothing behind. A log counts toward points only once staff confirm it.
"""

import secrets
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.config import config
from apps.core.confirmation import ReviewError, record_review
from apps.core.models import User
from apps.core.permissions import in_write_scope, may_write, require_staff_writer
from apps.core.uploads import image_error, photo_kind, reencoded_image
from apps.notifications.services import notification_queue
from apps.posts.models import DutyPost, PostAssignment, PostLog, PostLogPhoto
from apps.representatives.choices import Status
from apps.representatives.models import Representative

# Work photos are shown in browsers: only the two formats every phone and office PC opens.
PHOTO_KINDS = {"jpg", "png"}


class PostError(ValidationError):
    """A step the rules do not allow, with a message for the person who tried it."""


def size_label(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    return f"{max(size // 1024, 1)} KB"


def _day(value: date) -> str:
    return value.strftime("%Y-%m-%d")


# --- posts ------------------------------------------------------------------------------------


@transaction.atomic
def duty_post_save(*, post: DutyPost, by: User) -> DutyPost:
    """Add or change a post. Staff keep the posts of their own townships only; a post's
    capacity and township must still fit the representatives holding it (DutyPost.clean)."""
    require_staff_writer(by)
    if post.pk:
        require_staff_writer(by, DutyPost(pk=post.pk))  # the saved row's township, not the form's
    if not post.is_active and post.closed_on is None:
        post.closed_on = timezone.localdate()  # the years after this one no longer count it
    post.full_clean()
    if not in_write_scope(by, post.township):
        raise PostError({"township": _("%(township)s不在您的管辖范围内。") % {"township": post.township}})
    post.save()
    return post


# --- assignments ------------------------------------------------------------------------------


@transaction.atomic
def post_assign(*, post: DutyPost, representative: Representative, started_on: date, by: User) -> PostAssignment:
    """Put a serving representative of the post's township on the post from `started_on`."""
    post = DutyPost.objects.select_for_update().select_related("township").get(pk=post.pk)
    require_staff_writer(by, post)
    if not post.is_active:
        raise PostError(_("岗位“%(post)s”已停用，不能安排代表。") % {"post": post})
    _check_holder(post, representative)
    others = list(post.assignments.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=started_on)))
    if any(a.representative_id == representative.pk for a in others):
        raise PostError(
            _("%(rep)s在%(date)s已在岗位“%(post)s”上，不能重复安排。")
            % {"rep": representative, "date": _day(started_on), "post": post}
        )
    busiest, on = _peak(others, started_on)
    if busiest >= post.capacity:
        raise PostError(
            _("岗位“%(post)s”在%(date)s已满员（定员%(capacity)s人）。")
            % {"post": post, "date": _day(on), "capacity": post.capacity}
        )
    assignment = PostAssignment(post=post, representative=representative, started_on=started_on, assigned_by=by)
    assignment.full_clean()
    assignment.save()
    return assignment


def _check_holder(post: DutyPost, representative: Representative) -> None:
    if representative.status != Status.SERVING:
        raise PostError(
            _("%(rep)s目前不是在任代表（%(status)s），不能安排岗位。")
            % {"rep": representative, "status": representative.get_status_display()}
        )
    if representative.township_id != post.township_id:
        raise PostError(
            _("%(rep)s是%(rep_township)s的代表，岗位“%(post)s”在%(township)s，只能安排本乡镇的代表。")
            % {
                "rep": representative,
                "rep_township": representative.township,
                "post": post,
                "township": post.township,
            }
        )


def _peak(assignments: list[PostAssignment], start: date) -> tuple[int, date]:
    """The most holders at once from `start` on, and the first day it happens. A new open-ended
    assignment overlaps every later one too, so a post full in June refuses a start in March."""
    days = sorted({start} | {a.started_on for a in assignments if a.started_on > start})
    best, best_day = 0, start
    for day in days:
        held = sum(1 for a in assignments if a.started_on <= day and (a.ended_on is None or a.ended_on >= day))
        if held > best:
            best, best_day = held, day
    return best, best_day


@transaction.atomic
def post_unassign(*, assignment: PostAssignment, ended_on: date, by: User) -> PostAssignment:
    """The representative leaves the post on `ended_on` (the last day held)."""
    assignment = PostAssignment.objects.select_for_update(of=("self",)).select_related("post").get(pk=assignment.pk)
    require_staff_writer(by, assignment.post)
    if assignment.ended_on is not None:
        raise PostError(_("%(a)s已于%(date)s离岗。") % {"a": assignment, "date": _day(assignment.ended_on)})
    if ended_on < assignment.started_on:
        raise PostError(_("离岗日期不能早于上岗日期（%(date)s）。") % {"date": _day(assignment.started_on)})
    last_log = assignment.logs.order_by("-date").values_list("date", flat=True).first()
    if last_log and last_log > ended_on:
        raise PostError(_("该岗位已有%(date)s的工作记录，离岗日期不能早于这一天。") % {"date": _day(last_log)})
    assignment.ended_on, assignment.ended_by = ended_on, by
    assignment.save(update_fields=["ended_on", "ended_by"])
    return assignment


# --- work logs --------------------------------------------------------------------------------


def _may_write_for(by: User, assignment: PostAssignment) -> bool:
    """The holder's own account, or committee or township staff responsible for the post."""
    if by.pk is not None and assignment.representative.user_id == by.pk:
        return True
    return may_write(by, assignment.post)


def photo_errors(photos, *, already: int = 0) -> list[str]:
    """Why these uploads cannot be kept, checked by their content rather than their names."""
    max_count, max_bytes = config("POSTS", "PHOTO_MAX_COUNT"), config("POSTS", "PHOTO_MAX_BYTES")
    if already + len(photos) > max_count:
        return [
            _("每条工作记录最多%(count)d张照片，现在有%(n)d张。") % {"count": max_count, "n": already + len(photos)}
        ]
    errors = []
    for photo in photos:
        if photo.size > max_bytes:
            errors.append(
                _("照片“%(name)s”超过%(size)s，请压缩后再上传。") % {"name": photo.name, "size": size_label(max_bytes)}
            )
        elif (kind := photo_kind(photo)) not in PHOTO_KINDS:
            errors.append(_("“%(name)s”不是JPG或PNG格式的照片。") % {"name": photo.name})
        elif problem := image_error(photo, kind):
            errors.append(problem)
    return errors


def _check_log(assignment: PostAssignment, day: date, content: str) -> dict:
    errors = {}
    if not content.strip():
        errors["content"] = _("请填写做了什么工作。")
    elif len(content) > config("POSTS", "LOG_MAX_CHARS"):
        errors["content"] = _("工作内容不能超过%(n)s字。") % {"n": config("POSTS", "LOG_MAX_CHARS")}
    today = timezone.localdate()
    if day > today:
        errors["date"] = _("日期不能晚于今天。")
    elif day < assignment.started_on or (assignment.ended_on and day > assignment.ended_on):
        end = _day(assignment.ended_on) if assignment.ended_on else _("今天")
        errors["date"] = _("日期须在在岗期间（%(start)s至%(end)s）。") % {
            "start": _day(assignment.started_on),
            "end": end,
        }
    return errors


def _save_photos(log: PostLog, photos) -> None:
    for photo in photos:
        # Stored under a random name: the phone's file name may say where and who.
        photo.name = f"{secrets.token_hex(12)}.{photo_kind(photo)}"
        # Only the pixels are kept: no EXIF (where it was taken), nothing appended to the image.
        PostLogPhoto.objects.create(log=log, image=reencoded_image(photo))


@transaction.atomic
def post_log_create(*, assignment: PostAssignment, date: date, content: str, photos=(), by: User) -> PostLog:
    assignment = PostAssignment.objects.select_related("post", "representative").get(pk=assignment.pk)
    if not _may_write_for(by, assignment):
        raise PermissionDenied
    photos = list(photos)
    errors = _check_log(assignment, date, content)
    if photo_problems := photo_errors(photos):
        errors["photos"] = photo_problems
    if errors:
        raise PostError(errors)
    log = PostLog(assignment=assignment, date=date, content=content.strip(), created_by=by)
    log.full_clean()
    log.save()
    _save_photos(log, photos)
    return log


def _editable(log: PostLog, by: User) -> PostLog:
    log = PostLog.objects.select_for_update(of=("self",)).select_related("assignment").get(pk=log.pk)
    if log.created_by_id != by.pk:
        raise PermissionDenied
    if log.review_status != PostLog.Review.PENDING:
        raise PostError(
            _("这条工作记录已审核（%(status)s），不能再修改或删除。") % {"status": log.get_review_status_display()}
        )
    return log


@transaction.atomic
def post_log_update(*, log: PostLog, date: date, content: str, add_photos=(), remove_photo_ids=(), by: User) -> PostLog:
    """The author corrects a log staff have not reviewed yet; photos may be added or removed."""
    log = _editable(log, by)
    add_photos = list(add_photos)
    removed = list(log.photos.filter(pk__in=list(remove_photo_ids)))
    errors = _check_log(log.assignment, date, content)
    kept = log.photos.count() - len(removed)
    if photo_problems := photo_errors(add_photos, already=kept):
        errors["photos"] = photo_problems
    if errors:
        raise PostError(errors)
    log.date, log.content = date, content.strip()
    log.full_clean()
    log.save()
    _delete_photos(removed)
    _save_photos(log, add_photos)
    return log


def _delete_photos(photos: list[PostLogPhoto]) -> None:
    names = [p.image.name for p in photos]
    PostLogPhoto.objects.filter(pk__in=[p.pk for p in photos]).delete()
    if names:
        storage = PostLogPhoto._meta.get_field("image").storage

        def delete_files() -> None:
            for name in names:
                storage.delete(name)

        # The files go only once the rows are surely gone.
        transaction.on_commit(delete_files)


@transaction.atomic
def post_log_delete(*, log: PostLog, by: User) -> None:
    log = _editable(log, by)
    _delete_photos(list(log.photos.all()))
    log.delete()


@transaction.atomic
def post_log_review(*, log: PostLog, by: User, confirm: bool, note: str = "") -> PostLog:
    """Staff confirm a log (it then counts toward points) or reject it with a reason; the
    representative is told in the portal inbox."""
    if not by.has_perm("posts.change_postlog"):
        raise PermissionDenied
    try:
        log = record_review(record=log, by=by, confirm=confirm, note=note)
    except ReviewError as error:
        raise PostError(str(error)) from None
    _notify_reviewed(log)
    return log


def _notify_reviewed(log: PostLog) -> None:
    log = PostLog.objects.select_related("assignment__representative__user", "assignment__post").get(pk=log.pk)
    holder = log.assignment.representative.user
    values = {"date": _day(log.date), "post": log.assignment.post}
    if log.is_confirmed:
        subject = _("您%(date)s在“%(post)s”的工作记录已确认。") % values
    else:
        subject = _("您%(date)s在“%(post)s”的工作记录未通过：%(note)s") % {**values, "note": log.review_note}
    notification_queue(
        rule="posts.log_reviewed",
        target=log,
        recipients=[holder],
        due_on=timezone.localdate(),
        subject=subject,
        channels=["inbox"],
    )
