"""Forms of the liaison back office: what the admin's actions and pages pass to apps.liaison.services."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.config import config
from apps.core.models import CongressSession, HandlingUnit
from apps.core.scope import ancestor_paths, scope_for
from apps.core.selectors import townships_in_scope
from apps.core.text import TextHygieneMixin
from apps.core.widgets import DateInput
from apps.liaison.models import Concern, LiaisonOffice, ReceptionRecord
from apps.liaison.services import resolve_due_default
from apps.representatives.choices import Status as RepresentativeStatus
from apps.representatives.models import Representative


def _text(label, *, rows=4, required=True, help_text=""):
    return forms.CharField(
        label=label, required=required, help_text=help_text, widget=forms.Textarea(attrs={"rows": rows})
    )


def routable_units(user):
    """Units a concern can be routed to: those of the user's regions and of the regions above them
    (a township's staff send concerns to the county's bureaus)."""
    units = HandlingUnit.objects.filter(is_active=True)
    scope = scope_for(user)
    if not scope.unrestricted:
        q = Q(pk__in=[])
        for path in scope.region_paths:
            q |= Q(region__path__startswith=path) | Q(region__path__in=ancestor_paths(path))
        units = units.filter(q)
    return units.order_by("region__path", "category", "name")


# --- reception days and duty --------------------------------------------------------------------


class GenerateDaysForm(TextHygieneMixin, forms.Form):
    start = forms.DateField(label=_("自"), widget=DateInput(), initial=timezone.localdate)
    months = forms.IntegerField(
        label=_("月数"), min_value=1, max_value=24, initial=3, help_text=_("生成自该日起若干个月内的接待日。")
    )


class MoveDayForm(TextHygieneMixin, forms.Form):
    to = forms.DateField(label=_("调整到"), widget=DateInput())
    note = _text(_("调整说明"), rows=3, help_text=_("将公开显示，例如：因国庆假期顺延。"))


class CancelDayForm(TextHygieneMixin, forms.Form):
    note = _text(_("取消原因"), rows=3, help_text=_("将公开显示。"))


class DutyAssignForm(TextHygieneMixin, forms.Form):
    representatives = forms.ModelMultipleChoiceField(
        label=_("值班代表"),
        queryset=Representative.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 14}),
        help_text=_("按住 Ctrl（苹果电脑为 Command）可多选。"),
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["representatives"]
        field.queryset = candidates
        field.label_from_instance = lambda rep: f"{rep.name}（{rep.get_level_display()}）"


def duty_candidates(day):
    """Serving representatives of every level who live in the office's township, not yet on duty that day."""
    office = day.office
    township_id = office.region_id if office.level == LiaisonOffice.Level.OFFICE else office.region.parent_id
    on_duty = day.shifts.values("representative")
    return (
        Representative.objects.serving().filter(township_id=township_id).exclude(pk__in=on_duty).order_by("level", "pk")
    )


# --- concerns -----------------------------------------------------------------------------------


class ReferOutForm(TextHygieneMixin, forms.Form):
    reason = forms.ChoiceField(label=_("引导理由"), choices=[("", "---------"), *Concern.ReferralReason.choices])
    note = _text(_("给群众的说明"), help_text=_("群众凭查询码可以看到，请写明应当向哪个部门、通过什么途径反映。"))


class RouteForm(TextHygieneMixin, forms.Form):
    route = forms.ChoiceField(label=_("转办对象"), choices=Concern.Route.choices, widget=forms.RadioSelect)
    unit = forms.ModelChoiceField(label=_("承办单位"), queryset=HandlingUnit.objects.none(), required=False)
    representative = forms.ModelChoiceField(
        label=_("办理代表"),
        queryset=Representative.objects.none(),
        required=False,
        widget=AutocompleteSelect(Concern._meta.get_field("representative"), admin.site),
        help_text=_("输入代表姓名查找；只能选择在任代表。"),
    )

    due_on = forms.DateField(label=_("办理期限"), widget=DateInput(), required=False)
    instructions = _text(_("转办要求"), rows=3, required=False, help_text=_("写给办理单位或代表的要求，群众看不到。"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = routable_units(user)
        self.fields["representative"].queryset = Representative.objects.visible_to(user).serving()
        due = self.fields["due_on"]
        due.initial = resolve_due_default()
        days = config("LIAISON", "RESOLVE_WORKDAYS")
        due.help_text = _("留空则为今天起%(n)s个工作日，可按事项的难易调整。") % {"n": days}

    def clean_due_on(self):
        day = self.cleaned_data["due_on"]
        if day and day < timezone.localdate():
            raise forms.ValidationError(_("办理期限不能早于今天。"))
        return day

    def clean(self):
        cleaned = super().clean()
        route = cleaned.get("route")
        if route == Concern.Route.UNIT and not cleaned.get("unit"):
            self.add_error("unit", _("请选择承办单位。"))
        if route == Concern.Route.REPRESENTATIVE and not cleaned.get("representative"):
            self.add_error("representative", _("请选择办理代表。"))
        return cleaned


class DeadlineForm(TextHygieneMixin, forms.Form):
    due_on = forms.DateField(label=_("新的办理期限"), widget=DateInput())
    reason = _text(_("调整原因"), rows=3)

    def clean_due_on(self):
        day = self.cleaned_data["due_on"]
        if day < timezone.localdate():
            raise forms.ValidationError(_("办理期限不能早于今天。"))
        return day


class ResolveForm(TextHygieneMixin, forms.Form):
    answer = _text(_("办理情况"), rows=5, help_text=_("内部记录，群众看不到。"))
    public_answer = _text(_("公开答复"), help_text=_("群众凭查询码可以看到的答复，不要写入姓名、电话等个人信息。"))


class RevisitForm(TextHygieneMixin, forms.Form):
    revisited_on = forms.DateField(label=_("回访日期"), widget=DateInput(), initial=timezone.localdate)
    notes = _text(_("回访情况"))

    def clean_revisited_on(self):
        day = self.cleaned_data["revisited_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("回访日期不能晚于今天。"))
        return day


class ToProposalForm(TextHygieneMixin, forms.Form):
    representative = forms.ModelChoiceField(
        label=_("领衔代表"),
        queryset=Representative.objects.none(),
        widget=AutocompleteSelect(Concern._meta.get_field("representative"), admin.site),
        help_text=_("输入代表姓名查找；建议以草稿形式交给代表，由代表修改后提交。"),
    )
    session = forms.ModelChoiceField(label=_("会议"), queryset=CongressSession.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["representative"].queryset = Representative.objects.visible_to(user)
        self.fields["session"].queryset = CongressSession.objects.visible_to(user).select_related("term__region")

    def clean(self):
        cleaned = super().clean()
        rep, session = cleaned.get("representative"), cleaned.get("session")
        if rep and rep.status != RepresentativeStatus.SERVING:
            self.add_error("representative", _("只有在任代表才能提出建议。"))
        elif rep and session and rep.term_id != session.term_id:
            self.add_error("representative", _("该代表不是所选会议所属届次的代表。"))
        return cleaned


# --- reception records --------------------------------------------------------------------------


class ReceptionRecordAddForm(TextHygieneMixin, forms.ModelForm):
    """A visitor registered by staff; unless answered on the spot it becomes a concern to follow."""

    category = forms.ChoiceField(label=_("类别"), choices=Concern.Category.choices, initial=Concern.Category.OTHER)
    is_urgent = forms.BooleanField(label=_("急难愁盼"), required=False)

    class Meta:
        model = ReceptionRecord
        fields = ["office", "received_on", "visitor_name", "visitor_phone", "matter", "answered_on_spot", "answer"]
        widgets = {"received_on": DateInput()}

    def clean_received_on(self):
        day = self.cleaned_data["received_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("接待日期不能晚于今天。"))
        return day

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("answered_on_spot") and not (cleaned.get("answer") or "").strip():
            self.add_error("answer", _("当场答复的，请填写答复情况。"))
        return cleaned


# --- statistics ---------------------------------------------------------------------------------


class StatisticsForm(TextHygieneMixin, forms.Form):
    year = forms.TypedChoiceField(label=_("年度"), coerce=int)
    township = forms.TypedChoiceField(label=_("乡镇"), coerce=int, required=False, empty_value=None)

    # Liaison offices in their present form date from the 2010s; no concern is older than this.
    FIRST_YEAR = 2015

    def __init__(self, *args, user, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in range(today.year, self.FIRST_YEAR - 1, -1)]
        self.townships = {t.pk: t for t in townships_in_scope(user)}
        self.fields["township"].choices = [("", _("全部乡镇")), *((pk, t.name) for pk, t in self.townships.items())]
