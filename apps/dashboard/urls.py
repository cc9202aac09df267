from django.urls import path

from apps.dashboard import views

app_name = "dashboard"

urlpatterns: list = [
    path("", views.index, name="index"),
]
