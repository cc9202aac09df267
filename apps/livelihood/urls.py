from django.urls import path

from apps.livelihood import views

app_name = "livelihood"
urlpatterns = [
    # Everyone.
    path("", views.public, name="public"),
    path("projects/<int:pk>/", views.public_detail, name="public_detail"),
    path("ideas/new/", views.idea_new, name="idea_new"),
    path("ideas/thanks/<str:token>/", views.idea_thanks, name="idea_thanks"),
    # Representatives: pk is the Ballot. The notices of an opened ballot link to "ballots/".
    path("ballots/", views.my, name="my"),
    path("ballots/ideas/new/", views.idea_propose, name="idea_propose"),
    path("ballots/<int:pk>/", views.ballot_vote, name="ballot_vote"),
    path("ballots/<int:pk>/done/", views.ballot_done, name="ballot_done"),
    # Handling units: pk is the Project. Supervision notices link to "unit/".
    path("unit/", views.unit_list, name="unit_list"),
    path("unit/<int:pk>/", views.unit_project, name="unit_project"),
]
