"""Forms of the liaison pages. They validate input only; every write goes through services."""

import re
import secrets

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from apps.core.collation import by_stroke
from apps.core.config import config
from apps.core.models import Region
from apps.core.phones import PhoneField, normalize_phone
from apps.core.public_forms import PublicFormMixin
from apps.core.text import TextHygieneMixin
from apps.core.uploads import MultiplePhotoField, image_error, photo_kind
from apps.liaison.codes import normalise_code
from apps.liaison.models import Concern
from apps.liaison.selectors import townships_in_roster_order, townships_offered
from apps.representatives.choices import Level, Status
from apps.representatives.models import Representative

FORM_SIGNING_SALT = "liaison.concern-form"


def issue_form_token() -> str:
    return ConcernForm.issue_token()


# --- the public concern form ----------------------------------------------------------------------


SERVING_LEVELS = (Level.COUNTY, Level.TOWNSHIP)


class TownshipSelect(forms.Select):
    """Thousands of townships at province scale: the options are written here in one pass, not
    through one template per option (0.3 s for 2,100), and grouped by county (<optgroup>) when
    the deployment has more than one."""

    townships: dict[int, tuple[str, str]] = {}

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        selected = str(value[0] if isinstance(value, list | tuple) and value else value or "")
        options = [self._option("", _("请选择乡镇"), selected)]
        counties: dict[str, list] = {}
        for pk, (township, county) in self.townships.items():
            counties.setdefault(county, []).append(self._option(str(pk), township, selected))
        if len(counties) == 1:
            options.extend(next(iter(counties.values())))
        else:
            options.extend(
                format_html('<optgroup label="{}">{}</optgroup>', county, _joined(group))
                for county, group in counties.items()
            )
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(attrs), _joined(options))

    @staticmethod
    def _option(value: str, label, selected: str) -> str:
        if value == selected:
            return format_html('<option value="{}" selected>{}</option>', value, label)
        return format_html('<option value="{}">{}</option>', value, label)


def _joined(parts):
    """Escaped parts (each from format_html) joined, still marked safe."""
    return format_html_join("", "{}", ((part,) for part in parts))


class TownshipField(forms.TypedChoiceField):
    """Checked against the cached townships by key, not by walking a list of thousands."""

    widget = TownshipSelect

    def valid_value(self, value) -> bool:
        return _chosen(value, self.widget.townships) is not None


CHOOSE_TOWNSHIP = "choose_township"
KEPT_WHEN_CHOOSING = ("township", "village", "representative", "category", "description", "name", "phone", "website")


def typed_so_far(data) -> dict:
    """The initial values of the form re-shown after "选择乡镇": what the citizen typed (photos
    cannot be kept), and the form's token, so the fill time counts from the first page."""
    kept = {name: data.get(name, "") for name in KEPT_WHEN_CHOOSING}
    kept.update(is_urgent="is_urgent" in data, consent="consent" in data)
    kept["token"] = data.get("token") or issue_form_token()
    return kept


def _village_choices(township_id: int) -> list:
    villages = Region.objects.filter(level=Region.Level.VILLAGE, parent_id=township_id).order_by("sort_order", "code")
    return [("", _("不选（只选乡镇）")), *((v.pk, v.name) for v in villages.only("name"))]


def _representative_choices(township_id: int) -> list:
    reps = (
        Representative.objects.filter(status=Status.SERVING, level__in=SERVING_LEVELS, township_id=township_id)
        .only("name", "level")
        .order_by("level", by_stroke("name"), "pk")
    )
    return [("", _("不指定代表")), *((rep.pk, _representative_label(rep)) for rep in reps)]


def _representative_label(rep: Representative) -> str:
    return f"{rep.name}（{rep.get_level_display()}）"


def _chosen(raw, allowed) -> int | None:
    try:
        pk = int(raw)
    except (TypeError, ValueError):
        return None
    return pk if pk in allowed else None


class PlaceChoiceField(forms.TypedChoiceField):
    """Offers the places of the chosen township only. The value is checked against them in the
    form's clean, which tells a place of another township apart from one that does not exist."""

    def validate(self, value):
        forms.Field.validate(self, value)


class ConcernForm(PublicFormMixin, forms.Form):
    """A citizen's concern. The hidden token and the honeypot keep robots out without JavaScript."""

    form_salt = FORM_SIGNING_SALT

    township = TownshipField(
        label=_("所在乡镇"),
        choices=(),
        coerce=int,
        error_messages={"required": _("请选择问题所在的乡镇。"), "invalid_choice": _("请从列表中选择乡镇。")},
    )
    village = PlaceChoiceField(
        label=_("村（社区）"),
        choices=(),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("可不选。选择时须是上面所选乡镇的村（社区）。"),
        error_messages={"invalid_choice": _("请从列表中选择村（社区）。")},
    )
    representative = PlaceChoiceField(
        label=_("反映给人大代表"),
        choices=(),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("可不选。可以选择所在乡镇的县、乡镇人大代表，由代表跟踪办理。"),
        error_messages={"invalid_choice": _("请从列表中选择在任代表。")},
    )
    category = forms.ChoiceField(
        label=_("问题类别"),
        choices=[("", _("请选择类别")), *Concern.Category.choices],
        error_messages={"required": _("请选择问题类别。"), "invalid_choice": _("请从列表中选择类别。")},
    )
    is_urgent = forms.BooleanField(
        label=_("急难愁盼，需要尽快解决"),
        required=False,
        help_text=_("涉及安全、基本生活等紧急情况请勾选；情况危急请直接拨打 110、119、120。"),
    )
    description = forms.CharField(
        label=_("反映内容"),
        min_length=10,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("10 到 2000 字：什么地方、什么问题、持续多久、希望怎样解决。"),
        error_messages={
            "required": _("请填写反映内容。"),
            "min_length": _("反映内容至少 %(limit_value)d 个字，现在只有 %(show_value)d 个字，请把问题写清楚。"),
            "max_length": _("反映内容不能超过 %(limit_value)d 个字，现在有 %(show_value)d 个字。"),
        },
    )
    photos = MultiplePhotoField(label=_("照片"), required=False)
    name = forms.CharField(label=_("姓名"), max_length=30, required=False, help_text=_("可不填。"))
    phone = PhoneField(
        label=_("手机号码"),
        kind="mobile",
        required=False,
        invalid_message=_("请填写 11 位手机号码，例如 13812345678；不想留可以不填。"),
        help_text=_("可不填。留下手机号，办理单位可以联系您；凭查询码和手机号后四位还可以查看您反映的详细内容。"),
    )
    consent = forms.BooleanField(
        label=_("我已阅读并同意上面的个人信息处理说明"),
        error_messages={"required": _("请阅读个人信息处理说明，勾选同意后再提交。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.min_fill_seconds = config("LIAISON", "MIN_FILL_SECONDS")
        self._offer_places()
        max_count, max_bytes = config("LIAISON", "PHOTO_MAX_COUNT"), config("LIAISON", "PHOTO_MAX_BYTES")
        self.fields["photos"].help_text = _(
            "可不传。最多 %(count)d 张，JPG、PNG 或 WebP 格式，每张不超过 %(size)s。"
        ) % {"count": max_count, "size": _size_label(max_bytes)}
        self.fields["name"].widget.attrs["autocomplete"] = "name"

    def _offer_places(self) -> None:
        """Villages and representatives of the chosen township only (from the posted township,
        or ?township= / ?representative= on the GET): the cost does not grow with the deployment."""
        townships = townships_offered()
        self.fields["township"].widget.townships = townships
        raw = self.data.get(self.add_prefix("township")) if self.is_bound else self.initial.get("township")
        self.township_id = _chosen(raw, townships)
        self.township_name = townships[self.township_id][0] if self.township_id else ""
        if self.township_id is None:
            for name in ("village", "representative"):
                self.fields[name].choices = [("", _("请先选择乡镇"))]
            return
        # Evaluated once per form, not once per validation and once more per rendering.
        self.fields["village"].choices = _village_choices(self.township_id)
        self.fields["representative"].choices = _representative_choices(self.township_id)

    def _offered(self, name: str) -> set[int]:
        return {pk for pk, _label in self.fields[name].choices if pk}

    def clean_photos(self):
        photos = self.cleaned_data["photos"]
        max_count, max_bytes = config("LIAISON", "PHOTO_MAX_COUNT"), config("LIAISON", "PHOTO_MAX_BYTES")
        if len(photos) > max_count:
            raise forms.ValidationError(
                _("最多上传 %(count)d 张照片，您选择了 %(n)d 张。") % {"count": max_count, "n": len(photos)}
            )
        errors = []
        for photo in photos:
            kind = photo_kind(photo)
            if photo.size > max_bytes:
                errors.append(
                    _("照片“%(name)s”超过 %(size)s，请压缩后再上传。")
                    % {"name": photo.name, "size": _size_label(max_bytes)}
                )
            elif kind is None:
                errors.append(_("“%(name)s”不是 JPG、PNG 或 WebP 格式的照片。") % {"name": photo.name})
            elif problem := image_error(photo, kind):
                errors.append(problem)
            else:
                # Stored under a random name: the citizen's own file name may say who they are.
                photo.name = f"{secrets.token_hex(12)}.{kind}"
        if errors:
            raise forms.ValidationError(errors)
        return photos

    def clean(self):
        data = super().clean()
        self._check_places(data)
        return data

    def _check_places(self, data) -> None:
        if data.get("township") is None:
            return
        village_id, representative_id = data.get("village"), data.get("representative")
        if village_id and village_id not in self._offered("village"):
            elsewhere = Region.objects.filter(pk=village_id, level=Region.Level.VILLAGE).exists()
            self.add_error(
                "village", _("所选村（社区）不属于所选乡镇，请重新选择。") if elsewhere else self._unknown("village")
            )
        if representative_id and representative_id not in self._offered("representative"):
            serving = Representative.objects.filter(
                pk=representative_id, status=Status.SERVING, level__in=SERVING_LEVELS
            )
            elsewhere = serving.exists()
            message = (
                _("所选代表不在所选乡镇，请重新选择或不指定代表。") if elsewhere else self._unknown("representative")
            )
            self.add_error("representative", message)

    def _unknown(self, name: str) -> str:
        return self.fields[name].error_messages["invalid_choice"]

    def region(self) -> Region:
        """The village when one was chosen, else the township."""
        # With its parent: the service finds the township's office from a village.
        return Region.objects.select_related("parent").get(
            pk=self.cleaned_data["village"] or self.cleaned_data["township"]
        )

    def addressed_to(self) -> Representative | None:
        pk = self.cleaned_data["representative"]
        return Representative.objects.filter(pk=pk).first() if pk else None


def _size_label(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    return f"{max(size // 1024, 1)} KB"


# --- tracking and rating --------------------------------------------------------------------------


class LastFourField(forms.CharField):
    """Four digits as typed on any keyboard: full-width or other Unicode digits, spaces and all."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("手机号后四位"))
        kwargs.setdefault("max_length", 4)
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": r"\d{4}", "size": 6}),
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        return normalize_phone(super().to_python(value))

    def validate(self, value):
        super().validate(value)
        if value and not re.fullmatch(r"[0-9]{4}", value):
            raise forms.ValidationError(_("请填写手机号的后四位数字。"), code="invalid")


class TrackForm(TextHygieneMixin, forms.Form):
    code = forms.CharField(
        label=_("查询码"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
        help_text=_("提交时得到的 14 位查询码，大小写、空格和横线都可以。"),
        error_messages={"required": _("请输入查询码。")},
    )
    phone_last4 = LastFourField(help_text=_("可不填。填写提交时所留手机号的后四位，可以查看您反映的详细内容和照片。"))

    def clean_code(self):
        code = normalise_code(self.cleaned_data["code"])
        if not code:
            raise forms.ValidationError(_("请输入查询码。"))
        return code


class RatingForm(TextHygieneMixin, forms.Form):
    rating = forms.ChoiceField(
        label=_("您对办理结果的评价"),
        choices=Concern.Rating.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择满意、基本满意或不满意。")},
    )
    phone_last4 = LastFourField(help_text=_("请填写提交时所留手机号的后四位，确认是您本人评价。"))

    def __init__(self, *args, needs_phone: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not needs_phone:
            del self.fields["phone_last4"]


# --- portals --------------------------------------------------------------------------------------


class HandlerListFilterForm(TextHygieneMixin, forms.Form):
    TODO, DONE, ALL = "todo", "done", "all"

    status = forms.ChoiceField(
        label=_("办理状态"),
        choices=[(TODO, _("待办理")), (DONE, _("已办理")), (ALL, _("全部"))],
        required=False,
    )


class AnswerForm(TextHygieneMixin, forms.Form):
    answer = forms.CharField(
        label=_("办理情况"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("给工作室和常委会看的办理经过和结果，可以写明联系人。"),
        error_messages={"required": _("请填写办理情况。")},
    )
    public_answer = forms.CharField(
        label=_("给群众的公开答复"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("群众凭查询码可以看到这段答复，请不要写入姓名、电话等个人信息。"),
        error_messages={"required": _("请填写给群众的公开答复。")},
    )


class ReceptionFilterForm(TextHygieneMixin, forms.Form):
    township = forms.ModelChoiceField(
        label=_("乡镇"),
        queryset=townships_in_roster_order(),
        to_field_name="code",
        required=False,
        empty_label=_("全部乡镇"),
    )


class OfficeSearchForm(ReceptionFilterForm):
    q = forms.CharField(
        label=_("搜索"),
        max_length=50,
        required=False,
        strip=True,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("村名、地址或代表姓名")}),
    )

    field_order = ["q", "township"]


class ReturnRequestForm(TextHygieneMixin, forms.Form):
    reason = forms.CharField(
        label=_("申请退回的理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("例如：该事项属于某某部门的职责。工作室决定后会通知本单位。"),
        error_messages={"required": _("请说明申请退回的理由。")},
    )
