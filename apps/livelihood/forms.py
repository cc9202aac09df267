"""Forms of the livelihood pages. They validate input only; every write goes through services."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.config import config
from apps.core.models import Region
from apps.core.phones import PhoneField
from apps.core.public_forms import PublicFormMixin
from apps.core.text import TextHygieneMixin
from apps.core.widgets import DateInput
from apps.livelihood.models import Ballot, BallotTally, Milestone

SATISFACTION_OPTIONS = [
    (BallotTally.Option.SATISFIED, _("满意")),
    (BallotTally.Option.BASIC, _("基本满意")),
    (BallotTally.Option.DISSATISFIED, _("不满意")),
]


def township_choices():
    townships = Region.objects.filter(level=Region.Level.TOWNSHIP).order_by("parent__sort_order", "sort_order", "code")
    return [("", _("请选择乡镇")), *((t.pk, t.name) for t in townships)]


class _IdeaFields(TextHygieneMixin, forms.Form):
    """What every idea says, whoever proposes it."""

    township = forms.TypedChoiceField(
        label=_("所在乡镇"),
        choices=(),
        coerce=int,
        error_messages={"required": _("请选择项目所在的乡镇。"), "invalid_choice": _("请从列表中选择乡镇。")},
    )
    title = forms.CharField(
        label=_("项目名称"),
        max_length=100,
        help_text=_("一句话说清楚要办什么，例如：白云村饮水安全巩固提升工程。"),
        error_messages={"required": _("请填写项目名称。")},
    )
    description = forms.CharField(
        label=_("项目内容"),
        min_length=10,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("10 到 3000 字：在什么地方、解决什么问题、惠及多少群众。"),
        error_messages={
            "required": _("请填写项目内容。"),
            "min_length": _("项目内容至少 %(limit_value)d 个字，现在只有 %(show_value)d 个字。"),
            "max_length": _("项目内容不能超过 %(limit_value)d 个字，现在有 %(show_value)d 个字。"),
        },
    )
    estimated_cost = forms.DecimalField(
        label=_("估算投资（万元）"),
        required=False,
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        help_text=_("可不填。"),
        error_messages={"invalid": _("请填写数字，单位万元，例如 35.5。"), "min_value": _("投资不能为负数。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].choices = township_choices()

    def region(self) -> Region:
        return Region.objects.get(pk=self.cleaned_data["township"])

    def idea_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "region": self.region(),
            "title": data["title"],
            "description": data["description"],
            "estimated_cost": data["estimated_cost"],
        }


class IdeaForm(PublicFormMixin, _IdeaFields):
    """A citizen's project idea: the concern form's abuse limits, a name and phone, consent."""

    form_salt = "livelihood.idea-form"

    name = forms.CharField(label=_("姓名"), max_length=30, error_messages={"required": _("请填写您的姓名。")})
    phone = PhoneField(
        label=_("手机号码"),
        kind="mobile",
        help_text=_("工作人员论证项目时可能联系您。"),
        error_messages={"required": _("请填写手机号码。")},
    )
    consent = forms.BooleanField(
        label=_("我已阅读并同意上面的个人信息处理说明"),
        error_messages={"required": _("请阅读个人信息处理说明，勾选同意后再提交。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.min_fill_seconds = config("LIAISON", "MIN_FILL_SECONDS")
        self.fields["name"].widget.attrs["autocomplete"] = "name"


class RepresentativeIdeaForm(_IdeaFields):
    """A representative's idea, proposed in the portal."""


# --- the ballot ----------------------------------------------------------------------------------


class BallotForm(TextHygieneMixin, forms.Form):
    """A sheet: for a selection, checkboxes "choose up to N"; for a poll, a radio per project."""

    def __init__(self, *args, ballot: Ballot, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.ballot = ballot
        self.items = list(items)
        if ballot.kind == Ballot.Kind.SELECTION:
            self.fields["projects"] = forms.TypedMultipleChoiceField(
                label=_("赞成的项目"),
                choices=[(i.project_id, i.project.title) for i in self.items],
                coerce=int,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
        else:
            for item in self.items:
                self.fields[self._name(item)] = forms.ChoiceField(
                    label=item.project.title,
                    choices=SATISFACTION_OPTIONS,
                    widget=forms.RadioSelect,
                    error_messages={"required": _("请对这个项目选择满意、基本满意或不满意。")},
                )

    @staticmethod
    def _name(item) -> str:
        return f"p{item.project_id}"

    def clean_projects(self):
        chosen = self.cleaned_data["projects"]
        if len(chosen) > self.ballot.max_choices:
            raise forms.ValidationError(
                _("最多只能选择 %(n)s 个项目，您选择了 %(chosen)s 个。")
                % {"n": self.ballot.max_choices, "chosen": len(chosen)}
            )
        return chosen

    def rows(self):
        """(item, the inputs of its project) in ballot order."""
        if self.ballot.kind == Ballot.Kind.SELECTION:
            return list(zip(self.items, self["projects"], strict=True))
        return [(item, self[self._name(item)]) for item in self.items]

    def choices(self) -> dict[int, str]:
        if self.ballot.kind == Ballot.Kind.SELECTION:
            return dict.fromkeys(self.cleaned_data["projects"], BallotTally.Option.FOR)
        return {item.project_id: self.cleaned_data[self._name(item)] for item in self.items}


# --- handling units ------------------------------------------------------------------------------


class ProgressReportForm(TextHygieneMixin, forms.Form):
    milestone = forms.TypedChoiceField(
        label=_("实施节点"), coerce=int, error_messages={"required": _("请选择要填报的节点。")}
    )
    progress = forms.IntegerField(
        label=_("完成进度（%）"),
        min_value=0,
        max_value=100,
        error_messages={"required": _("请填写进度，0 到 100 之间的整数。")},
    )
    note = forms.CharField(
        label=_("进展情况"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("公众可以在民生实事公开页面看到这段说明，请不要写入个人信息。"),
        error_messages={"required": _("请填写进展情况。")},
    )
    reported_on = forms.DateField(
        label=_("填报日期"),
        widget=DateInput(),
        initial=timezone.localdate,
    )

    def __init__(self, *args, leaves: list[Milestone], **kwargs):
        super().__init__(*args, **kwargs)
        self.leaves = {m.pk: m for m in leaves}
        self.fields["milestone"].choices = [("", _("请选择节点")), *((m.pk, m.title) for m in leaves)]

    def clean_reported_on(self):
        day = self.cleaned_data["reported_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("填报日期不能晚于今天。"))
        return day

    def chosen_milestone(self) -> Milestone:
        return self.leaves[self.cleaned_data["milestone"]]


class YearForm(TextHygieneMixin, forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100, required=False)
