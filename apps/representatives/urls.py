from django.urls import path

from apps.representatives import views

app_name = "representatives"
urlpatterns = [
    path("", views.roster, name="roster"),
    path("mine/", views.mine, name="mine"),
]
