"""Forms of the proposal portals. They validate input only; every write goes through services."""

import secrets

from django import forms
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.config import config
from apps.core.county_settings import county_setting
from apps.core.models import CongressSession
from apps.core.text import TextHygieneMixin
from apps.core.uploads import PIL_FORMATS, reencoded_image
from apps.core.widgets import DateInput, PickerSelectMultiple, picker_queries
from apps.proposals.models import Assignment, ContactRecord, Outcome, Proposal, Rating
from apps.representatives.models import Representative

LETTER_MAX_BYTES = 10 * 1024 * 1024
# What a reply letter may be, recognised by its first bytes rather than its name.
LETTER_SIGNATURES = {
    b"%PDF-": "pdf",
    b"\xff\xd8\xff": "jpg",
    b"\x89PNG\r\n\x1a\n": "png",
}


def outcome_label(code: str, region=None) -> str:
    """The county's label of an outcome class (CountySettings, else RENDA_PROPOSALS["OUTCOME_LABELS"]),
    else the NPC wording."""
    configured = county_setting(region, "OUTCOME_LABELS")
    return configured.get(code) or Outcome(code).label


def outcome_choices(region=None) -> list[tuple[str, str]]:
    return [(code, outcome_label(code, region)) for code in Outcome.values]


def letter_kind(upload: UploadedFile) -> str | None:
    """'pdf', 'jpg' or 'png' from the file's content, or None for anything else."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    return next((kind for magic, kind in LETTER_SIGNATURES.items() if head.startswith(magic)), None)


# --- handling unit --------------------------------------------------------------------------


class UnitListFilterForm(TextHygieneMixin, forms.Form):
    HANDLING, REPLIED, ALL = "handling", "replied", "all"

    status = forms.ChoiceField(
        label=_("办理状态"),
        choices=[(HANDLING, _("待办理")), (REPLIED, _("已答复")), (ALL, _("全部"))],
        required=False,
    )


class AssignmentForm(TextHygieneMixin, forms.Form):
    """A form posted against one of the unit's assignments."""

    def __init__(self, *args, assignment: Assignment, **kwargs):
        super().__init__(*args, **kwargs)
        self.assignment = assignment


class HandlingPlanForm(AssignmentForm):
    plan = forms.CharField(label=_("办理方案"), widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].initial = self.assignment.handling_plan


class ContactRecordForm(AssignmentForm):
    kind = forms.ChoiceField(label=_("沟通方式"), choices=ContactRecord.Kind.choices)
    contacted_on = forms.DateField(label=_("沟通日期"), widget=DateInput())
    summary = forms.CharField(label=_("沟通情况"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["contacted_on"].initial = today
        self.fields["contacted_on"].widget.attrs["max"] = today.isoformat()


class AssistOpinionForm(AssignmentForm):
    text = forms.CharField(
        label=_("协办意见"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("发送后主办单位即可看到，发送后不能修改。"),
    )


KEPT_LETTER_SECONDS = 3600


def _kept_letter_key(assignment: Assignment, token: str) -> str:
    return f"renda:kept-letter:{assignment.pk}:{token}"


class ReplyForm(AssignmentForm):
    outcome = forms.ChoiceField(label=_("办理结果分类"), choices=outcome_choices, widget=forms.RadioSelect)
    text = forms.CharField(label=_("答复内容"), widget=forms.Textarea(attrs={"rows": 8}))
    letter = forms.FileField(
        label=_("答复函"),
        required=False,
        help_text=_("加盖公章的答复函扫描件：PDF、JPG 或 PNG，不超过 10 MB。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )
    # A letter uploaded with a submission that was refused, kept for the next try: browsers never
    # refill a file input, and a unit must not lose the scan it just chose.
    kept_letter = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "仅供参考，不需书面答复": the representative asked for no written letter.
        self.letter_required = not self.assignment.proposal.reference_only
        self.kept_name = ""  # the name of a letter kept from an earlier try, shown beside the field
        self.letter_lost = False  # a letter was chosen but could not be kept: it must be chosen again

    def clean_letter(self):
        letter = self.cleaned_data.get("letter")
        if not letter:
            return None
        if letter.size > LETTER_MAX_BYTES:
            raise forms.ValidationError(_("答复函不能超过 10 MB。"))
        kind = letter_kind(letter)
        if kind is None:
            raise forms.ValidationError(_("答复函必须是 PDF、JPG 或 PNG 文件，该文件的内容不是这几种格式。"))
        # The stored name carries the type found in the content, whatever the upload was called.
        stem = letter.name.rsplit(".", 1)[0] or "letter"
        letter.name = f"{stem}.{kind}"
        # A scanned letter keeps only its pixels: no EXIF, nothing appended to the image.
        return reencoded_image(letter, kind) if kind in PIL_FORMATS else letter

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("letter") is None and "letter" not in self.errors:
            cleaned["letter"] = self._kept(cleaned.get("kept_letter", ""))
            if cleaned["letter"] is None and self.letter_required:
                self.add_error("letter", _("请上传加盖公章的答复函。"))
        return cleaned

    def _kept(self, token: str) -> UploadedFile | None:
        kept = cache.get(_kept_letter_key(self.assignment, token)) if token else None
        if not kept:
            return None
        self.kept_name = kept["name"]
        return SimpleUploadedFile(kept["name"], kept["content"], kept["content_type"])

    def keep_letter(self) -> None:
        """After a refused submission: hold the letter for the next try, or say it must be chosen again."""
        letter = (getattr(self, "cleaned_data", None) or {}).get("letter")
        if letter is None:
            self.letter_lost = bool(self.files.get(self.add_prefix("letter")))
            return
        token = secrets.token_urlsafe(16)
        letter.seek(0)
        kept = {"name": letter.name, "content": letter.read(), "content_type": letter.content_type}
        letter.seek(0)
        if not cache.add(_kept_letter_key(self.assignment, token), kept, KEPT_LETTER_SECONDS):
            self.letter_lost = True  # the cache is down: say so rather than pretend
            return
        self.kept_name = letter.name
        self.data = self.data.copy()
        self.data[self.add_prefix("kept_letter")] = token


class ExtensionForm(AssignmentForm):
    days = forms.IntegerField(label=_("延期天数"), min_value=1)
    reason = forms.CharField(label=_("延期理由"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        most = config("PROPOSALS", "EXTENSION_MAX_DAYS")
        days = self.fields["days"]
        days.validators.append(MaxValueValidator(most))
        days.widget.attrs["max"] = most
        days.help_text = _("最多 %(n)s 天，经常委会代表工作机构同意后生效。") % {"n": most}


class ReturnRequestForm(AssignmentForm):
    reason = forms.CharField(
        label=_("申请退回理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("认为不属于本单位职责的，可在交办之日起规定的工作日内申请退回调整，不得自行转办。"),
    )


# --- representative -------------------------------------------------------------------------


class CoSignerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Representative) -> str:
        return f"{obj.name}（{obj.township.name}）"


class ProposalForm(TextHygieneMixin, forms.ModelForm):
    """A draft proposal; saved by services.proposal_create, never by form.save()."""

    cosigners = CoSignerChoiceField(
        label=_("附议代表"),
        queryset=Representative.objects.none(),
        required=False,
        widget=PickerSelectMultiple,
        help_text=_("可不选。输入姓名或乡镇查找，勾选要请其附议的代表，可选多位。附议代表须在提交后确认。"),
    )

    class Meta:
        model = Proposal
        fields = [
            "session",
            "period",
            "title",
            "content",
            "category",
            "publication",
            "formation",
            "wants_contact",
            "reference_only",
        ]
        widgets = {"content": forms.Textarea(attrs={"rows": 12})}

    def __init__(self, *args, representative: Representative, **kwargs):
        super().__init__(*args, **kwargs)
        sessions = CongressSession.objects.filter(term=representative.term_id).select_related("term__region")
        self.fields["session"].queryset = sessions.order_by("-number")
        self.fields["session"].empty_label = None
        self.fields["cosigners"].queryset = (
            Representative.objects.serving()
            .filter(term=representative.term_id)
            .exclude(pk=representative.pk)
            .select_related("township")
            .by_stroke()
        )
        picker_queries(self)


class CosignForm(TextHygieneMixin, forms.Form):
    agree = forms.TypedChoiceField(
        choices=[("yes", _("确认附议")), ("no", _("不附议"))], coerce=lambda value: value == "yes"
    )


class FeedbackForm(TextHygieneMixin, forms.Form):
    attitude = forms.ChoiceField(label=_("对办理态度的评价"), choices=Rating.choices, widget=forms.RadioSelect)
    result = forms.ChoiceField(label=_("对办理结果的评价"), choices=Rating.choices, widget=forms.RadioSelect)
    reasons = forms.CharField(
        label=_("意见和理由"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("选择“不满意”时必须填写具体意见和理由，承办单位将重新办理。"),
    )

    def clean(self):
        data = super().clean()
        dissatisfied = Rating.DISSATISFIED in (data.get("attitude"), data.get("result"))
        if dissatisfied and not (data.get("reasons") or "").strip():
            self.add_error("reasons", _("不满意时请说明具体意见和理由。"))
        return data


# --- public ---------------------------------------------------------------------------------


class PublicFilterForm(TextHygieneMixin, forms.Form):
    q = forms.CharField(
        label=_("关键词"),
        max_length=50,
        required=False,
        help_text=_("建议标题、领衔代表或承办单位"),
    )
    session = forms.ModelChoiceField(
        label=_("会议"),
        queryset=CongressSession.objects.select_related("term__region"),
        required=False,
        empty_label=_("全部会议"),
    )
