"""The back office's own pages: action forms, assignment, on-site assignment, statistics, import.

Each page reads its input, calls the services and says what happened; a refusal by a service
rolls back everything the page was doing and is shown to the person who asked.
"""

import tablib
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.admin_pages import admin_url, error_text, page, workbook, xlsx_response
from apps.core.audit import Kind as Audit
from apps.core.audit import audit_event
from apps.core.exports import SafeXLSX
from apps.core.forms import add_service_errors
from apps.core.models import CongressSession, HandlingUnit
from apps.proposals import selectors, services
from apps.proposals.admin_forms import (
    AssignForm,
    CohortForm,
    CoSignerAnswerForm,
    NoticeGenerateForm,
    OnSiteBatchForm,
    OnSiteRowForm,
    unit_choices,
)
from apps.proposals.models import Assignment, AssignmentBatch, Proposal, Status

EXPORT_PERMISSION = "proposals.export_proposal"
XLSX_TYPE = SafeXLSX.CONTENT_TYPE


# --- actions ----------------------------------------------------------------------------------


# --- assignment of one proposal ---------------------------------------------------------------


def _active_units(user):
    return HandlingUnit.objects.visible_to(user).filter(is_active=True).order_by("category", "name", "pk")


def assign_view(model_admin, request, object_id):
    proposal = model_admin.get_object(request, object_id)
    if not model_admin.may_act(request, proposal):
        raise PermissionDenied
    change_url = admin_url(Proposal, "change", proposal.pk)
    if proposal.status != Status.ACCEPTED:
        messages.error(request, _("只有待交办的建议才能交办，这件建议的状态是“%s”。") % proposal.get_status_display())
        return HttpResponseRedirect(change_url)
    data = request.POST if request.method == "POST" else None
    form = AssignForm(data, units=_active_units(request.user), initial={"is_complex": proposal.is_complex})
    if request.method == "POST" and form.is_valid():
        try:
            services.proposal_assign(
                proposal=proposal, units=form.chosen(), by=request.user, is_complex=form.cleaned_data["is_complex"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已交办：%(proposal)s。") % {"proposal": proposal})
            return HttpResponseRedirect(change_url)
    return page(
        model_admin,
        request,
        "admin/proposals/proposal/assign.html",
        _("交办建议"),
        form=form,
        original=proposal,
        change_url=change_url,
    )


# --- co-signers who answer on paper, by phone or in person -------------------------------------


def cosigners_view(model_admin, request, object_id):
    """Record a co-signer's answer for them: confirmed, or removed because they decline."""
    proposal = model_admin.get_object(request, object_id)  # 404 outside the scope
    if not model_admin.may_act(request, proposal):
        raise PermissionDenied
    change_url = admin_url(Proposal, "change", proposal.pk)
    form = CoSignerAnswerForm(request.POST or None, proposal=proposal)
    if request.method == "POST" and form.is_valid():
        try:
            _record_cosigner(request, proposal, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return HttpResponseRedirect(change_url)
    cosigners = proposal.cosigners.select_related("representative").order_by("pk")
    return page(
        model_admin,
        request,
        "admin/renda/form_page.html",
        _("登记附议代表的答复"),
        form=form,
        original=proposal,
        cancel_url=change_url,
        intro=_("代表在纸质建议上签名，或通过电话、当面答复的，由工作人员在此登记，并记入办理记录。"),
        listing=[f"{c.representative}：{_cosigner_state(c)}" for c in cosigners],
        submit_label=_("登记"),
    )


def _cosigner_state(cosigner) -> str:
    if cosigner.confirmed_at:
        return _("已确认（%(via)s）") % {"via": cosigner.get_answered_via_display() or _("本人网上确认")}
    return _("已表示不附议") if cosigner.declined_at else _("未答复")


def _record_cosigner(request, proposal, data) -> None:
    rep = data["cosigner"].representative
    if data["decision"] == CoSignerAnswerForm.CONFIRM:
        services.cosigner_record(
            proposal=proposal, representative=rep, source=data["source"], note=data["note"], by=request.user
        )
        messages.success(request, _("已登记%(name)s确认附议。") % {"name": rep})
        return
    services.cosigner_remove(
        proposal=proposal, representative=rep, source=data["source"], reason=data["note"], by=request.user
    )
    messages.success(request, _("已将%(name)s从附议代表中移除。") % {"name": rep})


# --- on-site assignment -----------------------------------------------------------------------


def on_site_view(model_admin, request):
    """The on-site assignment meeting (现场交办): every chosen proposal gets its units, or none does."""
    if not model_admin.has_change_permission(request):
        raise PermissionDenied
    # isdecimal, not isdigit: "²" is a digit that int() refuses.
    ids = [int(pk) for pk in request.GET.get("ids", "").split(",") if pk.isdecimal()]
    proposals = list(
        model_admin.get_queryset(request)
        .filter(pk__in=ids)
        .select_related("lead", "session__term__region")
        .order_by("number", "pk")
    )
    sessions = {p.session_id for p in proposals}
    if not proposals or len(sessions) != 1:
        messages.error(request, _("请选择同一次会议的待交办建议。"))
        return HttpResponseRedirect(admin_url(Proposal, "changelist"))
    units = list(_active_units(request.user))
    choices = unit_choices(units)
    session = proposals[0].session
    data = request.POST if request.method == "POST" else None
    batch_form = OnSiteBatchForm(data, initial={"title": _("%(session)s建议现场交办会") % {"session": session}})
    rows = [OnSiteRowForm(data, proposal=p, choices=choices) for p in proposals]
    # Validate every row, not just up to the first bad one: each row shows its own errors.
    valid = [form.is_valid() for form in (batch_form, *rows)] if data is not None else [False]
    if all(valid):
        batch = _assign_batch(request, session, batch_form.cleaned_data, rows, {u.pk: u for u in units})
        if batch is not None:
            messages.success(request, _("现场交办完成：%(n)s件建议。") % {"n": len(rows)})
            return HttpResponseRedirect(admin_url(AssignmentBatch, "print", batch.pk))
    return page(
        model_admin,
        request,
        "admin/proposals/proposal/assign_on_site.html",
        _("现场交办"),
        session=session,
        batch_form=batch_form,
        rows=rows,
    )


def _assign_batch(request, session, meeting: dict, rows: list[OnSiteRowForm], units_by_pk) -> AssignmentBatch | None:
    """The meeting and its assignments through services.assign_on_site: all or nothing, with
    every refused proposal marked on its row."""
    plan = [(row.proposal, row.units(units_by_pk), row.cleaned_data["is_complex"]) for row in rows]
    try:
        return services.assign_on_site(session=session, plan=plan, by=request.user, **meeting)
    except ValidationError as error:
        refused = getattr(error, "error_dict", {})
        for row in rows:
            for message in refused.get(str(row.proposal.pk), []):
                text = " ".join(message.messages)
                row.add_error(None, text)
                messages.error(request, _("%(proposal)s：%(error)s") % {"proposal": row.proposal, "error": text})
        if not refused:
            messages.error(request, error_text(error))
        messages.error(request, _("现场交办未执行，没有任何改动。请修改标出的建议后重新提交。"))
        return None


def on_site_rows(batch, user) -> list[dict]:
    """The assignment list of a meeting: one entry per proposal, units lead first."""
    assignments = (
        Assignment.objects.visible_to(user)
        .filter(batch=batch)
        .select_related("proposal__lead", "unit")
        .order_by("proposal__number", "proposal_id", "pk")
    )
    rows: dict[int, dict] = {}
    order = {Assignment.Role.LEAD: 0, Assignment.Role.SEPARATE: 1, Assignment.Role.ASSIST: 2}
    for a in assignments:
        row = rows.setdefault(a.proposal_id, {"proposal": a.proposal, "assignments": [], "due_on": a.due_on})
        row["assignments"].append(a)
        if a.answers:
            row["due_on"] = min(row["due_on"], a.due_on)
    for row in rows.values():
        row["assignments"].sort(key=lambda a: (order[a.role], a.unit.name))
        row["units"] = "、".join(f"{a.unit}（{a.get_role_display()}）" for a in row["assignments"])
    return list(rows.values())


def _batch(model_admin, request, object_id) -> AssignmentBatch:
    batch = model_admin.get_object(request, object_id)  # 404 outside the scope
    if not model_admin.has_view_permission(request, batch):
        raise PermissionDenied
    return batch


def batch_print_view(model_admin, request, object_id):
    batch = _batch(model_admin, request, object_id)
    return page(
        model_admin,
        request,
        "admin/proposals/assignmentbatch/print.html",
        _("交办清单"),
        original=batch,
        rows=on_site_rows(batch, request.user),
        can_export=request.user.has_perm(EXPORT_PERMISSION),
    )


def batch_xlsx_view(model_admin, request, object_id):
    batch = _batch(model_admin, request, object_id)
    if not request.user.has_perm(EXPORT_PERMISSION):
        raise PermissionDenied
    dataset = tablib.Dataset(
        headers=[_("建议编号"), _("建议标题"), _("领衔代表"), _("承办单位及办理方式"), _("答复期限")]
    )
    dataset.title = _("交办清单")
    for row in on_site_rows(batch, request.user):
        p = row["proposal"]
        dataset.append([p.number, p.title, p.lead.name, row["units"], row["due_on"].strftime("%Y-%m-%d")])
    audit_event(Audit.EXPORT, request=request, target=batch, register="assignment list", rows=len(dataset))
    return xlsx_response(workbook(dataset), f"assignment-list-{batch.pk}.xlsx")


# --- statistics -------------------------------------------------------------------------------

RATES = [
    ("visit_rate", gettext_lazy("走访率"), gettext_lazy("承办单位与代表见面沟通（走访、座谈）的建议 ÷ 交办建议")),
    ("reply_rate", gettext_lazy("答复率"), gettext_lazy("主办（分办）单位均已书面答复的建议 ÷ 交办建议")),
    (
        "on_time_reply_rate",
        gettext_lazy("按期答复率"),
        gettext_lazy("各主办（分办）单位首轮答复均按期的建议 ÷ 交办建议"),
    ),
    ("satisfaction_rate", gettext_lazy("满意率（含基本满意）"), gettext_lazy("（满意＋基本满意）÷ 收回的首轮评价")),
    ("fully_satisfied_rate", gettext_lazy("满意率（仅满意）"), gettext_lazy("满意 ÷ 收回的首轮评价")),
    ("closure_rate", gettext_lazy("办结率"), gettext_lazy("已办结的建议 ÷ 交办建议")),
]


def _cohort_form(request) -> CohortForm:
    data = request.GET.copy()
    if not data.get("session") and not data.get("year"):
        latest = CongressSession.objects.visible_to(request.user).order_by("-opened_on", "-pk").first()
        data["session"] = str(latest.pk) if latest else ""
    return CohortForm(data, user=request.user)


def _statistics(request, form: CohortForm) -> dict:
    session, year, period = (form.cleaned_data[k] for k in ("session", "year", "period"))
    proposals = selectors.cohort(session=session, year=year).visible_to(request.user)
    if period:
        proposals = proposals.filter(period=period)
    rates = selectors.rates(proposals)
    return {
        "cohort": _cohort_label(form),
        "rates": [(label, desc, rates[key]) for key, label, desc in RATES],
        "units": list(selectors.unit_statistics(proposals, today=timezone.localdate())),
    }


def _cohort_label(form: CohortForm) -> str:
    session, year = form.cleaned_data["session"], form.cleaned_data["year"]
    parts = [str(dict(form.fields["session"].choices)[session])] if session else []
    if year:
        parts.append(_("%(year)s年交办") % {"year": year})
    if period := form.cleaned_data["period"]:
        parts.append(str(Proposal.Period(period).label))
    return "，".join(parts)


def statistics_view(model_admin, request):
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    form = _cohort_form(request)
    stats = _statistics(request, form) if form.is_valid() else None
    return page(
        model_admin,
        request,
        "admin/proposals/proposal/statistics.html",
        _("建议办理统计"),
        form=form,
        stats=stats,
        can_export=request.user.has_perm(EXPORT_PERMISSION),
        query=form.data.urlencode(),
    )


def statistics_xlsx_view(model_admin, request):
    if not (model_admin.has_view_permission(request) and request.user.has_perm(EXPORT_PERMISSION)):
        raise PermissionDenied
    form = _cohort_form(request)
    if not form.is_valid():
        messages.error(request, " ".join(form.non_field_errors()) or _("请选择会议或年度。"))
        return redirect(admin_url(Proposal, "statistics"))
    stats = _statistics(request, form)
    rates = tablib.Dataset(headers=[_("指标"), _("比率（%）"), _("分子"), _("分母"), _("口径")], title=_("办理比率"))
    for label, desc, rate in stats["rates"]:
        rates.append([str(label), rate.percent, rate.numerator, rate.denominator, str(desc)])
    units = tablib.Dataset(
        headers=[
            _("承办单位"),
            _("主办、分办件数"),
            _("已答复"),
            _("按期答复"),
            _("逾期未答复"),
            _("满意（含基本满意）"),
            _("收回评价"),
            _("协办件数"),
            _("协办意见已送"),
            _("协办意见按期"),
            _("退回调整"),
        ],
        title=_("承办单位"),
    )
    columns = ["assigned", "replied", "on_time", "overdue", "satisfied", "feedback"]
    columns += ["assisting", "opinions", "opinions_on_time", "handed_back"]
    for u in stats["units"]:
        units.append([u["unit__name"], *(u[c] for c in columns)])
    audit_event(Audit.EXPORT, request=request, register="proposal statistics", query=request.GET.urlencode())
    return xlsx_response(workbook(rates, units), "proposal-statistics.xlsx")


# --- notices ----------------------------------------------------------------------------------


def notice_generate_view(model_admin, request):
    """Draft a notice of a session's late units from the records, then open it for editing."""
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    form = NoticeGenerateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        session = CongressSession.objects.get(pk=form.cleaned_data["session"])
        notice = services.notice_draft(session=session, by=request.user)
        messages.success(request, _("已生成通报草稿，请核对标题和正文后发布。"))
        return HttpResponseRedirect(admin_url(type(notice), "change", notice.pk))
    return page(
        model_admin,
        request,
        "admin/renda/form_page.html",
        _("生成通报"),
        form=form,
        intro=_("根据所选会议的交办记录，列出逾期未答复或未与代表沟通即答复的承办单位。"),
        submit_label=_("生成通报草稿"),
    )
