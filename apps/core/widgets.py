"""Form widgets shared by the portals."""

from django import forms
from django.http import QueryDict
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

PICKER_BUTTON = "picker"


class DateInput(forms.DateInput):
    """The browser's date picker (type="date"), which reads and writes ISO dates."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class PickerSelectMultiple(forms.CheckboxSelectMultiple):
    """A long multiple choice (186 co-signers) as checkboxes under a search box. Typing filters
    them (static/js/picker.js, which the page loads); with no script the 筛选 button posts the form back and the page
    shows the matches and the choices already made (`picker_requested`). Either way the choices
    are the field's own: filtering only hides options, it never changes what may be chosen."""

    query = ""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        base_id = attrs.get("id") or f"id_{name}"
        chosen = {str(v) for v in (value or [])}
        options = [(str(getattr(v, "value", v)), str(label)) for v, label in self.choices]
        names = "、".join(label for value, label in options if value in chosen)
        return format_html(
            '<div class="picker" data-picker>{}{}<ul class="picker-options" id="{}">{}</ul></div>',
            self._search_box(name, base_id, attrs.get("aria-describedby")),
            format_html(
                '<p class="picker-status" aria-live="polite" data-picker-status data-none="{}" data-some="{}">{}</p>',
                _("尚未选择。"),
                _("已选择："),
                (_("已选择：") + names) if names else _("尚未选择。"),
            ),
            base_id,
            self._options(name, base_id, options, chosen),
        )

    def _search_box(self, name: str, base_id: str, described_by: str | None):
        return format_html(
            '<div class="picker-search"><label for="{id}_q">{find}</label>'
            '<input type="search" id="{id}_q" name="{name}_q" value="{query}" autocomplete="off" '
            "data-picker-search{desc}>"
            '<button type="submit" name="{button}" value="{name}" class="secondary" formnovalidate '
            "data-picker-button>{filter}</button></div>",
            id=base_id,
            name=name,
            query=self.query,
            desc=format_html(' aria-describedby="{}"', described_by) if described_by else "",
            button=PICKER_BUTTON,
            find=_("输入姓名或乡镇查找"),
            filter=_("筛选"),
        )

    def _options(self, name: str, base_id: str, options: list[tuple[str, str]], chosen: set[str]):
        query = self.query.strip().casefold()
        return format_html_join(
            "",
            '<li{}><label><input type="checkbox" name="{}" value="{}" id="{}_{}"{}> {}</label></li>',
            (
                (
                    mark_safe(" hidden") if query and value not in chosen and query not in label.casefold() else "",
                    name,
                    value,
                    base_id,
                    index,
                    mark_safe(" checked") if value in chosen else "",
                    label,
                )
                for index, (value, label) in enumerate(options)
            ),
        )


def picker_requested(data: QueryDict) -> bool:
    """The no-script 筛选 button was pressed: show the form again, save nothing."""
    return PICKER_BUTTON in data


def picker_queries(form: forms.BaseForm) -> None:
    """Each picker shows the options its search box asked for (`<field>_q`, posted or initial)."""
    source = form.data if form.is_bound else form.initial
    for name, field in form.fields.items():
        if isinstance(field.widget, PickerSelectMultiple):
            field.widget.query = str(source.get(f"{name}_q", ""))[:50]


def typed_so_far(form_class: type[forms.BaseForm], data: QueryDict) -> dict:
    """What was posted, as the initial values of a fresh (unvalidated) form."""
    initial = {}
    for name, field in form_class.base_fields.items():
        multiple = isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField)
        if isinstance(field, forms.BooleanField):
            initial[name] = name in data  # an unticked box is not posted at all
        elif multiple:
            initial[name] = data.getlist(name)
        elif name in data:
            initial[name] = data.get(name)
        if isinstance(field.widget, PickerSelectMultiple):
            initial[f"{name}_q"] = data.get(f"{name}_q", "")
    return initial
