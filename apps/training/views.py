"""The representatives' training page, and lecture materials for whoever may see the lecture."""

from django.contrib.auth.decorators import login_required
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from apps.core.access import representative_required
from apps.core.audit import Kind as Audit
from apps.core.audit import audit_event
from apps.core.config import config
from apps.core.paging import page_of
from apps.representatives.models import Representative
from apps.representatives.selectors import representative_for_user
from apps.training.materials import material_response
from apps.training.models import Attendance, Lecture
from apps.training.selectors import get_lecture_for_representative, lectures_for_representative

# Lecture halls began with the 18th congress; nothing is older than this.
FIRST_YEAR = 2021


def _year(request: HttpRequest, today) -> int:
    raw = request.GET.get("year", "")
    # isdecimal, not isdigit: "²" is a digit that int() refuses.
    return int(raw) if raw.isdecimal() and FIRST_YEAR <= int(raw) <= today.year + 1 else today.year


@require_safe
@representative_required
def my_lectures(request: HttpRequest, representative: Representative) -> HttpResponse:
    today = timezone.localdate()
    year = _year(request, today)
    lectures = lectures_for_representative(representative)
    upcoming = lectures.filter(date__gte=today, status=Lecture.Status.PLANNED).order_by("date", "starts_at", "pk")
    my_status = Attendance.objects.filter(lecture=OuterRef("pk"), representative=representative).values("status")
    past = (
        lectures.filter(date__year=year, date__lte=today)
        .exclude(status=Lecture.Status.CANCELLED)
        .annotate(my_status=Subquery(my_status[:1]))
        .order_by("-date", "-pk")
    )
    page = page_of(request, past)
    labels = dict(Attendance.Status.choices)
    for lecture in page.object_list:
        lecture.my_status_label = labels.get(lecture.my_status, "")
    context = {
        "representative": representative,
        "today": today,
        "year": year,
        "years": range(today.year, FIRST_YEAR - 1, -1),
        "upcoming": list(upcoming[: config("", "PUBLIC_PAGE_SIZE")]),
        "page": page,
        "query": f"year={year}",
        "present": past.filter(my_status=Attendance.Status.PRESENT, status=Lecture.Status.HELD).count(),
        "retrainings": list(representative.retrainings.select_related("lecture").order_by("-assigned_on", "-pk")),
    }
    return render(request, "training/my_lectures.html", context)


def _lecture_for_viewer(request: HttpRequest, pk: int) -> Lecture:
    """Staff who may see the lecture's hall, or a representative the lecture is for; 404 for others."""
    user = request.user
    if user.has_perm("training.view_lecture"):
        lecture = Lecture.objects.visible_to(user).filter(pk=pk).first()
        if lecture is not None:
            return lecture
    representative = representative_for_user(user)
    if representative is None:
        raise Http404
    return get_lecture_for_representative(representative, pk)


@never_cache
@require_safe
@login_required
def lecture_material(request: HttpRequest, pk: int) -> HttpResponse:
    lecture = _lecture_for_viewer(request, pk)
    if not lecture.materials:
        raise Http404
    audit_event(Audit.DOWNLOAD, request=request, target=lecture, file="materials")
    return material_response(lecture)
