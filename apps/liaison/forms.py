"""Forms of the liaison pages. They validate input only; every write goes through services."""

import re
import secrets

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from apps.core.collation import by_stroke
from apps.core.models import Region
from apps.core.public_forms import PublicFormMixin
from apps.core.uploads import MultiplePhotoField, photo_kind
from apps.liaison.models import Concern
from apps.liaison.services import normalise_code
from apps.representatives.choices import Level, Status
from apps.representatives.models import Representative

MOBILE = re.compile(r"1[3-9]\d{9}")
FORM_SIGNING_SALT = "liaison.concern-form"


def liaison_config(key: str):
    return settings.RENDA_LIAISON[key]


def issue_form_token() -> str:
    return ConcernForm.issue_token()


def mask_name(name: str) -> str:
    return f"{name[0]}*" if name else ""


# --- the public concern form ----------------------------------------------------------------------


def _townships():
    return Region.objects.filter(level=Region.Level.TOWNSHIP).order_by("parent__sort_order", "sort_order", "code")


def _township_choices():
    return [("", _("请选择乡镇")), *((t.pk, t.name) for t in _townships())]


def _village_choices():
    villages = (
        Region.objects.filter(level=Region.Level.VILLAGE)
        .select_related("parent")
        .only("name", "parent__name")
        .order_by("parent__parent__sort_order", "parent__sort_order", "parent__code", "sort_order", "code")
    )
    return [("", _("不选（只选乡镇）")), *_by_township(villages, lambda v: v.parent, lambda v: v.name)]


def _representative_choices():
    reps = (
        Representative.objects.filter(status=Status.SERVING, level__in=[Level.COUNTY, Level.TOWNSHIP])
        .select_related("township")
        .only("name", "level", "township__name", "township__sort_order", "township__code")
        .order_by("township__sort_order", "township__code", "level", by_stroke("name"), "pk")
    )
    return [("", _("不指定代表")), *_by_township(reps, lambda rep: rep.township, _representative_label)]


def _representative_label(rep: Representative) -> str:
    return f"{rep.name}（{rep.get_level_display()}）"


def _by_township(rows, township_of, label) -> list:
    """Select options grouped under their township: [(name, [(pk, label), ...]), ...]."""
    groups: dict[int, tuple[str, list]] = {}
    for row in rows:
        township = township_of(row)
        groups.setdefault(township.pk, (township.name, []))[1].append((row.pk, label(row)))
    return list(groups.values())


class ConcernForm(PublicFormMixin, forms.Form):
    """A citizen's concern. The hidden token and the honeypot keep robots out without JavaScript."""

    form_salt = FORM_SIGNING_SALT

    township = forms.TypedChoiceField(
        label=_("所在乡镇"),
        choices=(),
        coerce=int,
        error_messages={"required": _("请选择问题所在的乡镇。"), "invalid_choice": _("请从列表中选择乡镇。")},
    )
    village = forms.TypedChoiceField(
        label=_("村（社区）"),
        choices=(),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("可不选。选择时须是上面所选乡镇的村（社区）。"),
        error_messages={"invalid_choice": _("请从列表中选择村（社区）。")},
    )
    representative = forms.TypedChoiceField(
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
    phone = forms.CharField(
        label=_("手机号码"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text=_("可不填。留下手机号，办理单位可以联系您；凭查询码和手机号后四位还可以查看您反映的详细内容。"),
    )
    consent = forms.BooleanField(
        label=_("我已阅读并同意上面的个人信息处理说明"),
        error_messages={"required": _("请阅读个人信息处理说明，勾选同意后再提交。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.min_fill_seconds = liaison_config("MIN_FILL_SECONDS")
        # Evaluated once per form, not once per validation and once more per rendering.
        self.fields["township"].choices = _township_choices()
        self.fields["village"].choices = _village_choices()
        self.fields["representative"].choices = _representative_choices()
        max_count, max_bytes = liaison_config("PHOTO_MAX_COUNT"), liaison_config("PHOTO_MAX_BYTES")
        self.fields["photos"].help_text = _(
            "可不传。最多 %(count)d 张，JPG、PNG 或 WebP 格式，每张不超过 %(size)s。"
        ) % {"count": max_count, "size": _size_label(max_bytes)}
        self.fields["name"].widget.attrs["autocomplete"] = "name"

    def clean_phone(self):
        phone = re.sub(r"[\s-]", "", self.cleaned_data["phone"])
        if phone and not MOBILE.fullmatch(phone):
            raise forms.ValidationError(_("请填写 11 位手机号码，例如 13812345678；不想留可以不填。"))
        return phone

    def clean_photos(self):
        photos = self.cleaned_data["photos"]
        max_count, max_bytes = liaison_config("PHOTO_MAX_COUNT"), liaison_config("PHOTO_MAX_BYTES")
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
        township_id = data.get("township")
        if township_id is None:
            return
        village_id, representative_id = data.get("village"), data.get("representative")
        if village_id and not Region.objects.filter(pk=village_id, parent_id=township_id).exists():
            self.add_error("village", _("所选村（社区）不属于所选乡镇，请重新选择。"))
        representatives = Representative.objects.filter(pk=representative_id, township_id=township_id)
        if representative_id and not representatives.exists():
            self.add_error("representative", _("所选代表不在所选乡镇，请重新选择或不指定代表。"))

    def region(self) -> Region:
        """The village when one was chosen, else the township."""
        return Region.objects.get(pk=self.cleaned_data["village"] or self.cleaned_data["township"])

    def addressed_to(self) -> Representative | None:
        pk = self.cleaned_data["representative"]
        return Representative.objects.filter(pk=pk).first() if pk else None


def _size_label(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    return f"{max(size // 1024, 1)} KB"


# --- tracking and rating --------------------------------------------------------------------------


class LastFourField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("手机号后四位"))
        kwargs.setdefault("max_length", 4)
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": r"\d{4}", "size": 6}),
        )
        super().__init__(**kwargs)


class TrackForm(forms.Form):
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


class RatingForm(forms.Form):
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


class HandlerListFilterForm(forms.Form):
    TODO, DONE, ALL = "todo", "done", "all"

    status = forms.ChoiceField(
        label=_("办理状态"),
        choices=[(TODO, _("待办理")), (DONE, _("已办理")), (ALL, _("全部"))],
        required=False,
    )


class AnswerForm(forms.Form):
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


class ReceptionFilterForm(forms.Form):
    township = forms.ModelChoiceField(
        label=_("乡镇"),
        queryset=_townships(),
        to_field_name="code",
        required=False,
        empty_label=_("全部乡镇"),
    )
