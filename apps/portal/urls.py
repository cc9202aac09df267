"""The cross-app pages. Included at the root without a namespace, so their names ("home",
"unit_home", "checkin") are the ones the rest of the site has always reversed; the
representative's home keeps its name "representatives:mine" (see `representative_urlpatterns`)."""

from django.urls import path

from apps.portal import views

urlpatterns = [
    path("", views.home, name="home"),
    path("unit/", views.unit_home, name="unit_home"),
    # 活动码: what a representative's phone opens when they scan the code shown at an event.
    path("checkin/<slug:kind>/<str:key>/<str:token>/", views.checkin, name="checkin"),
]

# Mounted by renda/urls.py inside the "representatives" namespace, beside that app's own pages.
representative_urlpatterns = [
    path("mine/", views.representative_home, name="mine"),
]
