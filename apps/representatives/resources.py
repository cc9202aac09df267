from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources
from import_export.widgets import DateWidget, ForeignKeyWidget, IntegerWidget

from apps.core.audit import Kind as Audit
from apps.core.audit import audit_event
from apps.core.exports import ChoicesWidget, TextHygieneImport
from apps.core.masking import mask_phone
from apps.core.models import CongressTerm, Region
from apps.core.scope import scope_for
from apps.core.sheets import audit_import
from apps.representatives.choices import (
    ETHNICITY_CHOICES,
    Category,
    Education,
    Gender,
    Level,
    Party,
    Status,
)
from apps.representatives.models import Representative, VoterRating


class TownshipWidget(ForeignKeyWidget):
    """A township by its name, among the townships the importing user is responsible for."""

    def __init__(self, user=None):
        self.user = user
        super().__init__(Region, field="name")

    def get_queryset(self, value, row, *args, **kwargs):
        qs = Region.objects.filter(level=Region.Level.TOWNSHIP)
        return qs.in_scope(scope_for(self.user), strict=True) if self.user else qs

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except Region.DoesNotExist:
            raise ValueError(_("乡镇“%(name)s”不存在或不在您的管辖范围内。") % {"name": value}) from None
        except Region.MultipleObjectsReturned:
            raise ValueError(_("乡镇名称“%(name)s”不唯一，请联系管理员。") % {"name": value}) from None


def _choice(attribute, header, choices):
    return fields.Field(attribute=attribute, column_name=header, widget=ChoicesWidget(choices))


class RepresentativeResource(TextHygieneImport, resources.ModelResource):
    """The roster spreadsheet, with Chinese headers and labels as staff write them.

    The term is given by its number (届次, e.g. 18): a county representative's term is that
    of the county congress, a township representative's that of the township congress.
    """

    id = fields.Field(attribute="id", column_name=_("编号"), widget=IntegerWidget())
    name = fields.Field(attribute="name", column_name=_("姓名"))
    gender = _choice("gender", _("性别"), Gender.choices)
    ethnicity = _choice("ethnicity", _("民族"), ETHNICITY_CHOICES)
    birth_date = fields.Field(attribute="birth_date", column_name=_("出生日期"), widget=DateWidget("%Y-%m-%d"))
    party = _choice("party", _("政治面貌"), Party.choices)
    education = _choice("education", _("学历"), Education.choices)
    occupation = fields.Field(attribute="occupation", column_name=_("工作单位及职务"))
    category = _choice("category", _("代表构成"), Category.choices)
    level = _choice("level", _("代表层级"), Level.choices)
    term_number = fields.Field(column_name=_("届次"), attribute="term__number", readonly=True)
    township = fields.Field(attribute="township", column_name=_("所在乡镇"), widget=TownshipWidget())
    credential_no = fields.Field(attribute="credential_no", column_name=_("代表证号"))
    phone = fields.Field(attribute="phone", column_name=_("联系电话"))
    status = _choice("status", _("状态"), Status.choices)
    elected_on = fields.Field(attribute="elected_on", column_name=_("当选日期"), widget=DateWidget("%Y-%m-%d"))
    status_changed_on = fields.Field(
        attribute="status_changed_on", column_name=_("状态变更日期"), widget=DateWidget("%Y-%m-%d")
    )

    class Meta:
        model = Representative
        import_id_fields = ["id"]
        fields = [
            "id", "name", "gender", "ethnicity", "birth_date", "party", "education", "occupation", "category",
            "level", "term_number", "township", "credential_no", "phone", "status", "elected_on",
            "status_changed_on",
        ]  # fmt: skip
        export_order = fields
        clean_model_instances = True
        skip_unchanged = False
        use_transactions = True

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.fields["township"].widget = TownshipWidget(user)

    # --- export ---------------------------------------------------------------------

    def get_queryset(self):
        qs = super().get_queryset().select_related("township", "term")
        return qs.visible_to(self.user) if self.user else qs

    def dehydrate_phone(self, rep):
        if self.user is None or self.user.has_perm("representatives.view_representative_contact"):
            return rep.phone
        return mask_phone(rep.phone)

    def export(self, queryset=None, **kwargs):
        dataset = super().export(queryset, **kwargs)
        audit_event(Audit.EXPORT, user=self.user, register="representatives", rows=len(dataset))
        return dataset

    # --- import ---------------------------------------------------------------------

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs):
        # A roster file is one decision: any invalid row rolls back every other row.
        kwargs["rollback_on_validation_errors"] = True
        result = super().import_data(dataset, dry_run, raise_errors, use_transactions, **kwargs)
        audit_import(result, self.user, "representatives", rows=len(dataset), dry_run=dry_run)
        return result

    def get_instance(self, instance_loader, row):
        pk = row.get(self.fields["id"].column_name)
        if pk in (None, ""):
            return None
        qs = Representative.objects.all()
        if self.user:
            qs = qs.in_scope(scope_for(self.user), strict=True)
        try:
            return qs.get(pk=pk)
        except (Representative.DoesNotExist, ValueError):
            raise ValidationError({"id": _("编号 %(pk)s 的代表不存在或不在您的管辖范围内。") % {"pk": pk}}) from None

    def import_instance(self, instance, row, **kwargs):
        # Collect the column errors and the term error together, so a row shows all of them.
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        try:
            instance.term = self._term_for(instance, row.get(self.fields["term_number"].column_name))
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def _term_for(self, rep, number):
        if number in (None, ""):
            return None
        if not rep.township_id:
            return None  # the township error is reported on its own column
        region = rep.township if rep.level == Level.TOWNSHIP else rep.township.parent
        try:
            return CongressTerm.objects.get(region=region, number=int(str(number).strip()))
        except (CongressTerm.DoesNotExist, ValueError):
            raise ValidationError(
                {"term": _("%(region)s没有第%(number)s届人民代表大会。") % {"region": region, "number": number}}
            ) from None


class VoterRatingResource(TextHygieneImport, resources.ModelResource):
    """The year's voter ratings (选民满意度测评) as a spreadsheet: one row per representative,
    found by name and credential number among the importing user's representatives. Each row is
    recorded (or corrected) through services.voter_rating_record; one bad row imports nothing."""

    name = fields.Field(column_name=_("姓名"))
    credential_no = fields.Field(column_name=_("代表证号"))
    year = fields.Field(attribute="year", column_name=_("年度"), widget=IntegerWidget())
    held_on = fields.Field(attribute="held_on", column_name=_("测评日期"), widget=DateWidget("%Y-%m-%d"))
    satisfied = fields.Field(attribute="satisfied", column_name=_("满意票数"), widget=IntegerWidget())
    basic = fields.Field(attribute="basic", column_name=_("基本满意票数"), widget=IntegerWidget())
    dissatisfied = fields.Field(attribute="dissatisfied", column_name=_("不满意票数"), widget=IntegerWidget())
    note = fields.Field(attribute="note", column_name=_("备注"))

    class Meta:
        model = VoterRating
        fields = ["name", "credential_no", "year", "held_on", "satisfied", "basic", "dissatisfied", "note"]
        export_order = fields
        clean_model_instances = False  # the service validates, with the same messages as the admin form
        skip_unchanged = False
        use_transactions = True

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    def get_queryset(self):
        qs = VoterRating.objects.select_related("representative")
        return qs.visible_to(self.user) if self.user else qs

    def dehydrate_name(self, rating):
        return rating.representative.name

    def dehydrate_credential_no(self, rating):
        return rating.representative.credential_no

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs):
        kwargs["rollback_on_validation_errors"] = True
        result = super().import_data(dataset, dry_run, raise_errors, use_transactions, **kwargs)
        audit_import(result, self.user, "voter ratings", rows=len(dataset), dry_run=dry_run)
        return result

    def export(self, queryset=None, **kwargs):
        dataset = super().export(queryset, **kwargs)
        audit_event(Audit.EXPORT, user=self.user, register="voter ratings", rows=len(dataset))
        return dataset

    def get_or_init_instance(self, instance_loader, row):
        return VoterRating(representative=self._representative(row), recorded_by=self.user), True

    def _representative(self, row) -> Representative:
        name = str(row.get(self.fields["name"].column_name) or "").strip()
        number = str(row.get(self.fields["credential_no"].column_name) or "").strip()
        found = list(
            Representative.objects.in_scope(scope_for(self.user), strict=True)
            .serving()
            .filter(name=name, credential_no=number)[:2]
        )
        if len(found) != 1:
            raise ValidationError(
                {
                    "representative": _(
                        "找不到姓名为“%(name)s”、代表证号为“%(number)s”的在任代表（或不在您的管辖范围内）。"
                    )
                    % {"name": name, "number": number}
                }
            )
        return found[0]

    def save_instance(self, instance, is_create, row, **kwargs):
        from apps.representatives.services import voter_rating_record

        saved = voter_rating_record(
            representative=instance.representative,
            year=instance.year,
            held_on=instance.held_on,
            satisfied=instance.satisfied,
            basic=instance.basic,
            dissatisfied=instance.dissatisfied,
            note=instance.note or "",
            by=self.user,
        )
        instance.pk = saved.pk
