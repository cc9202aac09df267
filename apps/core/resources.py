"""Spreadsheet imports of a county's reference data on the one import framework (apps/core/imports.py):
handling units, congress terms and sessions, staff accounts. A row is matched by its natural key
(region and name, region and number), so importing the same file twice changes nothing.

Also the columns of the audit log's export (the security auditor's copy for a review)."""

import json
import re

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources
from import_export.widgets import BooleanWidget, IntegerWidget, ManyToManyWidget

from apps.core import imports, services
from apps.core.exports import AuditedExport
from apps.core.models import AuditEvent, CongressSession, CongressTerm, HandlingUnit, Region, User
from apps.core.scope import scope_for
from apps.core.selectors import audit_events_visible_to, users_visible_to


def regions_for(user, *levels: str):
    """Regions of these levels the importing user may write to (their own and below)."""
    qs = Region.objects.filter(level__in=levels, is_active=True).select_related("parent")
    return qs.in_scope(scope_for(user), strict=True) if user else qs


class RegionWidget(imports.RecordWidget):
    """A region by its division code or by its name (a village's name may repeat: give its code)."""

    hint = gettext_lazy("填写名称或区划代码，例如“儒林镇”或 430529100")

    def names(self) -> dict:
        if self._names is None:
            super().names()
            self._names.update({obj.code: obj for obj in self.queryset.all()})
        return self._names


class YesNoWidget(BooleanWidget):
    hint = gettext_lazy("是 或 否，空为是")
    TRUE_VALUES = ["是", "1", 1, True, "true", "TRUE", "True", "有效", "启用"]
    FALSE_VALUES = ["否", "0", 0, False, "false", "FALSE", "False", "无效", "停用"]

    def clean(self, value, row=None, **kwargs):
        text = imports.cell_text(value)
        if text == "":
            return True
        if text in self.TRUE_VALUES:
            return True
        if text in self.FALSE_VALUES:
            return False
        raise imports.CellError(_("请填写“是”或“否”。"))

    def render(self, value, obj=None, **kwargs):
        return _("是") if value else _("否")


def _text(attribute, header):
    return fields.Field(attribute=attribute, column_name=header, widget=imports.TextWidget())


def _region(attribute, header):
    return fields.Field(attribute=attribute, column_name=header, widget=RegionWidget())


class ReferenceResource(imports.RendaResource):
    """A reference-data resource: its region column lists the regions of `region_levels` in scope."""

    region_levels: tuple[str, ...] = (Region.Level.COUNTY, Region.Level.TOWNSHIP)
    region_field = "region"

    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        self.fields[self.region_field].widget = RegionWidget(regions_for(user, *self.region_levels), noun=_("区域"))

    def get_queryset(self):
        qs = super().get_queryset()
        return qs.visible_to(self.user) if self.user else qs

    def get_instance(self, instance_loader, row):
        try:
            return super().get_instance(instance_loader, row)
        except ValueError:
            return None  # a key cell that cannot be read: reported under its column with the row's other errors


class HandlingUnitResource(ReferenceResource):
    sheet_title = gettext_lazy("承办单位")
    required = ("name", "region")
    resolved_fields = ("region",)
    notes = [
        gettext_lazy("每行一个承办单位；同一区域内按单位名称对应，已有的单位会被修改，不会重复。"),
        gettext_lazy("所属区域填县名（县直单位）或乡镇名；类别不填为“政府部门”。"),
        gettext_lazy("导入前会先预览：有错误的行会列出行号和原因，改正前不会保存任何一行。"),
    ]
    examples = [
        {"name": "县教育局", "short_name": "教育局", "category": "政府部门", "region": "城步苗族自治县",
         "contact_person": "张明", "contact_phone": "0739-7322001", "is_active": "是"},
        {"name": "县人民法院", "short_name": "法院", "category": "人民法院", "region": "城步苗族自治县",
         "contact_person": "李华", "contact_phone": "13812345678", "is_active": "是"},
    ]  # fmt: skip

    name = _text("name", gettext_lazy("单位名称"))
    short_name = _text("short_name", gettext_lazy("简称"))
    category = fields.Field(
        attribute="category",
        column_name=gettext_lazy("类别"),
        widget=imports.ChoiceWidget(HandlingUnit.Category.choices, blank=HandlingUnit.Category.GOVERNMENT),
    )
    region = _region("region", gettext_lazy("所属区域"))
    contact_person = _text("contact_person", gettext_lazy("联系人"))
    contact_phone = fields.Field(
        attribute="contact_phone", column_name=gettext_lazy("联系电话"), widget=imports.PhoneWidget()
    )
    is_active = fields.Field(attribute="is_active", column_name=gettext_lazy("有效"), widget=YesNoWidget())

    class Meta:
        model = HandlingUnit
        import_id_fields = ["region", "name"]
        fields = ["name", "short_name", "category", "region", "contact_person", "contact_phone", "is_active"]
        export_order = fields

    def prepare_export(self, queryset):
        return queryset.select_related("region")


class CongressTermResource(ReferenceResource):
    sheet_title = gettext_lazy("人民代表大会届次")
    required = ("region", "number", "started_on")
    resolved_fields = ("region",)
    notes = [
        gettext_lazy("每行一届：区域填县名或乡镇名，届次填数字（如 18）；同一区域的同一届次只会有一行。"),
        gettext_lazy("日期可以写成 2021-12-28、2021/12/28 或 2021年12月28日。"),
    ]
    examples = [
        {"region": "城步苗族自治县", "number": 18, "started_on": "2021-12-28", "ended_on": ""},
        {"region": "儒林镇", "number": 18, "started_on": "2021-12-20", "ended_on": ""},
    ]

    region = _region("region", gettext_lazy("区域"))
    number = fields.Field(attribute="number", column_name=gettext_lazy("届次"), widget=IntegerWidget())
    started_on = fields.Field(attribute="started_on", column_name=gettext_lazy("开始日期"), widget=imports.DateWidget())
    ended_on = fields.Field(attribute="ended_on", column_name=gettext_lazy("结束日期"), widget=imports.DateWidget())

    class Meta:
        model = CongressTerm
        import_id_fields = ["region", "number"]
        fields = ["region", "number", "started_on", "ended_on"]
        export_order = fields

    def prepare_export(self, queryset):
        return queryset.select_related("region")


class TermWidget(IntegerWidget):
    """A term by its number (届次) within the row's region column."""

    hint = gettext_lazy("届次数字，例如 18；须先导入届次")

    def __init__(self, resource, **kwargs):
        self.resource = resource
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = imports.cell_text(value)
        if not text.isdigit():
            raise imports.CellError(_("请填写届次数字，例如 18。"))
        region = self.resource.fields["region"].widget.clean(row.get(self.resource.fields["region"].column_name))
        if region is None:
            return None  # the region column reports its own error
        term = CongressTerm.objects.filter(region=region, number=int(text)).first()
        if term is None:
            raise imports.CellError(
                _("%(region)s没有第%(number)s届人民代表大会，请先导入届次。") % {"region": region, "number": text}
            )
        return term

    def render(self, value, obj=None, **kwargs):
        return value.number if value else ""


class CongressSessionResource(ReferenceResource):
    sheet_title = gettext_lazy("人民代表大会会议")
    required = ("region", "term", "number", "opened_on")
    resolved_fields = ("term",)
    consequences = {"term": "region"}
    notes = [
        gettext_lazy("每行一次会议：区域和届次确定是哪一届（须先导入届次），会议次数填数字（如 1 表示第一次会议）。"),
    ]
    examples = [
        {"region": "城步苗族自治县", "term": 18, "number": 1, "opened_on": "2022-1-5", "closed_on": "2022-1-8"},
        {"region": "城步苗族自治县", "term": 18, "number": 2, "opened_on": "2023-1-10", "closed_on": "2023-1-12"},
    ]

    region = fields.Field(attribute="term__region", column_name=gettext_lazy("区域"), readonly=True)
    term = fields.Field(attribute="term", column_name=gettext_lazy("届次"))
    number = fields.Field(attribute="number", column_name=gettext_lazy("会议次数"), widget=IntegerWidget())
    opened_on = fields.Field(attribute="opened_on", column_name=gettext_lazy("开幕日期"), widget=imports.DateWidget())
    closed_on = fields.Field(attribute="closed_on", column_name=gettext_lazy("闭幕日期"), widget=imports.DateWidget())

    class Meta:
        model = CongressSession
        import_id_fields = ["term", "number"]
        fields = ["region", "term", "number", "opened_on", "closed_on"]
        export_order = fields

    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        self.fields["term"].widget = TermWidget(self)

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.attribute == "term__region":
            return  # read by the term's widget
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def prepare_export(self, queryset):
        return queryset.select_related("term__region")


# --- staff accounts ----------------------------------------------------------------------------

REGION_SEPARATORS = re.compile(r"[、,，;；\s]+")


class RegionsWidget(ManyToManyWidget):
    """Several regions in one cell, separated by 、 or commas, each read as RegionWidget reads one."""

    hint = gettext_lazy("区域名称或区划代码，多个用顿号“、”分隔")

    def __init__(self, single: RegionWidget, **kwargs):
        self.single = single
        super().__init__(Region, field="name", **kwargs)

    def clean(self, value, row=None, **kwargs):
        parts = [p for p in REGION_SEPARATORS.split(imports.cell_text(value)) if p]
        return [self.single.clean(part) for part in parts]

    def render(self, value, obj=None, **kwargs):
        return "、".join(r.name for r in value.all()) if value is not None else ""


class UserResource(ReferenceResource):
    """Staff and unit accounts with their role and scope. No password column: a new account gets a
    one-time link to choose its password (services.user_invite), sent once the import is confirmed."""

    sheet_title = gettext_lazy("工作人员账号")
    region_levels = (Region.Level.COUNTY, Region.Level.TOWNSHIP, Region.Level.VILLAGE)
    region_field = "regions"
    required = ("username", "full_name", "role")
    resolved_fields = ("handling_unit",)
    notes = [
        gettext_lazy("每行一个账号，按用户名对应：已有的账号会被修改，不会重复。文件中不填密码。"),
        gettext_lazy("新账号导入后，系统按填写的手机号码或电子邮箱发送一次性链接，由本人设置密码。"),
        gettext_lazy("常委会、乡镇和联络站工作人员须填管辖区域（多个用顿号分隔）；承办单位工作人员须填所在承办单位。"),
    ]
    examples = [
        {"username": "rulin_zhang", "full_name": "张丽", "role": "乡镇人大工作人员", "regions": "儒林镇",
         "handling_unit": "", "phone": "13812345678", "email": "", "is_active": "是"},
        {"username": "edu_li", "full_name": "李强", "role": "承办单位工作人员", "regions": "",
         "handling_unit": "县教育局", "phone": "13912345678", "email": "li@example.gov.cn", "is_active": "是"},
    ]  # fmt: skip

    username = fields.Field(attribute="username", column_name=gettext_lazy("用户名"), widget=imports.TextWidget())
    full_name = fields.Field(attribute="full_name", column_name=gettext_lazy("姓名"), widget=imports.NameWidget())
    role = fields.Field(
        attribute="role",
        column_name=gettext_lazy("角色"),
        widget=imports.ChoiceWidget([c for c in User.Role.choices if c[0] != User.Role.REPRESENTATIVE]),
    )
    regions = fields.Field(attribute="regions", column_name=gettext_lazy("管辖区域"), m2m_add=False)
    handling_unit = fields.Field(attribute="handling_unit", column_name=gettext_lazy("所在承办单位"))
    phone = fields.Field(
        attribute="phone", column_name=gettext_lazy("手机号码"), widget=imports.PhoneWidget(mobile_only=True)
    )
    email = fields.Field(attribute="email", column_name=gettext_lazy("电子邮箱"), widget=imports.TextWidget())
    is_active = fields.Field(attribute="is_active", column_name=gettext_lazy("有效"), widget=YesNoWidget())

    class Meta:
        model = User
        import_id_fields = ["username"]
        fields = ["username", "full_name", "role", "regions", "handling_unit", "phone", "email", "is_active"]
        export_order = fields

    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        self.fields["regions"].widget = RegionsWidget(self.fields["regions"].widget)
        units = HandlingUnit.objects.filter(is_active=True)
        units = units.in_scope(scope_for(user), strict=True) if user else units
        self.fields["handling_unit"].widget = imports.RecordWidget(units, noun=_("承办单位"))
        self.new_accounts: list[User] = []

    def get_queryset(self):
        qs = User.objects.filter(is_superuser=False)
        return users_visible_to(self.user, qs) if self.user else qs

    def import_instance(self, instance, row, **kwargs):
        if not instance.pk:
            instance.set_unusable_password()  # until its owner opens the invitation link
        super().import_instance(instance, row, **kwargs)
        if instance.role in User.STAFF_ROLES and not self.fields["regions"].clean(row):
            raise ValidationError({"regions": _("工作人员必须指定管辖区域。")})

    def before_save_instance(self, instance, row, **kwargs):
        if not instance.pk:
            self.new_accounts.append(instance)
        super().before_save_instance(instance, row, **kwargs)

    def after_import_row(self, row, row_result, **kwargs):
        super().after_import_row(row, row_result, **kwargs)
        if row_result.instance is not None and row_result.instance.pk:
            services.user_apply_role(user=row_result.instance)

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if not kwargs.get("dry_run") and not result.has_errors() and not result.has_validation_errors():
            accounts = list(self.new_accounts)
            transaction.on_commit(lambda: [services.user_invite(user=account) for account in accounts])

    def prepare_export(self, queryset):
        return queryset.select_related("handling_unit").prefetch_related("regions")


# --- the audit log's export ---------------------------------------------------------------------


class AuditEventResource(AuditedExport, resources.ModelResource):
    audit_name = "core.auditevent"

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

    def get_queryset(self):
        return audit_events_visible_to(self.user) if self.user else AuditEvent.objects.all()

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("target_type")

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
