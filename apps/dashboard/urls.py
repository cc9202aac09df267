from django.urls import path

from apps.dashboard import views

app_name = "dashboard"

urlpatterns: list = [
    path("", views.index, name="index"),
]

# The annual report (apps/dashboard/report_views.py).
from apps.dashboard import report_views  # noqa: E402

urlpatterns += [
    path("report/", report_views.report_page, name="report"),
    path("report/print/", report_views.report_print, name="report_print"),
    path("report/<uuid:token>/status/", report_views.report_status, name="report_status"),
    path("report/<uuid:token>/<str:kind>/", report_views.report_download, name="report_download"),
]
