from django.urls import path

from apps.training import views

app_name = "training"
urlpatterns = [
    # Representatives.
    path("mine/", views.my_lectures, name="my_lectures"),
    # Staff and representatives the lecture is for: pk is the Lecture.
    path("lectures/<int:pk>/materials/", views.lecture_material, name="lecture_material"),
]
