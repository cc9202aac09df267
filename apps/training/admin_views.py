"""The training back office's own pages: attendance of a lecture, instructors behind their quota,
and the imports. Each reads its input, calls apps.training.services and says what happened; a
refusal rolls back everything the page was doing and is shown to the person who asked."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.admin_pages import admin_url, error_text, page
from apps.core.collation import by_stroke
from apps.core.paging import page_of
from apps.core.permissions import in_write_scope
from apps.representatives.models import Representative
from apps.training import services
from apps.training.admin_forms import ATTENDANCE_CHOICES, YearForm
from apps.training.models import Attendance, Instructor, Lecture
from apps.training.selectors import expected_audience, instructors_behind_quota

Status = Attendance.Status
BEHIND_PAGE_SIZE = 100


# --- attendance of one lecture ---------------------------------------------------------------


def _attendance_rows(lecture: Lecture) -> list[Representative]:
    """The hall's expected audience, then anyone else marked for the lecture: two queries."""
    marked = dict(lecture.attendance.values_list("representative", "status"))
    audience = list(
        expected_audience(lecture.hall)
        .select_related("township")
        .order_by("township__path", "level", by_stroke("name"), "pk")
    )
    seen = {rep.pk for rep in audience}
    guests = [pk for pk in marked if pk not in seen]
    if guests:
        audience += list(Representative.objects.filter(pk__in=guests).select_related("township").order_by("pk"))
    for rep in audience:
        rep.mark = marked.get(rep.pk, "")
    return audience


def _posted_marks(request, rows: list[Representative]) -> dict[int, str]:
    if "all_present" in request.POST:
        return {rep.pk: Status.PRESENT for rep in rows}
    return {rep.pk: value for rep in rows if (value := request.POST.get(f"rep-{rep.pk}", ""))}


def attendance_view(model_admin, request, object_id):
    """Mark who came to a lecture: a choice per representative of the audience, or all present."""
    lecture = model_admin.get_object(request, object_id)  # 404 outside the scope
    if not model_admin.has_change_permission(request, lecture):
        raise PermissionDenied
    rows = _attendance_rows(lecture)
    change_url = admin_url(Lecture, "change", lecture.pk)
    if request.method == "POST":
        marks = _posted_marks(request, rows)
        try:
            n = services.attendance_mark(lecture=lecture, marks=marks, by=request.user)
        except ValidationError as error:
            messages.error(request, _("出勤未登记，没有任何改动：%(error)s") % {"error": error_text(error)})
            for rep in rows:
                rep.mark = marks.get(rep.pk, rep.mark)
        else:
            messages.success(request, _("已登记%(n)s位代表的出勤。") % {"n": n})
            return HttpResponseRedirect(change_url)
    return page(
        model_admin,
        request,
        "admin/training/lecture/attendance.html",
        _("登记听课出勤"),
        original=lecture,
        rows=rows,
        choices=ATTENDANCE_CHOICES,
        change_url=change_url,
    )


# --- instructors behind their quota ---------------------------------------------------------


def behind_quota_view(model_admin, request):
    """Instructors who gave fewer lectures this year than their quota, and a way to remind them."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    today = timezone.localdate()
    form = YearForm(request.GET if "year" in request.GET else {"year": today.year}, today=today)
    year = form.cleaned_data["year"] if form.is_valid() else today.year
    behind = instructors_behind_quota(user=request.user, year=year)
    if request.method == "POST":
        return _remind(model_admin, request, behind, year)
    instructors = page_of(request, behind, BEHIND_PAGE_SIZE)
    return page(
        model_admin,
        request,
        "admin/training/instructor/behind_quota.html",
        _("未完成授课任务的教员"),
        form=form,
        year=year,
        page=instructors,
        query=f"year={year}",
        may_remind=model_admin.has_change_permission(request),
    )


def _remind(model_admin, request, behind, year: int):
    if not model_admin.has_change_permission(request):
        raise PermissionDenied
    if "remind_selected" in request.POST:
        # isdecimal, not isdigit: "²" is a digit that int() refuses.
        behind = behind.filter(pk__in=[pk for pk in request.POST.getlist("instructor") if pk.isdecimal()])
    behind = list(behind)
    # Township staff see the county's instructors but remind only their own.
    mine = [i for i in behind if in_write_scope(request.user, i.hall.region.path)]
    queued = services.instructors_remind(instructors=mine, year=year, by=request.user)
    without_account = sum(1 for i in behind if i.user_id is None)
    messages.success(
        request,
        _("已发出%(n)s条提醒（同一位教员每天最多提醒一次；没有登录账号的%(m)s位教员请电话通知）。")
        % {"n": queued, "m": without_account},
    )
    return HttpResponseRedirect(f"{admin_url(Instructor, 'behind_quota')}?year={year}")
