"""The back office's duty-record pages: one representative's record, and the year's evaluation.

The evaluation page computes every representative's points in the user's scope at once (one set
of queries per duty source), proposes the commendation and retraining lists, and confirms the
ticked representatives through services.evaluation_confirm, all or none.
"""

import logging

import tablib
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.admin_pages import all_or_nothing, page, workbook, xlsx_response
from apps.core.audit import Kind as Audit
from apps.core.audit import audit_event
from apps.core.config import config
from apps.core.paging import page_of
from apps.core.qr import Poster, pdf_response, posters_pdf, public_url
from apps.representatives import selectors, services
from apps.representatives.admin_forms import EvaluationConfirmForm, EvaluationScopeForm
from apps.representatives.choices import Status
from apps.representatives.duty import grade_label
from apps.representatives.models import Evaluation, Representative
from apps.representatives.views import requested_year

audit = logging.getLogger("renda.audit")
EXPORT_PERMISSION = "representatives.export_evaluation"
LIST_SIZE = 50
Outcome = Evaluation.Outcome


def duty_record_view(model_admin, request, object_id):
    representative = model_admin.get_object(request, object_id)  # 404 outside the scope
    if not model_admin.has_view_permission(request, representative):
        raise PermissionDenied
    years = selectors.term_years(representative, timezone.localdate())
    record = selectors.duty_record(representative, requested_year(request, years))
    title = _("%(name)s %(year)s年度履职档案") % {"name": representative.name, "year": record.year}
    return page(
        model_admin,
        request,
        "admin/representatives/representative/duty_record.html",
        title,
        original=representative,
        record=record,
        years=years,
        status_changes=selectors.status_changes_of(representative),
    )


# --- the year's evaluation --------------------------------------------------------------------


def _scope_form(request) -> EvaluationScopeForm:
    data = request.GET.copy()
    data.setdefault("year", str(timezone.localdate().year))
    return EvaluationScopeForm(data, user=request.user)


def _rows(request, form: EvaluationScopeForm) -> list[selectors.EvaluationRow]:
    reps = Representative.objects.visible_to(request.user).serving()
    if township := form.cleaned_data["township"]:
        reps = reps.filter(township=township)
    return selectors.evaluation_rows(reps, form.cleaned_data["year"])


def _proposed(rows, outcome: str) -> list[selectors.EvaluationRow]:
    return [r for r in rows if r.proposed == outcome]


def _open_ids(rows) -> list[int]:
    return [r.representative.pk for r in rows if not r.is_confirmed]


def evaluation_view(model_admin, request):
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    form = _scope_form(request)
    if not form.is_valid():
        return page(model_admin, request, "admin/representatives/evaluation/annual.html", _("年度履职评价"), form=form)
    rows = _rows(request, form)
    commend, retrain = _proposed(rows, Outcome.COMMEND), _proposed(rows, Outcome.RETRAIN)
    confirm_form = EvaluationConfirmForm(
        request.POST if request.method == "POST" else None, commend=_open_ids(commend), retrain=_open_ids(retrain)
    )
    if request.method == "POST":
        if not model_admin.has_change_permission(request):
            raise PermissionDenied
        if confirm_form.is_valid() and _confirm(request, form.cleaned_data["year"], rows, confirm_form.cleaned_data):
            return HttpResponseRedirect(request.get_full_path())
    return page(
        model_admin,
        request,
        "admin/representatives/evaluation/annual.html",
        _("年度履职评价"),
        form=form,
        confirm_form=confirm_form,
        year=form.cleaned_data["year"],
        total=len(rows),
        grades=_grade_counts(rows),
        commend=page_of(request, commend, LIST_SIZE, param="commend_page"),
        retrain=page_of(request, retrain, LIST_SIZE, param="retrain_page"),
        can_confirm=model_admin.has_change_permission(request),
        can_export=request.user.has_perm(EXPORT_PERMISSION),
        query=form.data.urlencode(),
        minimum=round(100 * config("DUTY", "VOTER_SATISFACTION_MIN"), 1),
    )


def _grade_counts(rows) -> list[tuple[str, int]]:
    codes = [code for code, _threshold in config("DUTY", "GRADES")]
    return [(grade_label(code), sum(1 for r in rows if r.grade == code)) for code in codes]


def _confirm(request, year: int, rows, data: dict) -> bool:
    by_pk = {r.representative.pk: r.representative for r in rows}
    ticked = [(pk, Outcome.COMMEND) for pk in data["commend"]] + [(pk, Outcome.RETRAIN) for pk in data["retrain"]]
    done = all_or_nothing(
        request,
        [(by_pk[pk], outcome) for pk, outcome in ticked],
        lambda item: services.evaluation_confirm(
            representative=item[0], year=year, outcome=item[1], by=request.user, note=data["note"]
        ),
    )
    if done:
        messages.success(
            request,
            _("已确认%(year)s年度履职评价：表彰%(commend)s人，再培训%(retrain)s人。")
            % {"year": year, "commend": len(data["commend"]), "retrain": len(data["retrain"])},
        )
    return done


def evaluation_xlsx_view(model_admin, request):
    if not (model_admin.has_view_permission(request) and request.user.has_perm(EXPORT_PERMISSION)):
        raise PermissionDenied
    form = _scope_form(request)
    if not form.is_valid():
        raise PermissionDenied
    year = form.cleaned_data["year"]
    dataset = tablib.Dataset(
        headers=[
            _("姓名"),
            _("所在乡镇"),
            _("代表层级"),
            _("履职积分"),
            _("等次"),
            _("选民满意率（%）"),
            _("建议结果"),
            _("确认结果"),
            _("确认状态"),
        ],
        title=_("%(year)s年度履职评价") % {"year": year},
    )
    outcomes = dict(Outcome.choices)
    for row in _rows(request, form):
        rep, evaluation = row.representative, row.evaluation
        dataset.append(
            [
                rep.name,
                rep.township.name,
                rep.get_level_display(),
                row.points,
                row.grade_label,
                row.rate_percent,
                str(outcomes[row.proposed]),
                evaluation.get_outcome_display() if row.is_confirmed else "",
                evaluation.get_status_display() if evaluation else _("未评价"),
            ]
        )
    audit_event(Audit.EXPORT, request=request, register="evaluation", year=year, rows=len(dataset))
    return xlsx_response(workbook(dataset), f"evaluation-{year}.xlsx")


# --- 代表码 cards ---------------------------------------------------------------------------------


def _contact_poster(rep: Representative) -> Poster:
    rep = services.contact_code_issue(representative=rep)
    lines = (rep.get_level_display(), rep.township.name)
    url = public_url(reverse("liaison:to_representative", args=[rep.contact_code]))
    return Poster(
        heading=_("%(name)s 代表") % {"name": rep.name},
        lines=lines,
        url=url,
        call_to_action=_("扫码向我反映问题"),
    )


def contact_cards_response(model_admin, request, representatives):
    """One A4 card per serving representative, in one PDF; those no longer serving get none."""
    reps = list(representatives)
    serving = [rep for rep in reps if rep.status == Status.SERVING]
    if not serving:
        messages.error(request, _("所选代表都已不在任，没有可以印制的代表码。"))
        return None
    posters = [_contact_poster(rep) for rep in serving]
    audit_event(Audit.EXPORT, request=request, register="representative contact cards", rows=len(posters))
    filename = "daibiaoma.pdf" if len(posters) > 1 else f"daibiaoma-{serving[0].contact_code}.pdf"
    return pdf_response(posters_pdf(posters, title=_("代表码")), filename)


def contact_card_view(model_admin, request, object_id):
    representative = model_admin.get_object(request, object_id)  # 404 outside the scope
    if not model_admin.has_view_permission(request, representative):
        raise PermissionDenied
    response = contact_cards_response(model_admin, request, [representative])
    if response is None:
        return HttpResponseRedirect(reverse("admin:representatives_representative_change", args=[representative.pk]))
    return response
