"""Optional two-factor (TOTP) for the back office, switched by RENDA_OTP_REQUIRED_FOR_STAFF.

The admin's default site is replaced through RendaAdminConfig (listed in INSTALLED_APPS instead
of django.contrib.admin), so every ModelAdmin already registered on `admin.site` is covered.
The setting is read on each request: when off, the admin behaves exactly as Django's. Portal
pages never ask for a token.

This module is in INSTALLED_APPS, so it is imported while the app registry fills: what imports
models (django_otp's devices, county settings, the session receivers) is imported in the
functions that need it, once the registry is ready.
"""

from functools import cache

from django import forms
from django.conf import settings
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.sites import AdminSite
from django.utils.translation import gettext_lazy as _

ENROL_HELP = _(
    "您的账号还没有绑定动态口令（TOTP）设备，暂时不能进入后台。请联系常委会办公室的系统管理员："
    "管理员在后台「TOTP devices」中为您的账号添加设备后，会给您设备的二维码或密钥；"
    "用手机上的验证器应用（如 FreeOTP、Google Authenticator 或微信小程序「腾讯身份验证器」）"
    "扫描二维码，再用应用显示的六位数字登录。"
)


class RendaAdminConfig(AdminConfig):
    default_site = "apps.core.otp.StaffOTPAdminSite"

    def ready(self):
        super().ready()
        # The session-limit receivers must be connected before the first login of the process.
        from apps.core import sessions  # noqa: F401


def otp_required() -> bool:
    return settings.RENDA_OTP_REQUIRED_FOR_STAFF


def user_has_verified_device(user) -> bool:
    from django_otp import user_has_device

    return user_has_device(user, confirmed=True)


class StaffOTPAdminSite(AdminSite):
    """Django's admin site; with the setting on, a staff session must be verified by a TOTP token."""

    @property
    def login_form(self):
        return staff_otp_login_form() if otp_required() else None

    def has_permission(self, request):
        if not super().has_permission(request):
            return False
        # Without django_otp's middleware nobody counts as verified: refuse rather than skip.
        return not otp_required() or getattr(request.user, "is_verified", lambda: False)()

    def each_context(self, request):
        from apps.core.county_settings import county_code_for_user, county_path, county_setting

        context = super().each_context(request)
        code = county_code_for_user(request.user)
        if code is not None:
            context["site_header"] = context["site_title"] = county_setting(county_path(code), "SITE_NAME")
        return context

    def login(self, request, extra_context=None):
        context = {"otp_required": otp_required(), **(extra_context or {})}
        user = request.user
        if otp_required() and user.is_authenticated and user.is_staff:
            context["otp_enrol_needed"] = not user_has_verified_device(user)
            context["otp_enrol_help"] = ENROL_HELP
        return super().login(request, extra_context=context)


@cache
def staff_otp_login_form():
    """The admin login form with a token field; built lazily because django_otp imports models."""
    from django_otp import devices_for_user
    from django_otp.admin import OTPAdminAuthenticationForm

    class StaffOTPLoginForm(OTPAdminAuthenticationForm):
        otp_device = forms.CharField(required=False, label=_("动态口令设备"), widget=forms.Select)
        otp_token = forms.CharField(
            required=False,
            label=_("动态口令"),
            widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        )
        otp_error_messages = {
            **OTPAdminAuthenticationForm.otp_error_messages,
            "token_required": _("请输入手机验证器上显示的六位动态口令。"),
            "invalid_token": _("动态口令不正确或已过期，请输入验证器上当前显示的六位数字。"),
            "device_required": _("请选择动态口令设备。"),
        }

        def clean_otp(self, user):
            if user is not None:
                devices = list(devices_for_user(user))
                if not devices:
                    raise forms.ValidationError(ENROL_HELP, code="no_device")
                # One device (the usual case): use it rather than asking the user to pick it.
                if not self.cleaned_data.get("otp_device") and len(devices) == 1:
                    self.cleaned_data["otp_device"] = devices[0].persistent_id
            super().clean_otp(user)

    return StaffOTPLoginForm
