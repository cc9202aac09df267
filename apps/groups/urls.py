from django.urls import path

from apps.groups import views

app_name = "groups"
urlpatterns = [
    # Representatives.
    path("mine/", views.mine, name="mine"),
    path("mine/<int:pk>/", views.group_detail, name="group_detail"),
    path("mine/activities/new/", views.activity_new, name="activity_new"),
    path("mine/problems/new/", views.problem_new, name="problem_new"),
]
