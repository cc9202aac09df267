from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from apps.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/landing/", views.landing, name="landing"),
    path("unit/", views.unit_home, name="unit_home"),
    path("workbench/", admin.site.admin_view(views.workbench), name="workbench"),
]

urlpatterns += [
    path("exports/", views.export_jobs, name="export_jobs"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
]
