from django.urls import path

from apps.proposals.views import documents, public, representative, unit

app_name = "proposals"
urlpatterns = [
    # Handling units: pk is the unit's Assignment.
    path("unit/", unit.unit_list, name="unit_list"),
    path("unit/<int:pk>/", unit.unit_detail, name="unit_detail"),
    path("unit/<int:pk>/plan/", unit.unit_plan, name="unit_plan"),
    path("unit/<int:pk>/contact/", unit.unit_contact, name="unit_contact"),
    path("unit/<int:pk>/opinion/", unit.unit_opinion, name="unit_opinion"),
    path("unit/<int:pk>/reply/", unit.unit_reply, name="unit_reply"),
    path("unit/<int:pk>/extension/", unit.unit_extension, name="unit_extension"),
    path("unit/<int:pk>/return/", unit.unit_return, name="unit_return"),
    path("unit/notices/", unit.unit_notice_list, name="unit_notices"),
    # Representatives: pk is the Proposal.
    path("mine/", representative.mine, name="mine"),
    path("mine/new/", representative.new, name="new"),
    path("mine/<int:pk>/", representative.mine_detail, name="mine_detail"),
    path("mine/<int:pk>/edit/", representative.mine_edit, name="mine_edit"),
    path("mine/<int:pk>/submit/", representative.mine_submit, name="mine_submit"),
    path("mine/<int:pk>/cosign/", representative.mine_cosign, name="mine_cosign"),
    path("mine/<int:pk>/withdraw/", representative.mine_withdraw, name="mine_withdraw"),
    path("mine/<int:pk>/feedback/", representative.mine_feedback, name="mine_feedback"),
    path("letters/<int:reply_pk>/", documents.reply_letter, name="reply_letter"),
    # Everyone.
    path("public/", public.public_list, name="public_list"),
    path("public/<int:pk>/", public.public_detail, name="public_detail"),
    # Notices: public ones to everyone, the others to the units they name and to staff.
    path("notices/<int:pk>/", documents.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/pdf/", documents.notice_pdf, name="notice_pdf"),
]
