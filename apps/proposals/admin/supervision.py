"""Supervision records, on-site assignment meetings and notices (通报)."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from apps.core.admin_mixins import NoDeleteMixin, RendaModelAdmin, ServiceAdminMixin
from apps.core.admin_pages import service_action
from apps.proposals import admin_views, services
from apps.proposals.admin._common import person_column
from apps.proposals.models import (
    AssignmentBatch,
    Notice,
    Status,
    Supervision,
)


@admin.register(Supervision)
class SupervisionAdmin(NoDeleteMixin, RendaModelAdmin):
    list_display = ["proposal", "method", "supervised_on", "supervisor", "recorder"]
    list_filter = ["method"]
    list_select_related = ["proposal", "recorded_by"]
    search_fields = ["proposal__title", "supervisor"]
    fields = ["proposal", "method", "supervised_on", "supervisor", "notes", "recorder"]
    readonly_fields = fields
    recorder = person_column("recorded_by", _("登记人"))

    def has_add_permission(self, request):
        # Supervision is recorded on the proposals (action “登记督办”), which checks their state.
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AssignmentBatch)
class AssignmentBatchAdmin(ServiceAdminMixin, RendaModelAdmin):
    list_display = ["title", "session", "held_on", "place", "proposal_count", "links"]
    list_select_related = ["session__term__region"]
    fields = ["title", "session", "held_on", "place", "creator"]
    readonly_fields = fields
    creator = person_column("created_by", _("录入人"))

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(proposal_count=Count("assignments__proposal", distinct=True))

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/list/", wrap(self.print_view), name="proposals_assignmentbatch_print"),
            path("<path:object_id>/list.xlsx", wrap(self.xlsx_view), name="proposals_assignmentbatch_xlsx"),
            *super().get_urls(),
        ]

    def print_view(self, request, object_id):
        return admin_views.batch_print_view(self, request, unquote(object_id))

    def xlsx_view(self, request, object_id):
        return admin_views.batch_xlsx_view(self, request, unquote(object_id))

    @admin.display(description=_("建议件数"), ordering="proposal_count")
    def proposal_count(self, batch):
        return batch.proposal_count

    @admin.display(description=_("交办清单"))
    def links(self, batch):
        return format_html(
            '<a href="{}">{}</a> | <a href="{}">{}</a>',
            reverse("admin:proposals_assignmentbatch_print", args=[batch.pk]),
            _("打印"),
            reverse("admin:proposals_assignmentbatch_xlsx", args=[batch.pk]),
            _("导出 xlsx"),
        )

    def workflow_buttons(self, request, obj):
        buttons = [{"url": reverse("admin:proposals_assignmentbatch_print", args=[obj.pk]), "label": _("打印交办清单")}]
        if request.user.has_perm(admin_views.EXPORT_PERMISSION):
            url = reverse("admin:proposals_assignmentbatch_xlsx", args=[obj.pk])
            buttons.append({"url": url, "label": _("导出交办清单（xlsx）")})
        return buttons

    def add_view(self, request, form_url="", extra_context=None):
        # A meeting is recorded by assigning its proposals on site.
        self.message_user(request, _("请在代表建议列表中勾选待交办的建议，再选择“现场交办所选建议”。"), messages.INFO)
        url = reverse("admin:proposals_proposal_changelist")
        return HttpResponseRedirect(f"{url}?status__exact={Status.ACCEPTED}")


@admin.register(Notice)
class NoticeAdmin(ServiceAdminMixin, RendaModelAdmin):
    list_display = ["title", "session", "kind", "is_public", "published_at", "created_at", "print_link"]
    list_filter = ["kind", "is_public", ("published_at", admin.EmptyFieldListFilter)]
    list_select_related = ["session__term__region"]
    fields = [
        "session", "kind", "title", "body", "units", "is_public", "published_at", "publisher", "creator", "created_at",
    ]  # fmt: skip
    creator = person_column("created_by", _("起草人"))
    publisher = person_column("published_by", _("发布人"))

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return [f for f in self.fields if f not in obj.editable_fields()]
        return self.fields

    @admin.display(description=_("打印"))
    def print_link(self, notice):
        return format_html('<a href="{}">{}</a>', reverse("proposals:notice_detail", args=[notice.pk]), _("打印"))

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("generate/", wrap(self.generate_view), name="proposals_notice_generate"),
            *super().get_urls(),
        ]

    def generate_view(self, request):
        return admin_views.notice_generate_view(self, request)

    def add_view(self, request, form_url="", extra_context=None):
        # A notice is drafted from the records, never typed from nothing.
        return HttpResponseRedirect(reverse("admin:proposals_notice_generate"))

    def service_update(self, request, obj, form):
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        return services.notice_update(notice=obj, changes=changes, by=request.user)

    def workflow_buttons(self, request, obj):
        buttons = [
            {"url": reverse("proposals:notice_detail", args=[obj.pk]), "label": _("打印预览")},
            {"url": reverse("proposals:notice_pdf", args=[obj.pk]), "label": _("下载 PDF")},
        ]
        if obj.published_at or not self.may_act(request, obj):
            return buttons
        return [{"action": "publish", "label": _("发布通报")}, *buttons]

    publish = service_action(
        description=_("发布所选通报"),
        service=services.notice_publish,
        target="notice",
        done=_("已发布%(n)s份通报，并通知了通报涉及的承办单位。"),
    )
    actions = [publish]
