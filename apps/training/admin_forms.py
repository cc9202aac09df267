"""Forms of the training back office: what its pages and actions pass to apps.training.services."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.text import TextHygieneMixin
from apps.core.uploads import DownloadFileInput
from apps.core.widgets import DateInput
from apps.training import materials
from apps.training.models import Attendance, Lecture, Retraining


class LectureForm(TextHygieneMixin, forms.ModelForm):
    class Meta:
        model = Lecture
        fields = ["hall", "instructor", "date", "starts_at", "topic", "theme", "audience", "materials", "status"]
        widgets = {
            "date": DateInput(),
            "starts_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "materials": DownloadFileInput(
                attrs={"accept": ".pdf,.docx,.pptx,.xlsx,.jpg,.jpeg,.png"}, url_name="training:lecture_material"
            ),
        }
        help_texts = {"materials": _("PDF、Word、PowerPoint、Excel 文件或图片。")}

    def clean_materials(self):
        upload = self.cleaned_data.get("materials")
        if isinstance(upload, UploadedFile):
            try:
                materials.check_material(upload)
            except materials.MaterialRefused as error:
                raise forms.ValidationError(str(error)) from None
        return upload

    def new_upload(self):
        upload = self.cleaned_data.get("materials")
        return upload if "materials" in self.changed_data and isinstance(upload, UploadedFile) else None


class RetrainingAssignForm(TextHygieneMixin, forms.ModelForm):
    class Meta:
        model = Retraining
        fields = ["representative", "reason", "due_on"]
        widgets = {"due_on": DateInput(), "reason": forms.Textarea(attrs={"rows": 4})}


class RetrainingCompleteForm(TextHygieneMixin, forms.Form):
    lecture = forms.ModelChoiceField(
        label=_("完成培训的授课"),
        queryset=Lecture.objects.none(),
        required=False,
        widget=AutocompleteSelect(Retraining._meta.get_field("lecture"), admin.site),
        help_text=_("代表出席的授课；输入题目或讲堂查找。没有对应授课时请在说明中写明。"),
    )
    completed_on = forms.DateField(
        label=_("完成日期"), widget=DateInput(), initial=timezone.localdate, required=False,
        help_text=_("选择了授课时以授课日期为准。"),
    )  # fmt: skip
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lecture"].queryset = Lecture.objects.visible_to(user).filter(status=Lecture.Status.HELD)

    def clean_completed_on(self):
        day = self.cleaned_data["completed_on"]
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("完成日期不能晚于今天。"))
        return day


class YearForm(TextHygieneMixin, forms.Form):
    year = forms.TypedChoiceField(label=_("年度"), coerce=int)

    FIRST_YEAR = 2021

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in range(today.year, self.FIRST_YEAR - 1, -1)]


ATTENDANCE_CHOICES = [("", _("未登记")), *Attendance.Status.choices]
