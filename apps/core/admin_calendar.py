"""The holiday calendar in the admin: a year's holidays and 调休 working days, entered by hand or
from a small xlsx/ICS file, and the deadlines to count again after a change (preview, confirm)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core import services
from apps.core.admin_mixins import RendaModelAdmin
from apps.core.admin_pages import admin_url, error_text, page
from apps.core.deadlines import deadline_preview, deadlines_recompute, preview_fingerprint
from apps.core.holidays import read_calendar_file
from apps.core.models import CalendarDay, HolidayYear
from apps.core.text import TextHygieneMixin
from apps.core.workdays import Source, package_knows, year_calendar

MAX_FILE_BYTES = 1024 * 1024


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 3
    fields = ["date", "kind", "name"]


class CalendarImportForm(TextHygieneMixin, forms.Form):
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000, max_value=2100)
    source = forms.CharField(label=gettext_lazy("依据文件"), max_length=200, required=False)
    file = forms.FileField(
        label=gettext_lazy("文件"),
        help_text=gettext_lazy(
            "xlsx：第一行为“日期、类型、节日”（可加“结束日期”），类型填“放假”或“调休上班”；"
            "或 .ics 日历文件（标题含“班”的为调休上班日）。导入后该年度的日期以文件为准。"
        ),
    )

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is None or cleaned.get("year") is None:
            return cleaned
        if upload.size > MAX_FILE_BYTES:
            raise ValidationError(_("文件过大。"))
        days = read_calendar_file(upload.name, upload.read())
        if not days:
            raise ValidationError(_("文件中没有日期。"))
        cleaned["days"] = days
        return cleaned


class RecomputeForm(TextHygieneMixin, forms.Form):
    fingerprint = forms.CharField(widget=forms.HiddenInput)


@admin.register(HolidayYear)
class HolidayYearAdmin(RendaModelAdmin):
    list_display = ["year", "source", "holiday_count", "workday_count", "updated_at"]
    search_fields = ["source"]
    inlines = [CalendarDayInline]
    fields = ["year", "source", "note"]
    change_list_template = "admin/core/holidayyear/change_list.html"
    change_form_template = "admin/core/holidayyear/change_form.html"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("days")

    def get_readonly_fields(self, request, obj=None):
        return ["year"] if obj is not None else []  # its days belong to it

    @admin.display(description=gettext_lazy("放假天数"))
    def holiday_count(self, obj):
        return sum(1 for d in obj.days.all() if d.kind == CalendarDay.Kind.HOLIDAY)

    @admin.display(description=gettext_lazy("调休上班天数"))
    def workday_count(self, obj):
        return sum(1 for d in obj.days.all() if d.kind == CalendarDay.Kind.WORKDAY)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="core_holidayyear_import"),
            path("<int:pk>/recompute/", view(self.recompute_view), name="core_holidayyear_recompute"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        years = [year for year in range(2024, 2031) if package_knows(year)]
        extra_context = {**(extra_context or {}), "package_years": years}
        return super().changelist_view(request, extra_context)

    def response_change(self, request, obj):
        self._offer_recompute(request, obj)
        return super().response_change(request, obj)

    def response_add(self, request, obj, post_url_continue=None):
        self._offer_recompute(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def _offer_recompute(self, request, obj):
        if request.user.has_perm("core.recompute_deadlines"):
            url = admin_url(HolidayYear, "recompute", obj.pk)
            text = _("按工作日计算的期限不会自动改变。")
            messages.info(request, format_html('{} <a href="{}">{}</a>', text, url, _("预览并确认重新计算期限")))

    # --- import --------------------------------------------------------------------------------

    def import_view(self, request):
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        form = CalendarImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                holiday_year = services.holiday_year_save(year=data["year"], days=data["days"], source=data["source"])
            except ValidationError as error:
                form.add_error(None, error_text(error))
            else:
                messages.success(request, _("已导入 %(n)s 天。") % {"n": len(data["days"])})
                self._offer_recompute(request, holiday_year)
                return HttpResponseRedirect(admin_url(HolidayYear, "change", holiday_year.pk))
        return page(self, request, "admin/renda/form_page.html", _("导入节假日安排"), form=form, submit_label=_("导入"))

    # --- recompute deadlines -------------------------------------------------------------------

    def recompute_view(self, request, pk):
        holiday_year = self.get_object(request, str(pk))
        if not request.user.has_perm("core.recompute_deadlines"):
            raise PermissionDenied
        years = [holiday_year.year - 1, holiday_year.year]
        form = RecomputeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            moved = deadlines_recompute(user=request.user, years=years, fingerprint=form.cleaned_data["fingerprint"])
            if moved is None:
                messages.warning(request, _("期限在预览后又有变化，请重新核对下面的列表后再确认。"))
            else:
                messages.success(
                    request, _("已重新计算 %(n)s 个期限，每项变更已记入其办理记录和历史。") % {"n": len(moved)}
                )
                return HttpResponseRedirect(admin_url(HolidayYear, "change", holiday_year.pk))
        moves = deadline_preview(user=request.user, years=years)
        context = {
            "holiday_year": holiday_year,
            "moves": moves,
            "form": RecomputeForm(initial={"fingerprint": preview_fingerprint(moves)}),
            "calendar_source": year_calendar(holiday_year.year).source,
            "admin_source": Source.ADMIN,
        }
        title = _("%(year)s年节假日安排变更后重新计算期限") % {"year": holiday_year.year}
        return page(self, request, "admin/core/holidayyear/recompute.html", title, **context)
