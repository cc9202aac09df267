from django.urls import path

from apps.posts import views

app_name = "posts"
urlpatterns = [
    # Representatives: their own posts and work logs only.
    path("mine/", views.mine, name="mine"),
    path("mine/assignments/<int:assignment_pk>/logs/new/", views.log_new, name="log_new"),
    path("mine/logs/<int:pk>/edit/", views.log_edit, name="log_edit"),
    path("mine/logs/<int:pk>/delete/", views.log_delete, name="log_delete"),
    path("mine/logs/<int:pk>/photos/<int:photo_pk>/", views.log_photo, name="log_photo"),
]
