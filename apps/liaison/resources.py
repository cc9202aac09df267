"""Spreadsheets of citizens' concerns. Names and phones leave the system unmasked only for staff
allowed to see them, and every export is logged with who took how many rows."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources

from apps.core import imports
from apps.core.exports import AuditedExport
from apps.core.masking import mask_name, mask_phone
from apps.core.models import Region
from apps.core.resources import ReferenceResource, YesNoWidget
from apps.core.scope import scope_for
from apps.liaison.models import Concern, LiaisonOffice

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


class ConcernResource(AuditedExport, resources.ModelResource):
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

    audit_name = "concerns"

    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        self.personal = sees_personal_data(user)
        self.today = timezone.localdate()

    def filter_export(self, queryset, **kwargs):
        # Every column comes from these joins: a fixed number of queries however many rows.
        return queryset.select_related("region__parent", "office", "unit", "representative")

    def audit_detail(self) -> dict:
        return {"personal": self.personal}

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


class LiaisonOfficeResource(ReferenceResource):
    """Township offices (工作室) and village stations (联络站) with address, phone, people in charge
    and hours. A row is matched by its region and name; a station without 所属工作室 belongs to its
    township's office, and the level follows the region when left blank."""

    sheet_title = gettext_lazy("联络站（工作室）")
    region_levels = (Region.Level.TOWNSHIP, Region.Level.VILLAGE)
    required = ("name", "region")
    resolved_fields = ("region", "parent")
    notes = [
        gettext_lazy("每行一个工作室或联络站：工作室设在乡镇，联络站设在村（社区）；同一区域按名称对应，不会重复。"),
        gettext_lazy("所在区域填乡镇或村（社区）的名称，村名重复时填 12 位区划代码；层级不填则按区域判断。"),
        gettext_lazy("联络站的“所属工作室”不填时，归所在乡镇的工作室；请把工作室的行放在联络站之前。"),
    ]
    examples = [
        {"name": "儒林镇人大代表联系群众工作室", "level": "乡镇工作室", "region": "儒林镇", "parent": "",
         "head": "杨华", "liaison_officer": "刘芳", "phone": "0739-7322001", "address": "儒林镇政府一楼",
         "opening_hours": "每月 15 日 9:00-17:00", "established_on": "2019-6-1", "is_active": "是"},
        {"name": "东海社区联络站", "level": "村（社区）联络站", "region": "东海社区", "parent": "",
         "head": "王强", "liaison_officer": "", "phone": "13812345678", "address": "东海社区服务中心",
         "opening_hours": "每周三上午", "established_on": "2022-3-1", "is_active": "是"},
    ]  # fmt: skip

    name = fields.Field(attribute="name", column_name=gettext_lazy("名称"), widget=imports.TextWidget())
    level = fields.Field(
        attribute="level", column_name=gettext_lazy("层级"), widget=imports.ChoiceWidget(LiaisonOffice.Level.choices)
    )
    region = fields.Field(attribute="region", column_name=gettext_lazy("所在区域"))
    parent = fields.Field(attribute="parent", column_name=gettext_lazy("所属工作室"))
    head = fields.Field(attribute="head", column_name=gettext_lazy("站长"), widget=imports.NameWidget())
    liaison_officer = fields.Field(
        attribute="liaison_officer", column_name=gettext_lazy("联络员"), widget=imports.NameWidget()
    )
    phone = fields.Field(attribute="phone", column_name=gettext_lazy("联系电话"), widget=imports.PhoneWidget())
    address = fields.Field(attribute="address", column_name=gettext_lazy("地址"), widget=imports.TextWidget())
    opening_hours = fields.Field(
        attribute="opening_hours", column_name=gettext_lazy("开放时间"), widget=imports.TextWidget()
    )
    established_on = fields.Field(
        attribute="established_on", column_name=gettext_lazy("设立日期"), widget=imports.DateWidget()
    )
    is_active = fields.Field(attribute="is_active", column_name=gettext_lazy("启用"), widget=YesNoWidget())

    class Meta:
        model = LiaisonOffice
        import_id_fields = ["region", "name"]
        fields = [
            "name", "level", "region", "parent", "head", "liaison_officer", "phone", "address", "opening_hours",
            "established_on", "is_active",
        ]  # fmt: skip
        export_order = fields

    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        offices = LiaisonOffice.objects.filter(level=LiaisonOffice.Level.OFFICE)
        offices = offices.in_scope(scope_for(user), strict=True) if user else offices
        self.fields["parent"].widget = imports.RecordWidget(offices, noun=_("工作室"))

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        if instance.region_id and not instance.level:
            village = instance.region.level == Region.Level.VILLAGE
            instance.level = LiaisonOffice.Level.STATION if village else LiaisonOffice.Level.OFFICE
        if instance.region_id and instance.level == LiaisonOffice.Level.STATION and not instance.parent_id:
            instance.parent = LiaisonOffice.objects.filter(
                level=LiaisonOffice.Level.OFFICE, region_id=instance.region.parent_id
            ).first()

    def prepare_export(self, queryset):
        return queryset.select_related("region", "parent")
