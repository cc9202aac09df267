"""Forms of the groups back office beside Django's own: the reason of a rejection and the inline rows
whose rules the services hold."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.text import TextHygieneMixin
from apps.groups.selectors import lives_in
from apps.representatives.choices import Status


class RejectForm(TextHygieneMixin, forms.Form):
    note = forms.CharField(
        label=_("不通过理由"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("不通过时请填写理由。")},
        help_text=_("理由会通过站内信告诉填报的代表。"),
    )


class ActivityAdminForm(TextHygieneMixin, forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "region" in self.fields:
            self.fields["region"].required = False
            self.fields["region"].help_text = _("不属于小组的活动必选；小组活动属于小组所在区域。")

    def clean(self):
        cleaned = super().clean()
        # A group's activity belongs to the group's region; the region is asked only without a group.
        if cleaned.get("group"):
            cleaned["region"] = cleaned["group"].region
        elif "region" in self.fields and not cleaned.get("region") and "region" not in self.errors:
            self.add_error("region", _("不属于小组的活动请选择所属区域。"))
        return cleaned


class MembershipForm(TextHygieneMixin, forms.ModelForm):
    """A row of a group's members: new rows join the group; a member's row only records leaving."""

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            self._clean_existing(cleaned)
        elif (rep := cleaned.get("representative")) is not None:
            self._clean_new(rep, cleaned)
        return cleaned

    def _clean_existing(self, cleaned):
        if {"representative", "joined_on"} & set(self.changed_data):
            raise forms.ValidationError(_("已有成员只能登记退出日期；加入有误的请登记退出后重新加入。"))
        group = cleaned.get("group") or self.instance.group
        if cleaned.get("left_on") and self.instance.representative_id == group.leader_id:
            self.add_error("left_on", _("组长不能退出，请先更换组长。"))

    def _clean_new(self, rep, cleaned):
        if cleaned.get("left_on"):
            self.add_error("left_on", _("新加入的成员不用填写退出日期。"))
        if rep.status != Status.SERVING:
            self.add_error("representative", _("%(rep)s目前不是在任代表。") % {"rep": rep})
        # The formset gives each row the group being saved, with the region chosen on the page.
        group = cleaned.get("group")
        if group is not None and group.region_id and not lives_in(rep, group.region):
            self.add_error("representative", _("%(rep)s不是%(region)s的代表。") % {"rep": rep, "region": group.region})


class MembershipFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            rep = form.cleaned_data.get("representative") if hasattr(form, "cleaned_data") else None
            if rep is None or form.instance.pk or form.cleaned_data.get("DELETE"):
                continue
            if rep.pk in seen:
                raise forms.ValidationError(_("%(rep)s重复列出。") % {"rep": rep})
            seen.add(rep.pk)
