"""Forms of the representatives' group pages. They read input only; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.text import TextHygieneMixin
from apps.core.widgets import DateInput
from apps.groups.models import Activity
from apps.groups.selectors import members_of_my_groups, my_groups, open_campaigns

DATE_ERRORS = {"required": _("请填写日期。"), "invalid": _("请按“年-月-日”填写日期，例如 2022-05-18。")}


class ActivityReportForm(TextHygieneMixin, forms.ModelForm):
    """An activity a representative reports: a group's (with its members) or their own."""

    group = forms.ModelChoiceField(
        label=_("活动小组"),
        queryset=None,
        required=False,
        empty_label=_("不属于小组（本人开展的活动）"),
        error_messages={"invalid_choice": _("您不是所选小组的成员。")},
    )
    participants = forms.ModelMultipleChoiceField(
        label=_("一同参加的小组成员"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("您本人自动计为参加代表。只能选择所选小组的成员。"),
    )

    class Meta:
        model = Activity
        fields = [
            "group",
            "kind",
            "title",
            "date",
            "place",
            "participants",
            "summary",
            "people_reached",
            "wishes_fulfilled",
            "problems_solved",
        ]
        widgets = {"date": DateInput(), "summary": forms.Textarea(attrs={"rows": 5})}
        error_messages = {"date": DATE_ERRORS, "title": {"required": _("请填写活动名称。")}}

    def __init__(self, *args, representative, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = my_groups(representative)
        self.fields["participants"].queryset = members_of_my_groups(representative)
        for name in ("people_reached", "wishes_fulfilled", "problems_solved"):
            self.fields[name].widget.attrs["min"] = 0

    def _post_clean(self):
        # The service validates and saves; the model's own checks would need a region and a recorder.
        pass


class ProblemReportForm(TextHygieneMixin, forms.Form):
    campaign = forms.ModelChoiceField(
        label=_("主题活动"), queryset=None, error_messages={"required": _("请选择主题活动。")}
    )
    date = forms.DateField(label=_("日期"), widget=DateInput(), error_messages=DATE_ERRORS)
    problem = forms.CharField(
        label=_("群众反映的问题"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("请填写群众反映的问题。")},
    )
    action_taken = forms.CharField(label=_("采取的措施"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    is_solved = forms.BooleanField(label=_("问题已解决"), required=False, initial=True)

    def __init__(self, *args, representative, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = open_campaigns(representative)
