"""Spreadsheet columns of the audit log's export (the security auditor's copy for a review)."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.translation import gettext_lazy
from import_export import fields, resources

from apps.core.audit import audit_event
from apps.core.models import AuditEvent
from apps.core.selectors import audit_events_visible_to


class AuditEventResource(resources.ModelResource):
    at = fields.Field(attribute="at", column_name=gettext_lazy("时间"))
    kind = fields.Field(attribute="kind", column_name=gettext_lazy("事件类型"))
    actor_username = fields.Field(attribute="actor_username", column_name=gettext_lazy("操作人账号"))
    ip = fields.Field(attribute="ip", column_name=gettext_lazy("IP 地址"))
    target_type = fields.Field(attribute="target_type", column_name=gettext_lazy("对象类型"))
    target_id = fields.Field(attribute="target_id", column_name=gettext_lazy("对象编号"))
    target_repr = fields.Field(attribute="target_repr", column_name=gettext_lazy("对象"))
    region_path = fields.Field(attribute="region_path", column_name=gettext_lazy("区域路径"))
    detail = fields.Field(attribute="detail", column_name=gettext_lazy("详情"))

    class Meta:
        model = AuditEvent
        name = gettext_lazy("安全审计日志")
        fields = [
            "at", "kind", "actor_username", "ip", "target_type", "target_id", "target_repr", "region_path", "detail",
        ]  # fmt: skip
        export_order = fields

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    def get_queryset(self):
        return audit_events_visible_to(self.user) if self.user else AuditEvent.objects.all()

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("target_type")

    def export(self, queryset=None, **kwargs):
        dataset = super().export(queryset, **kwargs)
        audit_event(AuditEvent.Kind.EXPORT, user=self.user, register="core.auditevent", rows=len(dataset))
        return dataset

    def dehydrate_at(self, event):
        return timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S")

    def dehydrate_kind(self, event):
        return event.get_kind_display()

    def dehydrate_target_type(self, event):
        return target_type_label(event)

    def dehydrate_detail(self, event):
        return json.dumps(event.detail, ensure_ascii=False, cls=DjangoJSONEncoder, sort_keys=True)


def target_type_label(event: AuditEvent) -> str:
    if not event.target_type_id:
        return ""
    model = event.target_type.model_class()
    return str(model._meta.verbose_name) if model else event.target_type.model
