from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.models import Region
from apps.core.text import TextHygieneMixin
from apps.core.widgets import DateInput
from apps.representatives import selectors
from apps.representatives.choices import Level
from apps.representatives.models import DutyActivity


class RosterFilterForm(TextHygieneMixin, forms.Form):
    """County, township and level of the public roster. With more than one county the county is
    chosen first and only its townships are offered (no script needed: choosing a county and
    submitting shows its townships); options come from the cache, not from the database."""

    county = forms.ChoiceField(label=_("县（市、区）"), required=False)
    township = forms.ChoiceField(label=_("乡镇"), required=False)
    level = forms.ChoiceField(label=_("代表层级"), choices=[("", _("全部层级")), *Level.choices], required=False)

    def __init__(self, data=None, **kwargs):
        counties = selectors.roster_counties()
        self.many_counties = len(counties) > 1
        if self.many_counties and data and data.get("township") and not data.get("county"):
            # A link to one township (the home page's) implies its county.
            data = data.copy()
            data["county"] = selectors.county_code_of_township(data["township"]) or ""
        super().__init__(data, **kwargs)
        if self.many_counties:
            self.fields["county"].choices = [("", _("请选择县（市、区）")), *counties]
            county = (data or {}).get("county")
            townships = selectors.roster_townships(county) if county in dict(counties) else []
        else:
            del self.fields["county"]
            townships = selectors.roster_townships(counties[0][0] if counties else None)
        self.fields["township"].choices = [("", _("全部乡镇")), *townships]

    def clean_county(self):
        code = self.cleaned_data["county"]
        return Region.objects.filter(level=Region.Level.COUNTY, code=code).first() if code else None

    def clean_township(self):
        code = self.cleaned_data["township"]
        return Region.objects.filter(level=Region.Level.TOWNSHIP, code=code).first() if code else None

    @property
    def needs_county(self) -> bool:
        """A deployment of many counties lists nobody until a county is chosen: one county's
        roster is bounded, the whole province's is not."""
        if not self.many_counties:
            return False
        return not (self.is_bound and self.is_valid() and self.cleaned_data.get("county"))


class DutyActivityForm(TextHygieneMixin, forms.Form):
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
