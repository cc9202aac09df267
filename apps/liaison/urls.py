from django.urls import path

from apps.liaison import views

app_name = "liaison"
urlpatterns = [
    # Everyone.
    path("concerns/new/", views.concern_new, name="concern_new"),
    path("concerns/submitted/<str:code>/", views.concern_submitted, name="concern_submitted"),
    path("track/", views.track, name="track"),
    path("track/<str:code>/rate/", views.track_rate, name="track_rate"),
    path("track/photos/<str:token>/", views.track_photo, name="track_photo"),
    path("reception-days/", views.reception_days, name="reception_days"),
    # 代表码 and 联络站码: an opaque code, never a key or a name.
    path("to/r/<slug:code>/", views.to_representative, name="to_representative"),
    path("to/r/<slug:code>/qr.<str:fmt>", views.representative_qr, name="representative_qr"),
    path("to/o/<slug:code>/", views.to_office, name="to_office"),
    path("to/o/<slug:code>/qr.<str:fmt>", views.office_qr, name="office_qr"),
    path("offices/", views.offices, name="offices"),
    # Handling units and representatives: pk is the Concern.
    path("unit/concerns/", views.unit_concerns, name="unit_concerns"),
    path("mine/concerns/", views.my_concerns, name="my_concerns"),
    path("concerns/<int:pk>/", views.concern_detail, name="concern_detail"),
    path("concerns/<int:pk>/answer/", views.concern_answer, name="concern_answer"),
    path("concerns/<int:pk>/return/", views.concern_return, name="concern_return"),
    path("concerns/<int:pk>/photos/<int:photo_pk>/", views.concern_photo, name="concern_photo"),
    # Representatives: pk is the DutyShift.
    path("mine/shifts/", views.my_shifts, name="my_shifts"),
    path("mine/shifts/<int:pk>/check-in/", views.shift_check_in, name="shift_check_in"),
    path("mine/shifts/<int:pk>/check-out/", views.shift_check_out, name="shift_check_out"),
]
