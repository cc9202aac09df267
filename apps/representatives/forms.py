from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.models import Region
from apps.representatives.choices import Level
from apps.representatives.models import DutyActivity


class RosterFilterForm(forms.Form):
    township = forms.ModelChoiceField(
        label=_("乡镇"),
        queryset=Region.objects.filter(level=Region.Level.TOWNSHIP).order_by("sort_order", "code"),
        required=False,
        empty_label=_("全部乡镇"),
        to_field_name="code",
    )
    level = forms.ChoiceField(label=_("代表层级"), choices=[("", _("全部层级")), *Level.choices], required=False)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DutyActivityForm(forms.Form):
    """What a representative reports about a duty they performed; the services decide."""

    kind = forms.ChoiceField(
        label=_("类别"),
        choices=[("", _("请选择")), *DutyActivity.Kind.choices],
        error_messages={"required": _("请选择履职类别。")},
    )
    date = forms.DateField(
        label=_("日期"),
        widget=DateInput(),
        error_messages={"required": _("请填写履职日期。"), "invalid": _("请按“年-月-日”填写日期，例如 2022-05-18。")},
    )
    place = forms.CharField(label=_("地点"), max_length=100, error_messages={"required": _("请填写履职地点。")})
    description = forms.CharField(
        label=_("履职内容"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("例如：参加了什么会议或活动、走访了哪些选民、了解或反映了什么问题。"),
        error_messages={"required": _("请填写履职内容。")},
    )
