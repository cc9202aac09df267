"""Forms of the back office's own post pages. They read input; the services decide."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminDateWidget, AutocompleteSelect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.text import TextHygieneMixin
from apps.core.uploads import MultipleFileInput, MultiplePhotoField
from apps.posts.forms import photos_help
from apps.posts.models import DutyPost, PostAssignment, PostLog
from apps.representatives.models import Representative


def _autocomplete(model, name: str):
    return AutocompleteSelect(model._meta.get_field(name), admin.site)


class AssignForm(TextHygieneMixin, forms.Form):
    post = forms.ModelChoiceField(
        label=_("履职岗位"), queryset=DutyPost.objects.none(), widget=_autocomplete(PostAssignment, "post")
    )
    representative = forms.ModelChoiceField(
        label=_("代表"),
        queryset=Representative.objects.none(),
        widget=_autocomplete(PostAssignment, "representative"),
        help_text=_("只能安排岗位所在乡镇的在任代表（县人大代表按其所在乡镇）。"),
    )
    started_on = forms.DateField(label=_("上岗日期"), widget=AdminDateWidget())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post"].queryset = DutyPost.objects.visible_to(user).filter(is_active=True)
        self.fields["representative"].queryset = Representative.objects.visible_to(user)
        self.fields["started_on"].initial = timezone.localdate()


class UnassignForm(TextHygieneMixin, forms.Form):
    ended_on = forms.DateField(
        label=_("离岗日期"), widget=AdminDateWidget(), help_text=_("在岗的最后一天。"), initial=timezone.localdate
    )


class RejectForm(TextHygieneMixin, forms.Form):
    note = forms.CharField(
        label=_("不通过的理由"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("代表会在站内信中看到这段理由。"),
        error_messages={"required": _("请填写不通过的理由。")},
    )


class LogAddForm(TextHygieneMixin, forms.Form):
    """Staff entering a log for a representative (e.g. from a paper record)."""

    assignment = forms.ModelChoiceField(
        label=_("岗位安排"), queryset=PostAssignment.objects.none(), widget=_autocomplete(PostLog, "assignment")
    )
    date = forms.DateField(label=_("日期"), widget=AdminDateWidget())
    content = forms.CharField(label=_("工作内容"), widget=forms.Textarea(attrs={"rows": 5}))
    photos = MultiplePhotoField(
        label=_("照片"), required=False, widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png"})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignment"].queryset = PostAssignment.objects.visible_to(user)
        self.fields["photos"].help_text = photos_help()


class CountsForm(TextHygieneMixin, forms.Form):
    as_of = forms.DateField(label=_("统计日期"), widget=AdminDateWidget(), help_text=_("按这一天的在岗情况统计。"))
