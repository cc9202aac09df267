from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from apps.core.admin_filters import TownshipFilter as BaseTownshipFilter
from apps.core.admin_mixins import (
    PhoneSearchAuditMixin,
    RendaModelAdmin,
    ServiceAdminMixin,
    WorkflowButtonsMixin,
    audit_personal_view,
)
from apps.core.admin_pages import service_action
from apps.core.import_admin import RendaImportMixin
from apps.core.masking import mask_phone
from apps.representatives import admin_views, services
from apps.representatives.admin_forms import RejectForm, StatusChangeForm
from apps.representatives.choices import Status
from apps.representatives.models import Constituency, DutyActivity, Evaluation, Representative, VoterRating
from apps.representatives.resources import RepresentativeResource, VoterRatingResource


@admin.register(Constituency)
class ConstituencyAdmin(RendaModelAdmin):
    list_display = ["number", "name", "term", "township"]
    list_filter = ["term"]
    search_fields = ["name"]
    list_select_related = ["term__region", "township"]
    autocomplete_fields = ["term", "township"]


@admin.register(Representative)
class RepresentativeAdmin(WorkflowButtonsMixin, PhoneSearchAuditMixin, RendaImportMixin, RendaModelAdmin):
    import_resource_class = RepresentativeResource
    list_display = [
        "name",
        "gender",
        "level",
        "township",
        "category",
        "party",
        "phone",
        "status",
        "duty_record_link",
        "card_link",
    ]
    list_filter = ["level", "status", "category", "township", "term", "gender"]
    search_fields = ["name", "credential_no", "occupation"]
    list_select_related = ["township"]
    autocomplete_fields = ["township", "term", "constituency", "user"]
    personal_data = {"phone": ("representatives.view_representative_contact", mask_phone)}
    fieldsets = [
        (None, {"fields": ["name", "gender", "ethnicity", "birth_date", "party", "education", "occupation"]}),
        (_("代表资格"), {"fields": ["level", "term", "constituency", "township", "category", "credential_no"]}),
        (_("联系方式"), {"fields": ["phone", "user"]}),
        (_("状态"), {"fields": ["status", "elected_on", "status_changed_on"]}),
    ]

    revert_keeps = ("status", "status_changed_on")

    def get_readonly_fields(self, request, obj=None):
        # A saved representative's status changes only through the service, which records why.
        return ["status", "status_changed_on"] if obj is not None else []

    def workflow_buttons(self, request, obj):
        if not self.has_change_permission(request, obj):
            return []
        return [{"action": "change_status", "label": _("变更状态")}]

    change_status = service_action(
        description=_("变更所选代表的状态"),
        service=services.representative_status_change,
        target="representative",
        form=StatusChangeForm,
        title=_("变更代表状态"),
        done=_("已变更%(n)s名代表的状态。"),
    )

    @admin.display(description=_("联系电话"))
    def masked_phone(self, rep):
        return rep.masked_phone

    def get_list_display(self, request):
        if request.user.has_perm("representatives.view_representative_contact"):
            return self.list_display
        return [("masked_phone" if f == "phone" else f) for f in self.list_display]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.has_perm("representatives.view_representative_contact"):
            return fieldsets
        return [(name, opts) for name, opts in fieldsets if name != _("联系方式")]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.user.has_perm("representatives.view_representative_contact"):
            audit_personal_view(self, request, response, object_id)
        return response

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/duty-record/",
                wrap(self.duty_record_view),
                name="representatives_representative_duty_record",
            ),
            path(
                "<path:object_id>/contact-card/",
                wrap(self.contact_card_view),
                name="representatives_representative_contact_card",
            ),
            *super().get_urls(),
        ]

    def duty_record_view(self, request, object_id):
        return admin_views.duty_record_view(self, request, unquote(object_id))

    @admin.display(description=_("履职档案"))
    def duty_record_link(self, rep):
        url = reverse("admin:representatives_representative_duty_record", args=[rep.pk])
        return format_html('<a href="{}">{}</a>', url, _("查看"))

    def contact_card_view(self, request, object_id):
        return admin_views.contact_card_view(self, request, unquote(object_id))

    @admin.display(description=_("代表码"))
    def card_link(self, rep):
        if rep.status != Status.SERVING:
            return "—"
        url = reverse("admin:representatives_representative_contact_card", args=[rep.pk])
        return format_html('<a href="{}">{}</a>', url, _("印制"))

    @admin.action(description=_("印制所选代表的代表码（PDF）"), permissions=["view"])
    def print_contact_cards(self, request, queryset):
        return admin_views.contact_cards_response(self, request, queryset.select_related("township"))

    actions = [print_contact_cards, change_status]


# --- the duty record ----------------------------------------------------------------------------


class TownshipFilter(BaseTownshipFilter):
    township_field = "representative__township"


@admin.register(DutyActivity)
class DutyActivityAdmin(ServiceAdminMixin, RendaModelAdmin):
    """Activities come from the representatives' portal; staff confirm or reject them here."""

    list_display = ["date", "representative", "township", "kind", "place", "short_description", "review_status"]
    list_display_links = ["date", "representative"]
    list_filter = ["review_status", TownshipFilter, "kind"]
    list_select_related = ["representative__township"]
    search_fields = ["representative__name", "representative__credential_no", "place", "description"]
    search_help_text = _("按代表姓名、代表证号、地点或内容查找")
    date_hierarchy = "date"
    fields = [
        "representative", "kind", "date", "place", "description", "created_by", "created_at",
        "review_status", "reviewed_by", "reviewed_at", "review_note",
    ]  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # representatives report their own activities in the portal

    @admin.display(description=_("乡镇"), ordering="representative__township__code")
    def township(self, activity):
        return activity.representative.township

    @admin.display(description=_("履职内容"))
    def short_description(self, activity):
        return Truncator(activity.description).chars(40)

    def workflow_buttons(self, request, obj):
        if obj.review_status != DutyActivity.Review.PENDING or not self.may_act(request, obj):
            return []
        return [
            {"action": "confirm_activities", "label": _("确认")},
            {"action": "reject_activities", "label": _("不通过")},
        ]

    confirm_activities = service_action(
        description=_("确认所选履职记录"),
        service=services.duty_activity_review,
        target="activity",
        values={"confirm": True},
        done=_("已确认%(n)s条履职记录，计入履职积分。"),
    )
    reject_activities = service_action(
        description=_("所选履职记录不通过"),
        service=services.duty_activity_review,
        target="activity",
        values={"confirm": False},
        form=RejectForm,
        title=_("履职记录不通过"),
        done=_("已将%(n)s条履职记录退回，并通知了代表。"),
    )
    actions = [confirm_activities, reject_activities]


@admin.register(VoterRating)
class VoterRatingAdmin(ServiceAdminMixin, RendaImportMixin, RendaModelAdmin):
    import_resource_class = VoterRatingResource
    list_display = ["representative", "township", "year", "held_on", "satisfied", "basic", "dissatisfied", "rate"]
    list_filter = ["year", TownshipFilter]
    list_select_related = ["representative__township"]
    search_fields = ["representative__name", "representative__credential_no"]
    autocomplete_fields = ["representative"]
    fields = ["representative", "year", "held_on", "satisfied", "basic", "dissatisfied", "note"]

    @admin.display(description=_("乡镇"))
    def township(self, rating):
        return rating.representative.township

    @admin.display(description=_("满意率"))
    def rate(self, rating):
        return "—" if rating.percent is None else f"{rating.percent}%"

    def get_readonly_fields(self, request, obj=None):
        # A rating is corrected in place; moving it to another representative or year is a new one.
        return ["representative", "year"] if obj is not None else []

    def service_create(self, request, form):
        return self._record(request, form.instance)

    def service_update(self, request, obj, form):
        return self._record(request, obj)

    def _record(self, request, rating):
        return services.voter_rating_record(
            representative=rating.representative,
            year=rating.year,
            held_on=rating.held_on,
            satisfied=rating.satisfied,
            basic=rating.basic,
            dissatisfied=rating.dissatisfied,
            note=rating.note,
            by=request.user,
        )

    def has_export_permission(self, request):
        return self.has_view_permission(request)


@admin.register(Evaluation)
class EvaluationAdmin(ServiceAdminMixin, RendaModelAdmin):
    """Evaluations are written by the year's evaluation page; this list shows what was decided."""

    list_display = ["representative", "township", "year", "points", "grade_label", "voter_rate", "outcome", "status"]
    list_filter = ["year", "status", "outcome", TownshipFilter]
    list_select_related = ["representative__township"]
    search_fields = ["representative__name", "representative__credential_no"]
    fields = [
        "representative", "year", "points", "grade_label", "voter_rate", "outcome", "status",
        "confirmed_by", "confirmed_at", "note",
    ]  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("乡镇"))
    def township(self, evaluation):
        return evaluation.representative.township

    @admin.display(description=_("等次"), ordering="grade")
    def grade_label(self, evaluation):
        return evaluation.grade_label

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("annual/", wrap(self.annual_view), name="representatives_evaluation_annual"),
            path("annual/export/", wrap(self.annual_xlsx_view), name="representatives_evaluation_annual_export"),
            *super().get_urls(),
        ]

    def annual_view(self, request):
        return admin_views.evaluation_view(self, request)

    def annual_xlsx_view(self, request):
        return admin_views.evaluation_xlsx_view(self, request)
