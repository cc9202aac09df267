from django.urls import path

from apps.liaison.views import directory, handlers, public

app_name = "liaison"
urlpatterns = [
    # Everyone.
    path("concerns/new/", public.concern_new, name="concern_new"),
    path("concerns/submitted/<str:code>/", public.concern_submitted, name="concern_submitted"),
    path("track/", public.track, name="track"),
    path("track/<str:code>/rate/", public.track_rate, name="track_rate"),
    path("track/photos/<str:token>/", public.track_photo, name="track_photo"),
    path("reception-days/", directory.reception_days, name="reception_days"),
    # 代表码 and 联络站码: an opaque code, never a key or a name.
    path("to/r/<slug:code>/", directory.to_representative, name="to_representative"),
    path("to/r/<slug:code>/qr.<str:fmt>", directory.representative_qr, name="representative_qr"),
    path("to/o/<slug:code>/", directory.to_office, name="to_office"),
    path("to/o/<slug:code>/qr.<str:fmt>", directory.office_qr, name="office_qr"),
    path("offices/", directory.offices, name="offices"),
    # Handling units and representatives: pk is the Concern.
    path("unit/concerns/", handlers.unit_concerns, name="unit_concerns"),
    path("mine/concerns/", handlers.my_concerns, name="my_concerns"),
    path("concerns/<int:pk>/", handlers.concern_detail, name="concern_detail"),
    path("concerns/<int:pk>/answer/", handlers.concern_answer, name="concern_answer"),
    path("concerns/<int:pk>/return/", handlers.concern_return, name="concern_return"),
    path("concerns/<int:pk>/photos/<int:photo_pk>/", handlers.concern_photo, name="concern_photo"),
    # Representatives: pk is the DutyShift.
    path("mine/shifts/", handlers.my_shifts, name="my_shifts"),
    path("mine/shifts/<int:pk>/check-in/", handlers.shift_check_in, name="shift_check_in"),
    path("mine/shifts/<int:pk>/check-out/", handlers.shift_check_out, name="shift_check_out"),
]
