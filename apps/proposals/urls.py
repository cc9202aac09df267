from django.urls import path

from apps.proposals import views

app_name = "proposals"
urlpatterns = [
    # Handling units: pk is the unit's Assignment.
    path("unit/", views.unit_list, name="unit_list"),
    path("unit/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("unit/<int:pk>/plan/", views.unit_plan, name="unit_plan"),
    path("unit/<int:pk>/contact/", views.unit_contact, name="unit_contact"),
    path("unit/<int:pk>/opinion/", views.unit_opinion, name="unit_opinion"),
    path("unit/<int:pk>/reply/", views.unit_reply, name="unit_reply"),
    path("unit/<int:pk>/extension/", views.unit_extension, name="unit_extension"),
    path("unit/<int:pk>/return/", views.unit_return, name="unit_return"),
    path("unit/notices/", views.unit_notice_list, name="unit_notices"),
    # Representatives: pk is the Proposal.
    path("mine/", views.mine, name="mine"),
    path("mine/new/", views.new, name="new"),
    path("mine/<int:pk>/", views.mine_detail, name="mine_detail"),
    path("mine/<int:pk>/edit/", views.mine_edit, name="mine_edit"),
    path("mine/<int:pk>/submit/", views.mine_submit, name="mine_submit"),
    path("mine/<int:pk>/cosign/", views.mine_cosign, name="mine_cosign"),
    path("mine/<int:pk>/withdraw/", views.mine_withdraw, name="mine_withdraw"),
    path("mine/<int:pk>/feedback/", views.mine_feedback, name="mine_feedback"),
    path("letters/<int:reply_pk>/", views.reply_letter, name="reply_letter"),
    # Everyone.
    path("public/", views.public_list, name="public_list"),
    path("public/<int:pk>/", views.public_detail, name="public_detail"),
    # Notices: public ones to everyone, the others to the units they name and to staff.
    path("notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/pdf/", views.notice_pdf, name="notice_pdf"),
]
