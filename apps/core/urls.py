from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from apps.core import views

urlpatterns = [
    path("favicon.ico", views.favicon),
    path("healthz", views.healthz, name="healthz"),
    path("display/", views.display_mode, name="display_mode"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/landing/", views.landing, name="landing"),
    # An imported account's one-time link to choose its password (services.user_invitation_url).
    path(
        "accounts/invitation/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="registration/invitation.html", success_url=reverse_lazy("invitation_done")
        ),
        name="account_invitation",
    ),
    path(
        "accounts/invitation/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="registration/invitation_done.html"),
        name="invitation_done",
    ),
    path("workbench/", admin.site.admin_view(views.workbench), name="workbench"),
]

urlpatterns += [
    path("exports/", views.export_jobs, name="export_jobs"),
    path("exports/<uuid:token>/download/", views.export_download, name="export_download"),
]
