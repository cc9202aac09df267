from django.urls import path

from apps.representatives import views

app_name = "representatives"
urlpatterns = [
    path("", views.roster, name="roster"),
    # Representatives: their record and reported activities (pk is the DutyActivity); their home,
    # "mine", is apps.portal's, mounted in this namespace by renda/urls.py.
    path("mine/record/", views.duty_record, name="duty_record"),
    path("mine/activities/", views.activities, name="activities"),
    path("mine/activities/new/", views.activity_new, name="activity_new"),
    path("mine/activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("mine/activities/<int:pk>/delete/", views.activity_delete, name="activity_delete"),
]
