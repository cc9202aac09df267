"""Spreadsheets of citizens' concerns. Names and phones leave the system unmasked only for staff
allowed to see them, and every export is logged with who took how many rows."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources

from apps.core.audit import Kind as Audit
from apps.core.audit import audit_event
from apps.core.masking import mask_name, mask_phone
from apps.core.models import Region
from apps.liaison.models import Concern

PERSONAL_PERMISSION = "liaison.view_concern_personal"


def sees_personal_data(user) -> bool:
    return bool(user) and user.has_perm(PERSONAL_PERMISSION)


def is_overdue(concern: Concern, today) -> bool:
    if concern.status == Concern.Status.SUBMITTED:
        return concern.accept_due_on < today
    if concern.status in (Concern.Status.ACCEPTED, Concern.Status.ROUTED):
        return bool(concern.resolve_due_on) and concern.resolve_due_on < today
    return False


def township_name(region: Region) -> str:
    return region.name if region.level == Region.Level.TOWNSHIP else region.parent.name


def handler_of(concern: Concern) -> str:
    """Who the concern was routed to, as staff say it."""
    if concern.route == Concern.Route.UNIT:
        return str(concern.unit or "")
    if concern.route == Concern.Route.REPRESENTATIVE:
        return str(concern.representative or "")
    return concern.get_route_display() if concern.route else ""


def _day(value) -> str:
    if value is None:
        return ""
    return (timezone.localdate(value) if hasattr(value, "tzinfo") else value).strftime("%Y-%m-%d")


class ConcernResource(resources.ModelResource):
    """The concern register (群众意见台账): one row per concern, personal data masked by role."""

    code = fields.Field(column_name=gettext_lazy("查询码"))
    submitted_on = fields.Field(column_name=gettext_lazy("提交日期"))
    channel = fields.Field(column_name=gettext_lazy("来源"))
    township = fields.Field(column_name=gettext_lazy("乡镇"))
    place = fields.Field(column_name=gettext_lazy("所在区域"))
    office = fields.Field(column_name=gettext_lazy("工作室"))
    category = fields.Field(column_name=gettext_lazy("类别"))
    is_urgent = fields.Field(column_name=gettext_lazy("急难愁盼"))
    name = fields.Field(column_name=gettext_lazy("姓名"))
    phone = fields.Field(column_name=gettext_lazy("手机号码"))
    description = fields.Field(attribute="description", column_name=gettext_lazy("反映内容"))
    status = fields.Field(column_name=gettext_lazy("状态"))
    handler = fields.Field(column_name=gettext_lazy("转办对象"))
    accept_due_on = fields.Field(column_name=gettext_lazy("受理期限"))
    resolve_due_on = fields.Field(column_name=gettext_lazy("办理期限"))
    overdue = fields.Field(column_name=gettext_lazy("逾期"))
    answered_on_spot = fields.Field(column_name=gettext_lazy("当场答复"))
    public_answer = fields.Field(attribute="public_answer", column_name=gettext_lazy("公开答复"))
    rating = fields.Field(column_name=gettext_lazy("群众评价"))
    closed_on = fields.Field(column_name=gettext_lazy("办结日期"))

    class Meta:
        model = Concern
        name = gettext_lazy("群众意见台账")
        fields = [
            "code", "submitted_on", "channel", "township", "place", "office", "category", "is_urgent", "name",
            "phone", "description", "status", "handler", "accept_due_on", "resolve_due_on", "overdue",
            "answered_on_spot", "public_answer", "rating", "closed_on",
        ]  # fmt: skip
        export_order = fields

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.personal = sees_personal_data(user)
        self.today = timezone.localdate()

    def get_queryset(self):
        qs = Concern.objects.all()
        return qs.visible_to(self.user) if self.user else qs

    def filter_export(self, queryset, **kwargs):
        # Every column comes from these joins: a fixed number of queries however many rows.
        return queryset.select_related("region__parent", "office", "unit", "representative")

    def export(self, queryset=None, **kwargs):
        dataset = super().export(queryset, **kwargs)
        audit_event(Audit.EXPORT, user=self.user, register="concerns", rows=len(dataset), personal=self.personal)
        return dataset

    def dehydrate_code(self, concern):
        return concern.display_code

    def dehydrate_submitted_on(self, concern):
        return _day(concern.submitted_at)

    def dehydrate_channel(self, concern):
        return concern.get_channel_display()

    def dehydrate_township(self, concern):
        return township_name(concern.region)

    def dehydrate_place(self, concern):
        return concern.region.name

    def dehydrate_office(self, concern):
        return str(concern.office or "")

    def dehydrate_category(self, concern):
        return concern.get_category_display()

    def dehydrate_is_urgent(self, concern):
        return _("是") if concern.is_urgent else _("否")

    def dehydrate_name(self, concern):
        return concern.name if self.personal else mask_name(concern.name)

    def dehydrate_phone(self, concern):
        return concern.phone if self.personal else mask_phone(concern.phone)

    def dehydrate_status(self, concern):
        return concern.get_status_display()

    def dehydrate_handler(self, concern):
        return handler_of(concern)

    def dehydrate_accept_due_on(self, concern):
        return _day(concern.accept_due_on)

    def dehydrate_resolve_due_on(self, concern):
        return _day(concern.resolve_due_on)

    def dehydrate_overdue(self, concern):
        return _("是") if is_overdue(concern, self.today) else _("否")

    def dehydrate_answered_on_spot(self, concern):
        return _("是") if concern.answered_on_spot else _("否")

    def dehydrate_rating(self, concern):
        return concern.get_rating_display()

    def dehydrate_closed_on(self, concern):
        return _day(concern.closed_at)
