"""The liaison back office's own pages: action forms, duty assignment, photos, statistics.

Each page reads its input, calls apps.liaison.services and says what happened; a refusal by a
service rolls back everything the page was doing and is shown to the person who asked.
"""

from dataclasses import dataclass

import tablib
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, F, When
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.admin_pages import admin_url, error_text, page, workbook
from apps.core.audit import Kind as Audit
from apps.core.audit import audit_event
from apps.core.collation import by_stroke
from apps.core.downloads import file_response
from apps.core.exports import SafeXLSX
from apps.core.models import Region
from apps.core.qr import Poster, pdf_response, posters_pdf, public_url
from apps.liaison import selectors, services
from apps.liaison.admin_forms import DutyAssignForm, StatisticsForm, duty_candidates
from apps.liaison.models import Concern, ConcernPhoto, DutyShift, LiaisonOffice, ReceptionDay
from apps.liaison.selectors import Share
from apps.representatives.models import Representative

EXPORT_PERMISSION = "liaison.export_concern"


# --- actions ----------------------------------------------------------------------------------


# --- duty on a reception day ------------------------------------------------------------------


def duty_assign_view(model_admin, request, object_id):
    """Put serving representatives of the office's township on duty for one reception day."""
    day = model_admin.get_object(request, object_id)  # 404 outside the scope
    if not model_admin.may_act(request, day):
        raise PermissionDenied
    change_url = admin_url(ReceptionDay, "change", day.pk)
    form = DutyAssignForm(request.POST or None, candidates=duty_candidates(day))
    if request.method == "POST" and form.is_valid():
        chosen = list(form.cleaned_data["representatives"])
        try:
            services.shift_assign(day=day, representatives=chosen, by=request.user)
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            names = "、".join(rep.name for rep in chosen)
            messages.success(request, _("已安排%(names)s在%(day)s值班。") % {"names": names, "day": day})
            return HttpResponseRedirect(change_url)
    on_duty = day.shifts.select_related("representative").order_by("pk")
    return page(
        model_admin,
        request,
        "admin/liaison/receptionday/duty.html",
        _("安排值班代表"),
        form=form,
        original=day,
        on_duty=on_duty,
        change_url=change_url,
    )


# --- photos -----------------------------------------------------------------------------------


def concern_photo_view(model_admin, request, object_id, photo_id):
    """A citizen's photo, for staff who may see the concern (uploads are not public files)."""
    concern = model_admin.get_object(request, object_id)  # 404 outside the scope
    if not model_admin.has_view_permission(request, concern):
        raise PermissionDenied
    photo = get_object_or_404(ConcernPhoto, pk=photo_id, concern=concern)
    audit_event(Audit.DOWNLOAD, request=request, target=concern, photo=photo.pk)
    return file_response(photo.image)


# --- statistics -------------------------------------------------------------------------------


@dataclass
class ConcernRow:
    label: str
    received: int
    accepted: int
    on_spot: int
    referred: int
    resolved: int
    overdue: int
    satisfaction: Share


@dataclass
class AttendanceRow:
    label: str
    detail: str
    rate: Share


def _concern_rows(rows, key: str, labels: dict) -> list[ConcernRow]:
    """Rows in the order of `labels` (the official order of townships and offices), then the rest."""
    order = {pk: i for i, pk in enumerate(labels)}
    rows = sorted(rows, key=lambda r: (order.get(r[key], len(order)), r[key] or 0))
    return [
        ConcernRow(
            label=labels.get(row[key], _("未设工作室")),
            received=row["received"],
            accepted=row["accepted"],
            on_spot=row["on_spot"],
            referred=row["referred"],
            resolved=row["resolved"],
            overdue=row["overdue"],
            satisfaction=Share(row["satisfied"], row["rated"]),
        )
        for row in rows
    ]


def _total(rows: list[ConcernRow]) -> ConcernRow:
    def total(name):
        return sum(getattr(r, name) for r in rows)

    return ConcernRow(
        label=_("合计"),
        **{name: total(name) for name in ("received", "accepted", "on_spot", "referred", "resolved", "overdue")},
        satisfaction=Share(sum(r.satisfaction.numerator for r in rows), sum(r.satisfaction.denominator for r in rows)),
    )


def _offices(ids) -> dict:
    offices = LiaisonOffice.objects.filter(pk__in=[pk for pk in ids if pk]).order_by("region__path", "level", "name")
    return {o.pk: o.name for o in offices}


def _townships(ids) -> dict:
    return dict(Region.objects.filter(pk__in=[pk for pk in ids if pk]).order_by("path").values_list("pk", "name"))


def _representative_rows(rows) -> list[AttendanceRow]:
    by_pk = {row["representative"]: row for row in rows}
    reps = (
        Representative.objects.filter(pk__in=list(by_pk))
        .select_related("township")
        .order_by("township__path", by_stroke("name"), "pk")
    )
    return [
        AttendanceRow(
            label=rep.name,
            detail=f"{rep.township.name}·{rep.get_level_display()}",
            rate=Share(by_pk[rep.pk]["attended"], by_pk[rep.pk]["due"]),
        )
        for rep in reps
    ]


def statistics(user, *, year: int, township: Region | None, today) -> dict:
    """Concern figures per office and per township, duty attendance per office and per representative:
    a fixed number of queries whatever the number of rows."""
    concerns = Concern.objects.visible_to(user).filter(submitted_at__year=year)
    shifts = DutyShift.objects.visible_to(user).filter(date__year=year)
    if township is not None:
        concerns = concerns.filter(region__path__startswith=township.path)
        shifts = shifts.filter(office__region__path__startswith=township.path)
    by_office = list(selectors.concern_statistics(concerns, group_by="office", today=today))
    concerns = concerns.annotate(
        township_pk=Case(When(region__level=Region.Level.TOWNSHIP, then=F("region_id")), default=F("region__parent_id"))
    )
    by_township = list(selectors.concern_statistics(concerns, group_by="township_pk", today=today))
    attendance = list(selectors.attendance_rates(shifts, group_by="office"))
    office_names = _offices({r["office"] for r in by_office} | {r["office"] for r in attendance})
    office_order = {pk: i for i, pk in enumerate(office_names)}
    townships = _concern_rows(by_township, "township_pk", _townships({r["township_pk"] for r in by_township}))
    return {
        "offices": _concern_rows(by_office, "office", office_names),
        "townships": townships,
        "total": _total(townships),
        "office_attendance": [
            AttendanceRow(label=office_names.get(r["office"], ""), detail="", rate=Share(r["attended"], r["due"]))
            for r in sorted(attendance, key=lambda r: office_order.get(r["office"], len(office_order)))
        ],
        "representative_attendance": _representative_rows(
            selectors.attendance_rates(shifts, group_by="representative")
        ),
    }


def _statistics_form(request) -> StatisticsForm:
    today = timezone.localdate()
    data = request.GET.copy()
    data.setdefault("year", str(today.year))
    return StatisticsForm(data, user=request.user, today=today)


def _chosen(form: StatisticsForm) -> dict:
    township = form.townships.get(form.cleaned_data["township"])
    return {"year": form.cleaned_data["year"], "township": township}


def statistics_view(model_admin, request):
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    form = _statistics_form(request)
    stats, chosen = None, {}
    if form.is_valid():
        chosen = _chosen(form)
        stats = statistics(request.user, today=timezone.localdate(), **chosen)
    return page(
        model_admin,
        request,
        "admin/liaison/concern/statistics.html",
        _("群众意见办理与驻室履职统计"),
        form=form,
        stats=stats,
        chosen=chosen,
        can_export=request.user.has_perm(EXPORT_PERMISSION),
        query=form.data.urlencode(),
    )


def _percent(share: Share):
    return share.percent if share.percent is not None else ""


def _concern_sheet(title: str, heading: str, rows: list[ConcernRow]) -> tablib.Dataset:
    headers = [
        heading,
        _("收到"),
        _("受理"),
        _("当场答复"),
        _("引导至其他渠道"),
        _("办结"),
        _("逾期未办"),
        _("满意率（%）"),
        _("满意＋基本满意"),
        _("参与评价"),
    ]
    sheet = tablib.Dataset(headers=headers, title=title)
    for r in rows:
        sheet.append(
            [
                r.label,
                r.received,
                r.accepted,
                r.on_spot,
                r.referred,
                r.resolved,
                r.overdue,
                _percent(r.satisfaction),
                r.satisfaction.numerator,
                r.satisfaction.denominator,
            ]
        )
    return sheet


def _attendance_sheet(title: str, heading: str, rows: list[AttendanceRow], *, detail: bool) -> tablib.Dataset:
    headers = [heading, *([_("乡镇·层级")] if detail else []), _("出勤率（%）"), _("到岗"), _("应到岗（不含请假）")]
    sheet = tablib.Dataset(headers=headers, title=title)
    for r in rows:
        sheet.append([r.label, *([r.detail] if detail else []), _percent(r.rate), r.rate.numerator, r.rate.denominator])
    return sheet


def statistics_xlsx_view(model_admin, request):
    if not (model_admin.has_view_permission(request) and request.user.has_perm(EXPORT_PERMISSION)):
        raise PermissionDenied
    form = _statistics_form(request)
    if not form.is_valid():
        messages.error(request, _("请选择年度。"))
        return HttpResponseRedirect(admin_url(Concern, "statistics"))
    chosen = _chosen(form)
    stats = statistics(request.user, today=timezone.localdate(), **chosen)
    content = workbook(
        _concern_sheet(_("按工作室"), _("工作室"), stats["offices"]),
        _concern_sheet(_("按乡镇"), _("乡镇"), [*stats["townships"], stats["total"]]),
        _attendance_sheet(_("驻室出勤（工作室）"), _("工作室"), stats["office_attendance"], detail=False),
        _attendance_sheet(_("驻室出勤（代表）"), _("代表"), stats["representative_attendance"], detail=True),
    )
    township = chosen["township"]
    audit_event(
        Audit.EXPORT,
        request=request,
        target=township,
        register="concern statistics",
        year=chosen["year"],
    )
    response = HttpResponse(content, content_type=SafeXLSX.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="concern-statistics-{chosen["year"]}.xlsx"'
    return response


# --- 联络站码 posters -----------------------------------------------------------------------------


def _office_poster(office: LiaisonOffice) -> Poster:
    office = services.office_contact_code_issue(office=office)
    lines = tuple(line for line in (office.address, office.opening_hours, office.phone) if line)
    return Poster(
        heading=office.name,
        lines=lines,
        url=public_url(reverse("liaison:to_office", args=[office.contact_code])),
        call_to_action=_("扫码向代表反映问题"),
    )


def contact_posters_response(request, offices):
    """One A4 poster per office or station in use, in one PDF; those closed get none."""
    active = [office for office in offices if office.is_active]
    if not active:
        messages.error(request, _("所选联络站（工作室）都已停用，没有可以印制的联络站码。"))
        return None
    posters = [_office_poster(office) for office in active]
    audit_event(Audit.EXPORT, request=request, register="office contact posters", rows=len(posters))
    filename = "lianluozhanma.pdf" if len(posters) > 1 else f"lianluozhanma-{active[0].contact_code}.pdf"
    return pdf_response(posters_pdf(posters, title=_("联络站码")), filename)


def contact_poster_view(model_admin, request, object_id):
    office = model_admin.get_object(request, object_id)  # 404 outside the scope
    if not model_admin.has_view_permission(request, office):
        raise PermissionDenied
    response = contact_posters_response(request, [office])
    return response or HttpResponseRedirect(admin_url(LiaisonOffice, "change", office.pk))
