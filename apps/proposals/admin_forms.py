"""Forms of the proposals back office: the input that the admin's actions and pages pass to the services."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.import_admin import ImportUploadForm
from apps.core.models import CongressSession
from apps.core.text import TextHygieneMixin
from apps.core.widgets import DateInput
from apps.proposals.models import Assignment, CoSigner, Proposal, Status, Supervision
from apps.representatives.choices import Status as RepresentativeStatus
from apps.representatives.models import Representative

Role = Assignment.Role
NO_ROLE = ""


def session_choices(user) -> list[tuple[int, str]]:
    """The congress sessions a user may pick, in one query."""
    sessions = CongressSession.objects.visible_to(user).select_related("term__region")
    return [(s.pk, str(s)) for s in sessions]


def unit_choices(units) -> list[tuple[str, str]]:
    return [(str(u.pk), str(u)) for u in units]


# --- adding a paper proposal ------------------------------------------------------------------


class ProposalAddForm(TextHygieneMixin, forms.ModelForm):
    """A proposal handed in on paper and entered by staff on behalf of its lead representative."""

    cosigners = forms.ModelMultipleChoiceField(
        label=_("附议代表"),
        queryset=Representative.objects.none(),
        required=False,
        widget=AutocompleteSelectMultiple(Proposal._meta.get_field("lead"), admin.site),
    )
    cosigners_signed = forms.BooleanField(
        label=_("附议代表已在纸质建议上签名"),
        required=False,
        help_text=_("勾选后视为附议代表已确认附议，不再向他们发送确认请求。"),
    )
    submit_now = forms.BooleanField(
        label=_("立即提交并编号"), required=False, initial=True, help_text=_("不勾选则保存为草稿。")
    )

    class Meta:
        model = Proposal
        fields = [
            "session",
            "period",
            "lead",
            "title",
            "content",
            "category",
            "publication",
            "formation",
            "wants_contact",
            "reference_only",
        ]

    def clean(self):
        cleaned = super().clean()
        lead, session = cleaned.get("lead"), cleaned.get("session")
        if lead and lead.status != RepresentativeStatus.SERVING:
            self.add_error("lead", _("只有在任代表才能提出建议。"))
        if lead and session and lead.term_id != session.term_id:
            self.add_error("lead", _("领衔代表不是本届人民代表大会的代表。"))
        outsiders = [r for r in cleaned.get("cosigners") or [] if session and r.term_id != session.term_id]
        if outsiders:
            names = "、".join(str(r) for r in outsiders)
            self.add_error("cosigners", _("以下附议代表不是本届人民代表大会的代表：%(names)s") % {"names": names})
        return cleaned


# --- intermediate pages of the actions --------------------------------------------------------


class ReturnForm(TextHygieneMixin, forms.Form):
    exclusion = forms.ChoiceField(label=_("退回情形"), choices=[("", "---------"), *Proposal.Exclusion.choices])
    reason = forms.CharField(label=_("退回理由"), widget=forms.Textarea(attrs={"rows": 4}))


class MergeForm(TextHygieneMixin, forms.Form):
    into = forms.ModelChoiceField(label=_("并入建议"), queryset=Proposal.objects.none())

    # Proposals that can absorb another one; the service checks this again.
    TARGET_EXCLUDED = [Status.DRAFT, Status.RETURNED, Status.MERGED, Status.WITHDRAWN]

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = targets.exclude(status__in=self.TARGET_EXCLUDED).order_by("number", "pk")


class MarkKeyForm(TextHygieneMixin, forms.Form):
    leader = forms.CharField(label=_("督办领导"), max_length=50, help_text=_("例如：县人大常委会主任某某"))


class SupervisionForm(TextHygieneMixin, forms.Form):
    method = forms.ChoiceField(label=_("督办方式"), choices=Supervision.Method.choices)
    supervised_on = forms.DateField(label=_("督办日期"), widget=DateInput(), initial=timezone.localdate)
    supervisor = forms.CharField(label=_("督办人"), max_length=50)
    notes = forms.CharField(label=_("督办情况"), widget=forms.Textarea(attrs={"rows": 4}))

    def clean_supervised_on(self):
        day = self.cleaned_data["supervised_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("督办日期不能晚于今天。"))
        return day


class CoSignerAnswerForm(TextHygieneMixin, forms.Form):
    """A co-signer's answer given on paper, by phone or in person, recorded by staff."""

    CONFIRM, REMOVE = "confirm", "remove"

    cosigner = forms.ModelChoiceField(label=_("附议代表"), queryset=CoSigner.objects.none())
    decision = forms.ChoiceField(
        label=_("代表的答复"),
        choices=[(CONFIRM, _("同意附议")), (REMOVE, _("不附议，从建议中移除"))],
        widget=forms.RadioSelect,
    )
    source = forms.ChoiceField(
        label=_("答复方式"), choices=[("", "---------"), *[(s.value, s.label) for s in CoSigner.STAFF_SOURCES]]
    )
    note = forms.CharField(
        label=_("说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("移除时必填，例如：电话联系，代表本人表示不附议。"),
    )

    def __init__(self, *args, proposal, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["cosigner"]
        field.queryset = proposal.cosigners.filter(confirmed_at__isnull=True).select_related("representative")
        field.label_from_instance = self._label

    @staticmethod
    def _label(cosigner) -> str:
        return f"{cosigner.representative}（{_('已表示不附议') if cosigner.declined_at else _('未答复')}）"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.REMOVE and not cleaned.get("note", "").strip():
            self.add_error("note", _("请说明移除附议代表的原因。"))
        return cleaned


class FollowUpCloseForm(TextHygieneMixin, forms.Form):
    note = forms.CharField(
        label=_("落实情况"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("写明承办单位承诺的事项已经如何落实。"),
    )
    carried_over = forms.BooleanField(
        label=_("结转下年办理"),
        required=False,
        help_text=_("年底仍未解决、转入下一年度继续办理的，请勾选。"),
    )


# --- assignment -------------------------------------------------------------------------------


class AssignForm(TextHygieneMixin, forms.Form):
    """One role select per active handling unit, and the complexity flag that sets the deadline."""

    ROLE_CHOICES = [(NO_ROLE, _("不交办")), *Role.choices]

    is_complex = forms.BooleanField(
        label=_("涉及面广、处理难度大"), required=False, help_text=_("勾选后答复期限为六个月，否则为三个月。")
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = list(units)
        for unit in self.units:
            self.fields[self._name(unit)] = forms.ChoiceField(
                label=str(unit), choices=self.ROLE_CHOICES, required=False
            )

    @staticmethod
    def _name(unit) -> str:
        return f"role_{unit.pk}"

    def unit_rows(self):
        return [(unit, self[self._name(unit)]) for unit in self.units]

    def chosen(self) -> list[tuple[object, str]]:
        return [(u, self.cleaned_data[self._name(u)]) for u in self.units if self.cleaned_data[self._name(u)]]


class OnSiteBatchForm(TextHygieneMixin, forms.Form):
    title = forms.CharField(label=_("交办会名称"), max_length=100)
    held_on = forms.DateField(label=_("召开日期"), widget=DateInput(), initial=timezone.localdate)
    place = forms.CharField(label=_("地点"), max_length=100, required=False)


class OnSiteRowForm(TextHygieneMixin, forms.Form):
    """One proposal's units at an on-site assignment meeting."""

    lead = forms.ChoiceField(label=_("主办单位"))
    assist = forms.MultipleChoiceField(
        label=_("协办单位"), required=False, widget=forms.SelectMultiple(attrs={"size": 4})
    )
    is_complex = forms.BooleanField(label=_("复杂"), required=False)

    def __init__(self, *args, proposal, choices, **kwargs):
        kwargs.setdefault("initial", {"is_complex": proposal.is_complex})
        super().__init__(*args, prefix=f"p{proposal.pk}", **kwargs)
        self.proposal = proposal
        self.fields["lead"].choices = [("", "---------"), *choices]
        self.fields["assist"].choices = choices

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("lead") and cleaned.get("lead") in cleaned.get("assist", []):
            self.add_error("assist", _("主办单位不能同时作为协办单位。"))
        return cleaned

    def units(self, by_pk) -> list[tuple[object, str]]:
        lead = [(by_pk[int(self.cleaned_data["lead"])], Role.LEAD)]
        return lead + [(by_pk[int(pk)], Role.ASSIST) for pk in self.cleaned_data["assist"]]


# --- statistics, notices, import --------------------------------------------------------------


class CohortForm(TextHygieneMixin, forms.Form):
    """Which proposals the rates are computed over: a congress session, a year of assignment, or both,
    optionally only those made during the session or during the recess."""

    session = forms.TypedChoiceField(label=_("会议"), coerce=int, required=False, empty_value=None)
    year = forms.IntegerField(label=_("交办年度"), required=False, min_value=1949, max_value=2100)
    # A session's cohort is usually its own proposals (大会期间), without those of the recess after it.
    period = forms.ChoiceField(label=_("提出时间"), choices=[("", _("全部")), *Proposal.Period.choices], required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].choices = [("", _("全部会议")), *session_choices(user)]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("session") and not cleaned.get("year"):
            raise forms.ValidationError(_("请选择会议或年度。"))
        return cleaned


class NoticeGenerateForm(TextHygieneMixin, forms.Form):
    session = forms.TypedChoiceField(label=_("会议"), coerce=int)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].choices = session_choices(user)


class ProposalImportForm(ImportUploadForm):
    """The proposal import asks which session the file's proposals belong to, and whether the
    co-signers signed the paper proposals."""

    session = forms.TypedChoiceField(label=_("会议"), coerce=int)
    cosigners_signed = forms.BooleanField(
        label=_("附议代表已在纸质建议上签名"),
        required=False,
        help_text=_("勾选后视为附议代表已确认附议，不再向他们发送确认请求。"),
    )
    field_order = ["session", "import_file", "cosigners_signed"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["session"].choices = session_choices(user)

    def options(self) -> dict:
        return {"session": self.cleaned_data["session"], "cosigners_signed": self.cleaned_data["cosigners_signed"]}
