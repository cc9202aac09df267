from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.models import Region
from apps.representatives.choices import Level


class RosterFilterForm(forms.Form):
    township = forms.ModelChoiceField(
        label=_("乡镇"),
        queryset=Region.objects.filter(level=Region.Level.TOWNSHIP).order_by("sort_order", "code"),
        required=False,
        empty_label=_("全部乡镇"),
        to_field_name="code",
    )
    level = forms.ChoiceField(label=_("代表层级"), choices=[("", _("全部层级")), *Level.choices], required=False)
