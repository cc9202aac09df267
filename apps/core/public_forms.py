"""What keeps robots and floods out of the public forms, without JavaScript or Redis.

- a signed, timestamped hidden token: it carries the form's one-time submission key (a double
  post makes one record) and its time tells a robot's instant post from a person's;
- a honeypot field, hidden by CSS and labelled for screen readers: people leave it empty;
- per-IP limits count against `apps.core.network.client_ip` (the limit itself lives in the
  database: apps.liaison.services.rate_limit_allows).

A public form subclasses `PublicFormMixin` (before forms.Form), sets `form_salt` and
`min_fill_seconds`, renders `token` and `website`, and reads `cleaned_data["submission_key"]`.
"""

import secrets
import time

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from apps.core.text import TextHygieneMixin

TOKEN_MAX_AGE = 24 * 3600


def issue_form_token(salt: str) -> str:
    return signing.dumps({"k": secrets.token_urlsafe(24), "t": time.time()}, salt=salt)


class PublicFormMixin(TextHygieneMixin, forms.Form):
    form_salt = "renda.public-form"
    min_fill_seconds = 4

    # Honeypot: hidden by CSS, labelled for screen readers; people leave it empty, robots fill it.
    website = forms.CharField(
        label=_("请勿填写"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    @classmethod
    def issue_token(cls) -> str:
        return issue_form_token(cls.form_salt)

    def clean(self):
        data = super().clean()
        if self.cleaned_data.get("website"):
            self.add_error(None, _("无法提交：表单中隐藏的“请勿填写”一栏被填写了。请清空该栏后重新提交。"))
        self._check_token()
        return data

    def _check_token(self) -> None:
        try:
            payload = signing.loads(self.cleaned_data.get("token") or "", salt=self.form_salt, max_age=TOKEN_MAX_AGE)
        except signing.SignatureExpired:
            self._reissue_token(_("表单打开已超过一天，请核对内容后重新提交。"))
            return
        except signing.BadSignature:
            self._reissue_token(_("表单校验未通过，请核对内容后重新提交。"))
            return
        if time.time() - payload["t"] < self.min_fill_seconds:
            self.add_error(None, _("提交太快了。请核对填写的内容，稍等几秒再提交。"))
            return
        self.cleaned_data["submission_key"] = payload["k"]

    def _reissue_token(self, message: str) -> None:
        self.add_error(None, message)
        self.data = self.data.copy()
        self.data[self.add_prefix("token")] = self.issue_token()
