"""Forms of the back office's duty-record pages. They read input; the services decide."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.models import Region
from apps.core.selectors import townships_in_scope
from apps.core.text import TextHygieneMixin
from apps.core.widgets import DateInput
from apps.representatives.choices import Status


class RejectForm(TextHygieneMixin, forms.Form):
    note = forms.CharField(
        label=_("不通过的理由"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("代表会在站内信和履职记录里看到这条理由。"),
        error_messages={"required": _("请填写不通过的理由。")},
    )


class EvaluationScopeForm(TextHygieneMixin, forms.Form):
    """Which year, and which township within the user's scope, the evaluation page is about."""

    year = forms.TypedChoiceField(label=_("年度"), coerce=int)
    township = forms.ModelChoiceField(
        label=_("乡镇"), queryset=Region.objects.none(), required=False, empty_label=_("管辖范围内全部")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        self.fields["year"].choices = [(y, y) for y in range(this_year, this_year - 6, -1)]
        self.fields["township"].queryset = townships_in_scope(user)


class EvaluationConfirmForm(TextHygieneMixin, forms.Form):
    commend = forms.TypedMultipleChoiceField(label=_("确认表彰"), coerce=int, required=False)
    retrain = forms.TypedMultipleChoiceField(label=_("确认再培训"), coerce=int, required=False)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, commend=(), retrain=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commend"].choices = [(pk, pk) for pk in commend]
        self.fields["retrain"].choices = [(pk, pk) for pk in retrain]

    def clean(self):
        data = super().clean()
        if not data.get("commend") and not data.get("retrain"):
            raise forms.ValidationError(_("请勾选要确认的代表。"))
        if set(data.get("commend") or ()) & set(data.get("retrain") or ()):
            raise forms.ValidationError(_("同一位代表不能既表彰又再培训。"))
        return data


class StatusChangeForm(TextHygieneMixin, forms.Form):
    """A representative's new status, from when and why (apps.representatives.services)."""

    status = forms.ChoiceField(label=_("新状态"), choices=Status.choices)
    on = forms.DateField(label=_("变更日期"), widget=DateInput(), initial=timezone.localdate)
    reason = forms.CharField(
        label=_("变更原因"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("例如：因工作调动辞去代表职务，经县人大常委会接受。"),
        error_messages={"required": _("请写明状态变更的原因。")},
    )
