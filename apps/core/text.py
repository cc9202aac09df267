"""Text hygiene: what people type is kept, what they cannot see is not.

- A body (concern content, proposal text, reply, idea description...) that holds nothing visible
  once zero-width, format and control characters are set aside is refused, not saved empty.
- Bidirectional overrides, embeddings, isolates and marks (U+202A-202E, U+2066-2069, U+200E/200F,
  U+061C) are dropped from every text field on input: in a name or a title they turn "张三\u202e…"
  into text that reads otherwise than it is stored. Control characters go too (a body keeps its
  line breaks and tabs), and zero-width characters from one-line fields.
- On output, `without_bidi` neutralises what older rows may still hold (admin lists, exports).

`TextHygieneMixin` does this for a form's CharFields (Textarea widgets are bodies, the others
one-line fields); every renda form inherits it, the admin's forms get it from ScopedAdminMixin,
and imports clean each cell with `clean_cell`.
"""

import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Zero-width space, non-joiner, joiner, word joiner, BOM, soft hyphen.
ZERO_WIDTH = re.compile("[\u200b-\u200d\u2060\ufeff\u00ad]")
# In a body the joiners stay: they hold emoji sequences together.
ZERO_WIDTH_IN_BODY = re.compile("[\u200b\u2060\ufeff\u00ad]")
CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")
LINE_BREAKS = re.compile("[\t\n\r]+")
CONTROLS_IN_BODY = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # all but \t \n \r
# Letters that draw nothing (Hangul fillers, the blank braille pattern).
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")

BLANK_MESSAGE = _("内容不能为空：填写的只有空格或看不见的字符。")


def without_bidi(value):
    """The text without bidirectional controls; anything else is returned as it is."""
    return BIDI.sub("", value) if isinstance(value, str) else value


def clean_line(value: str) -> str:
    """A name, a title, a short field: no controls (a pasted line break becomes a space), no
    bidirectional or zero-width characters."""
    return ZERO_WIDTH.sub("", CONTROLS.sub("", BIDI.sub("", LINE_BREAKS.sub(" ", value))))


def clean_body(value: str) -> str:
    """A free-text body: line breaks and tabs kept, controls and bidirectional characters dropped."""
    return ZERO_WIDTH_IN_BODY.sub("", CONTROLS_IN_BODY.sub("", BIDI.sub("", value)))


def is_blank(value: str) -> bool:
    """Nothing a reader would see: spaces, controls, format characters and blank letters only."""
    return all(ch.isspace() or ch in BLANK_LETTERS or unicodedata.category(ch) in ("Cc", "Cf") for ch in value)


def clean_cell(value):
    """A spreadsheet cell on import: cleaned as a body when it has several lines, else as a name."""
    if not isinstance(value, str):
        return value
    value = clean_body(value) if "\n" in value else clean_line(value)
    return "" if is_blank(value) else value.strip()


# --- forms ---------------------------------------------------------------------------------------


def _cleans_text(field) -> bool:
    return (
        isinstance(field, forms.CharField)
        and not isinstance(field, forms.JSONField)
        and not isinstance(field.widget, forms.PasswordInput)  # a password is what was typed
    )


def _hardened(field):
    """The field's clean, with the text made clean first and an all-invisible value refused."""
    clean_text = clean_body if isinstance(field.widget, forms.Textarea) else clean_line
    field_clean = type(field).clean

    def clean(value):
        if isinstance(value, str):
            cleaned = clean_text(value)
            if is_blank(cleaned):
                if field.required and value.strip():
                    raise ValidationError(BLANK_MESSAGE, code="blank")
                cleaned = ""
            value = cleaned
        return field_clean(field, value)

    return clean


def harden_text_fields(form) -> None:
    for field in form.fields.values():
        # The owner is remembered, so that a copied field (deepcopy keeps attributes) is hardened again.
        if _cleans_text(field) and field.__dict__.get("_text_hygiene") is not field:
            field.clean = _hardened(field)
            field._text_hygiene = field


class TextHygieneMixin:
    """Put first among a form's bases: its CharFields are cleaned as the module says before validation."""

    def full_clean(self):
        harden_text_fields(self)  # here, not in __init__: forms add fields in their own __init__
        super().full_clean()


def with_text_hygiene(form_class):
    """The form class itself when it already cleans text, else a subclass that does."""
    if issubclass(form_class, TextHygieneMixin):
        return form_class
    return type(form_class.__name__, (TextHygieneMixin, form_class), {"__module__": form_class.__module__})
