"""Phone numbers as people type them, made one form before they are checked, stored or compared.

A phone keyboard, an input method or a spreadsheet gives "１３８ １２３４－５６７８", "+86 138-1234-5678"
or "(0739)7322001". `normalize_phone` turns every Unicode decimal digit into ASCII and drops the
separators and the country code, so a mobile is stored as 13812345678 and a landline as
0739-7322001 whatever was typed. The form field (`PhoneField`) and the model field
(`PhoneNumberField`, whose admin forms, imports and `full_clean()` all go through it) both use it.
"""

import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

MOBILE = re.compile(r"1[3-9][0-9]{9}")
# Area codes are 010 and 02x (three digits) or 0 and three more; local numbers 7 or 8 digits.
LANDLINE_DIGITS = re.compile(r"(0(?:10|2[0-9]|[3-9][0-9]{2}))([0-9]{7,8})")
LANDLINE = re.compile(r"0(?:10|2[0-9]|[3-9][0-9]{2})-[0-9]{7,8}")
SERVICE = re.compile(r"[48]00[0-9]{7}")  # 400 / 800 numbers of offices and units

# Written between the digits of a number: dashes of every width, brackets, dots.
SEPARATORS = frozenset("-‐‑‒–—―−－﹣()（）[]【】.．·。/")
PLUS = frozenset("+＋")

MOBILE_MESSAGE = _("请填写 11 位手机号码，例如 13812345678。")
PHONE_MESSAGE = _("请填写 11 位手机号码（例如 13812345678）或带区号的固定电话（例如 0739-7322001）。")


def ascii_digits(value: str) -> str:
    """Every decimal digit (full-width, Arabic-Indic, Devanagari...) as 0-9; other characters kept."""
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in value)


def _is_separator(ch: str) -> bool:
    return ch.isspace() or ch in SEPARATORS or unicodedata.category(ch) in ("Cc", "Cf")


def normalize_phone(value) -> str:
    """13812345678 for a mobile, 0739-7322001 for a landline; what cannot be read is returned
    with only its separators dropped, for the validator to refuse."""
    text = "".join("+" if ch in PLUS else ch for ch in ascii_digits(str(value or "")) if not _is_separator(ch))
    text = _without_country_code(text)
    if landline := LANDLINE_DIGITS.fullmatch(text):
        return f"{landline[1]}-{landline[2]}"
    return text


def _without_country_code(text: str) -> str:
    for prefix in ("+86", "0086"):
        if text.startswith(prefix):
            rest = text[len(prefix) :]
            # Dialled from abroad a landline loses its trunk 0: +86 739 7322001.
            return rest if MOBILE.fullmatch(rest) or rest.startswith("0") else "0" + rest
    if len(text) == 13 and text.startswith("86") and MOBILE.fullmatch(text[2:]):
        return text[2:]
    return text


def validate_mobile(value: str) -> None:
    if value and not MOBILE.fullmatch(value):
        raise ValidationError(MOBILE_MESSAGE, code="invalid_phone")


def validate_phone(value: str) -> None:
    """A mobile, a landline with its area code, or a 400/800 number."""
    if value and not (MOBILE.fullmatch(value) or LANDLINE.fullmatch(value) or SERVICE.fullmatch(value)):
        raise ValidationError(PHONE_MESSAGE, code="invalid_phone")


VALIDATORS = {"mobile": validate_mobile, "any": validate_phone}


class PhoneField(forms.CharField):
    """A form field for a phone: normalised first, then checked as a mobile or as any phone."""

    def __init__(self, *, kind: str = "any", invalid_message=None, **kwargs):
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
        super().__init__(**kwargs)
        self.kind = kind
        self.invalid_message = invalid_message

    def to_python(self, value):
        return normalize_phone(super().to_python(value))

    def validate(self, value):
        super().validate(value)
        try:
            VALIDATORS[self.kind](value)
        except ValidationError:
            if self.invalid_message is None:
                raise
            raise ValidationError(self.invalid_message, code="invalid_phone") from None


class PhoneNumberField(models.CharField):
    """A stored phone: normalised on every clean and every save, whichever door it came in by."""

    def __init__(self, *args, kind: str = "any", **kwargs):
        self.kind = kind
        super().__init__(*args, **kwargs)

    @cached_property
    def validators(self):
        return [*super().validators, VALIDATORS[self.kind]]

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.kind != "any":
            kwargs["kind"] = self.kind
        return name, path, args, kwargs

    def to_python(self, value):
        return normalize_phone(super().to_python(value))

    def pre_save(self, model_instance, add):
        value = normalize_phone(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": PhoneField, "kind": self.kind, **kwargs})


# Rows stored before normalisation: anything but ASCII digits and a dash, or a landline without its dash.
UNNORMALISED = r"[^0-9-]|^0[0-9]+$"


def normalise_stored_phones(model, field: str) -> None:
    """For data migrations: rewrite the phones stored before they were normalised, in batches."""
    rows = model._default_manager.filter(**{f"{field}__regex": UNNORMALISED}).only("pk", field)
    changed = []
    for row in rows.iterator(chunk_size=2000):
        value = normalize_phone(getattr(row, field))
        if value != getattr(row, field):
            setattr(row, field, value)
            changed.append(row)
    model._default_manager.bulk_update(changed, [field], batch_size=1000)
