"""Spreadsheets of duty posts and of who holds them, with Chinese headers as staff write them.

Imports are all or nothing: every row is checked (and saved through the services inside the
import's transaction, so capacity and overlaps see the rows above), every bad row is reported
under its column, and a single bad row rolls the whole file back.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields
from import_export.widgets import Widget

from apps.core import imports
from apps.core.exports import ChoicesWidget
from apps.core.imports import IntegerWidget
from apps.core.models import Region
from apps.core.scope import scope_for
from apps.posts import selectors, services
from apps.posts.models import DutyPost, PostAssignment, PostField, PostRole, default_programme
from apps.representatives.choices import Status
from apps.representatives.models import Representative

YES, NO = gettext_lazy("是"), gettext_lazy("否")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code or number typed as a number
    return str(value).strip()


def townships_for(user):
    qs = Region.objects.filter(level=Region.Level.TOWNSHIP)
    return qs.in_scope(scope_for(user), strict=True) if user else qs


def find_township(user, value) -> Region:
    """A township of the user's scope by its name or its code."""
    text = _text(value)
    found = list(townships_for(user).filter(Q(name=text) | Q(code=text))[:2]) if text else []
    if len(found) != 1:
        names = townships_for(user).values_list("name", flat=True)
        raise ValueError(
            _("乡镇“%(name)s”不存在或不在您的管辖范围内。") % {"name": text} + imports.suggestion(text, names)
        )
    return found[0]


class TownshipWidget(Widget):
    def __init__(self, user=None, **kwargs):
        self.user = user
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        return find_township(self.user, value) if _text(value) else None

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


class VillageWidget(Widget):
    """A village by its name, among those of the row's township."""

    def __init__(self, township_column: str, user=None, **kwargs):
        self.township_column, self.user = township_column, user
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        name = _text(value)
        if not name:
            return None
        try:
            township = find_township(self.user, (row or {}).get(self.township_column))
        except ValueError:
            return None  # the township's own column says what is wrong
        village = Region.objects.filter(level=Region.Level.VILLAGE, parent=township, name=name).first()
        if village is None:
            raise ValueError(_("%(township)s没有名为“%(name)s”的村（社区）。") % {"township": township, "name": name})
        return village

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


class RoleWidget(Widget):
    def clean(self, value, row=None, **kwargs):
        name = _text(value)
        role = PostRole.objects.filter(name=name, is_active=True).first() if name else None
        if role is None:
            raise ValueError(_("岗位角色“%(name)s”不存在或已停用。") % {"name": name})
        return role

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


class YesNoWidget(Widget):
    TRUE = {"是", "yes", "true", "1", "启用"}
    FALSE = {"否", "no", "false", "0", "停用"}

    def clean(self, value, row=None, **kwargs):
        text = _text(value).lower()
        if text in ("", *self.TRUE, str(YES).lower()):
            return True  # a blank cell keeps the post active
        if text in (*self.FALSE, str(NO).lower()):
            return False
        raise ValueError(_("请填写“是”或“否”。"))

    def render(self, value, obj=None, **kwargs):
        return str(YES if value else NO)


class ColumnErrorsMixin:
    """Errors reported under the column headers staff see, not the model's field names."""

    def _by_column(self, error: ValidationError) -> ValidationError:
        if not hasattr(error, "error_dict"):
            return error
        columns = {f.attribute: str(f.column_name) for f in self.fields.values() if f.attribute}
        return ValidationError(
            {
                (key if key == NON_FIELD_ERRORS else columns.get(key, key)): messages
                for key, messages in error.message_dict.items()
            }
        )

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        try:
            super().validate_instance(instance, import_validation_errors, validate_unique)
        except ValidationError as error:
            raise self._by_column(error) from None

    # Imports and exports are recorded in the audit log by the framework's admin views
    # (apps/core/import_admin.py), once each.


# --- posts ------------------------------------------------------------------------------------


class DutyPostResource(ColumnErrorsMixin, imports.RendaResource):
    """The post register: a row with a 编号 updates that post, a row without one adds a post."""

    audit_name = "duty posts"
    sheet_title = gettext_lazy("履职岗位")
    required = ("title", "role", "field", "township")
    notes = [
        gettext_lazy("每行一个岗位。“编号”留空为新增岗位；填写编号（从导出的岗位表中来）则修改该岗位。"),
        gettext_lazy("所在乡镇可以填名称或行政区划代码；村（社区）须是该乡镇的；所属活动留空为“双培三联四岗”。"),
    ]
    examples = [
        {"title": "矛盾纠纷调解岗", "role": "调解员", "field": "矛盾纠纷调解", "township": "儒林镇", "capacity": 2,
         "description": "参与村（社区）矛盾纠纷调解", "is_active": "是"},
        {"title": "政策宣传岗", "role": "宣传员", "field": "政策宣传", "township": "儒林镇", "capacity": 1,
         "description": "宣传党的政策和法律法规", "is_active": "是"},
    ]  # fmt: skip

    id = fields.Field(attribute="id", column_name=gettext_lazy("编号"), widget=IntegerWidget())
    title = fields.Field(attribute="title", column_name=gettext_lazy("岗位名称"))
    role = fields.Field(attribute="role", column_name=gettext_lazy("岗位角色"), widget=RoleWidget())
    field = fields.Field(attribute="field", column_name=gettext_lazy("领域"), widget=ChoicesWidget(PostField.choices))
    township = fields.Field(attribute="township", column_name=gettext_lazy("所在乡镇"))
    village = fields.Field(attribute="village", column_name=gettext_lazy("村（社区）"))
    programme = fields.Field(attribute="programme", column_name=gettext_lazy("所属活动"))
    capacity = fields.Field(attribute="capacity", column_name=gettext_lazy("定员"), widget=IntegerWidget())
    description = fields.Field(attribute="description", column_name=gettext_lazy("岗位职责"))
    is_active = fields.Field(attribute="is_active", column_name=gettext_lazy("启用"), widget=YesNoWidget())
    held = fields.Field(column_name=gettext_lazy("在岗人数"), readonly=True)

    class Meta:
        model = DutyPost
        import_id_fields = ["id"]
        fields = [
            "id", "title", "role", "field", "township", "village", "programme", "capacity", "description",
            "is_active", "held",
        ]  # fmt: skip
        export_order = fields

    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        self.fields["township"].widget = TownshipWidget(user)
        self.fields["village"].widget = VillageWidget(str(self.fields["township"].column_name), user)

    def get_queryset(self):
        qs = DutyPost.objects.select_related("role", "township", "village")
        return qs.visible_to(self.user) if self.user else qs

    def filter_export(self, queryset, **kwargs):
        held = selectors.held_on(timezone.localdate())
        return queryset.select_related("role", "township", "village").annotate(held_now=held)

    def dehydrate_held(self, post):
        return getattr(post, "held_now", None) or 0

    def get_instance(self, instance_loader, row):
        pk = _text(row.get(str(self.fields["id"].column_name)))
        if not pk:
            return None
        post = self.get_queryset().filter(pk=int(pk)).first() if pk.isdigit() else None
        if post is None:
            raise ValidationError(
                {str(self.fields["id"].column_name): _("编号%(pk)s的岗位不存在或不在您的管辖范围内。") % {"pk": pk}}
            )
        return post

    def import_instance(self, instance, row, **kwargs):
        try:
            super().import_instance(instance, row, **kwargs)
        finally:
            # A blank programme means the default one, whatever else the row got wrong.
            instance.programme = instance.programme or default_programme()

    def save_instance(self, instance, is_create, row, **kwargs):
        if self._meta.use_bulk:
            raise NotImplementedError
        services.duty_post_save(post=instance, by=self.user)


# --- assignments ------------------------------------------------------------------------------


class PostAssignmentResource(ColumnErrorsMixin, imports.RendaResource):
    """Who holds which post from when. Each row puts a representative on a post through
    services.post_assign (and takes them off with post_unassign when a 离岗日期 is given)."""

    audit_name = "post assignments"
    sheet_title = gettext_lazy("岗位安排")
    required = ("started_on",)
    notes = [
        gettext_lazy("每行安排一名代表上岗。岗位用“岗位编号”找到，或用“岗位名称”加“所在乡镇”找到。"),
        gettext_lazy("代表用代表证号找到（同时填姓名则须一致），没有代表证号时用不重名的姓名。"),
        gettext_lazy("填写“离岗日期”则同时登记离岗。"),
    ]
    examples = [
        {"post_title": "矛盾纠纷调解岗", "township": "儒林镇", "representative": "杨秀英", "credential_no": "18001",
         "started_on": "2022-3-1"},
        {"post_title": "政策宣传岗", "township": "儒林镇", "representative": "蓝春花", "credential_no": "18002",
         "started_on": "2022年3月1日", "ended_on": "2022/12/31"},
    ]  # fmt: skip

    id = fields.Field(attribute="id", column_name=gettext_lazy("编号"), readonly=True)
    post_id = fields.Field(column_name=gettext_lazy("岗位编号"))
    post_title = fields.Field(column_name=gettext_lazy("岗位名称"))
    township = fields.Field(column_name=gettext_lazy("所在乡镇"))
    role = fields.Field(column_name=gettext_lazy("岗位角色"), readonly=True)
    representative = fields.Field(column_name=gettext_lazy("代表姓名"))
    credential_no = fields.Field(column_name=gettext_lazy("代表证号"))
    started_on = fields.Field(column_name=gettext_lazy("上岗日期"))
    ended_on = fields.Field(column_name=gettext_lazy("离岗日期"))

    class Meta:
        model = PostAssignment
        force_init_instance = True  # every row is a new assignment
        fields = [
            "id", "post_id", "post_title", "township", "role", "representative", "credential_no",
            "started_on", "ended_on",
        ]  # fmt: skip
        export_order = fields
        clean_model_instances = False  # the services check every row

    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)

    def column(self, name: str) -> str:
        return str(self.fields[name].column_name)

    # --- export -------------------------------------------------------------------------

    def get_queryset(self):
        qs = PostAssignment.objects.all()
        return qs.visible_to(self.user) if self.user else qs

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("post__township", "post__role", "representative").order_by(
            "post__township__code", "post__title", "started_on", "pk"
        )

    def dehydrate_post_id(self, assignment):
        return assignment.post_id

    def dehydrate_post_title(self, assignment):
        return assignment.post.title

    def dehydrate_township(self, assignment):
        return assignment.post.township.name

    def dehydrate_role(self, assignment):
        return assignment.post.role.name

    def dehydrate_representative(self, assignment):
        return assignment.representative.name

    def dehydrate_credential_no(self, assignment):
        return assignment.representative.credential_no

    def dehydrate_started_on(self, assignment):
        return assignment.started_on.strftime("%Y-%m-%d")

    def dehydrate_ended_on(self, assignment):
        return assignment.ended_on.strftime("%Y-%m-%d") if assignment.ended_on else ""

    # --- import -------------------------------------------------------------------------

    def import_instance(self, instance, row, **kwargs):
        """Read the row into the (unsaved) assignment; every unreadable column is reported."""
        errors: dict[str, str] = {}
        post = self._attempt(errors, "post_title", self._post, row)
        representative = self._attempt(errors, "representative", self._representative, row, post) if post else None
        if post and representative:
            instance.post, instance.representative = post, representative
        instance.started_on = self._attempt(errors, "started_on", self._date, row, "started_on", required=True)
        instance.ended_on = self._attempt(errors, "ended_on", self._date, row, "ended_on")
        if errors:
            raise ValidationError(errors)

    def _attempt(self, errors: dict, column: str, read, *args, **kwargs):
        try:
            return read(*args, **kwargs)
        except ValueError as error:
            errors[self.column(column)] = str(error)
            return None

    def _post(self, row) -> DutyPost:
        posts = DutyPost.objects.visible_to(self.user) if self.user else DutyPost.objects.all()
        pk = _text(row.get(self.column("post_id")))
        if pk:
            post = posts.filter(pk=int(pk)).first() if pk.isdigit() else None
            if post is None:
                raise ValueError(_("编号%(pk)s的岗位不存在或不在您的管辖范围内。") % {"pk": pk})
            return post
        title = _text(row.get(self.column("post_title")))
        if not title:
            raise ValueError(_("请填写岗位编号，或岗位名称和所在乡镇。"))
        township = find_township(self.user, row.get(self.column("township")))
        post = posts.filter(township=township, title=title).first()
        if post is None:
            raise ValueError(_("%(township)s没有名为“%(title)s”的岗位。") % {"township": township, "title": title})
        return post

    def _representative(self, row, post: DutyPost) -> Representative:
        """By credential number (and name, when both are given), else by a name that is unique.
        Representatives of other townships are found too, so that the service says why not."""
        name = _text(row.get(self.column("representative")))
        credential = _text(row.get(self.column("credential_no")))
        reps = Representative.objects.visible_to(self.user) if self.user else Representative.objects.all()
        if credential:
            found = [r for r in reps.filter(credential_no=credential) if not name or r.name == name]
            missing = _("没有代表证号为“%(no)s”的代表%(name)s，或不在您的管辖范围内。") % {
                "no": credential,
                "name": name,
            }
        elif name:
            found = list(reps.filter(name=name))
            missing = _("没有名为“%(name)s”的代表，或不在您的管辖范围内。") % {"name": name}
        else:
            raise ValueError(_("请填写代表姓名和代表证号。"))
        if len(found) > 1:
            # The same person in two terms, or two people of one name: the serving one in the post's township.
            found = [r for r in found if r.status == Status.SERVING and r.township_id == post.township_id]
            if len(found) != 1:
                raise ValueError(_("%(name)s有重名，请填写代表证号。") % {"name": name or credential})
        if not found:
            raise ValueError(missing)
        return found[0]

    def _date(self, row, column: str, *, required: bool = False):
        value = imports.parse_date(row.get(self.column(column)))
        if value is None and required:
            raise ValueError(_("请填写日期。"))
        return value

    def save_instance(self, instance, is_create, row, **kwargs):
        """The row through the services: refused rows report the service's own message."""
        assignment = services.post_assign(
            post=instance.post, representative=instance.representative, started_on=instance.started_on, by=self.user
        )
        if instance.ended_on:
            services.post_unassign(assignment=assignment, ended_on=instance.ended_on, by=self.user)
        instance.pk = assignment.pk


class PostRoleResource(imports.RendaResource):
    """The kinds of post (宣传员, 监督员 …), matched by name: one list for the deployment."""

    sheet_title = gettext_lazy("岗位角色")
    required = ("name",)
    notes = [gettext_lazy("每行一个岗位角色，按名称对应：已有的会被修改，不会重复。排序小的在前。")]
    examples = [
        {"name": "政策宣传员", "description": "宣传党的政策和法律法规", "sort_order": 1, "is_active": "是"},
        {"name": "民情监督员", "description": "收集反映群众意见，监督村务", "sort_order": 2, "is_active": "是"},
    ]

    name = fields.Field(attribute="name", column_name=gettext_lazy("名称"), widget=imports.TextWidget())
    description = fields.Field(
        attribute="description", column_name=gettext_lazy("职责说明"), widget=imports.TextWidget()
    )
    sort_order = fields.Field(attribute="sort_order", column_name=gettext_lazy("排序"), widget=IntegerWidget())
    is_active = fields.Field(attribute="is_active", column_name=gettext_lazy("启用"), widget=YesNoWidget())

    class Meta:
        model = PostRole
        import_id_fields = ["name"]
        fields = ["name", "description", "sort_order", "is_active"]
        export_order = fields

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        if instance.sort_order is None:
            instance.sort_order = 0
