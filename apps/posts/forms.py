"""Forms of the representatives' post pages. They read input only; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.config import config
from apps.core.text import TextHygieneMixin
from apps.core.uploads import MultipleFileInput, MultiplePhotoField
from apps.core.widgets import DateInput
from apps.posts.services import size_label


def photos_help() -> str:
    return _("可不传。每条记录最多 %(count)d 张，JPG 或 PNG 格式，每张不超过 %(size)s。") % {
        "count": config("POSTS", "PHOTO_MAX_COUNT"),
        "size": size_label(config("POSTS", "PHOTO_MAX_BYTES")),
    }


class PostLogForm(TextHygieneMixin, forms.Form):
    date = forms.DateField(
        label=_("日期"),
        widget=DateInput(),
        error_messages={"required": _("请填写工作日期。"), "invalid": _("请按“年-月-日”填写日期，例如 2022-05-18。")},
    )
    content = forms.CharField(
        label=_("做了什么"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("例如：到哪个村、做了什么、解决或反映了什么问题、有多少群众参加。"),
        error_messages={"required": _("请填写做了什么工作。")},
    )
    photos = MultiplePhotoField(
        label=_("照片"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photos"].help_text = photos_help()


class PostLogEditForm(PostLogForm):
    remove_photos = forms.TypedMultipleChoiceField(
        label=_("删除已上传的照片"), choices=(), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, photos=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photos"].label = _("添加照片")
        self.fields["remove_photos"].choices = [(p.pk, _("照片%(n)s") % {"n": i}) for i, p in enumerate(photos, 1)]
        if not photos:
            del self.fields["remove_photos"]
