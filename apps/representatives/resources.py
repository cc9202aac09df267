from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields

from apps.core import imports
from apps.core.imports import IntegerWidget, TextWidget
from apps.core.masking import mask_phone
from apps.core.models import CongressTerm, Region
from apps.core.scope import scope_for
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


def townships_for(user):
    qs = Region.objects.filter(level=Region.Level.TOWNSHIP).select_related("parent")
    return qs.in_scope(scope_for(user), strict=True) if user else qs


def _choice(attribute, header, choices, **kwargs):
    return fields.Field(attribute=attribute, column_name=header, widget=imports.ChoiceWidget(choices, **kwargs))


def _date(attribute, header):
    return fields.Field(attribute=attribute, column_name=header, widget=imports.DateWidget())


class RepresentativeResource(imports.RendaResource):
    """The roster spreadsheet (代表名册), with Chinese headers and labels as staff write them.

    A row with a 编号 updates that representative (among the importing user's), a row without
    one adds a representative. The term is given by its number (届次, e.g. 18): a county
    representative's term is that of the county congress, a township representative's that of
    the township congress. Staff who may not see phones neither export nor import them.
    """

    sheet_title = gettext_lazy("代表名册")
    required = ("name", "gender", "category", "level", "township")
    error_columns = {"term": "term_number"}
    resolved_fields = ("township", "term")
    consequences = {"term": "township"}
    check_constraints = False  # the one constraint (credential numbers) is checked per term below
    preview_saves = False  # and the rows above are held in memory for it
    notes = [
        gettext_lazy("每行一名代表。“编号”留空为新增代表；填写编号（从导出的名册中来）则修改该代表。"),
        gettext_lazy("标 * 的列必须填写；日期可以写成 2022-3-5、2022/03/05 或 2022年3月5日。"),
        gettext_lazy("届次填数字，例如 18：县人大代表为县人大的届次，乡镇人大代表为乡镇人大的届次。"),
        gettext_lazy("导入前会先预览：有错误的行会列出行号和原因，改正前不会保存任何一行。"),
    ]
    examples = [
        {
            "name": "杨秀英", "gender": "女", "ethnicity": "苗族", "birth_date": "1975-3-5", "party": "中共党员",
            "education": "大学本科", "occupation": "儒林镇中心小学教师", "category": "专业技术人员",
            "level": "县人大代表", "term_number": 18, "township": "儒林镇", "credential_no": "18001",
            "phone": "13812345678", "status": "在任", "elected_on": "2021-11-26",
        },
        {
            "name": "阿依古丽·买买提", "gender": "女", "ethnicity": "维吾尔族", "birth_date": "1982年7月1日",
            "party": "群众", "education": "高中", "occupation": "茅坪镇农民", "category": "农民",
            "level": "乡镇人大代表", "term_number": 18, "township": "茅坪镇", "credential_no": "M018",
            "phone": "0739-7322001", "status": "在任", "elected_on": "2021/11/20",
        },
    ]  # fmt: skip

    id = fields.Field(attribute="id", column_name=gettext_lazy("编号"), widget=IntegerWidget())
    name = fields.Field(attribute="name", column_name=gettext_lazy("姓名"), widget=imports.NameWidget())
    gender = _choice("gender", gettext_lazy("性别"), Gender.choices)
    ethnicity = fields.Field(
        attribute="ethnicity", column_name=gettext_lazy("民族"), widget=imports.EthnicityWidget(ETHNICITY_CHOICES)
    )
    birth_date = _date("birth_date", gettext_lazy("出生日期"))
    party = _choice("party", gettext_lazy("政治面貌"), Party.choices)
    education = _choice("education", gettext_lazy("学历"), Education.choices)
    occupation = fields.Field(attribute="occupation", column_name=gettext_lazy("工作单位及职务"), widget=TextWidget())
    category = _choice("category", gettext_lazy("代表构成"), Category.choices)
    level = _choice("level", gettext_lazy("代表层级"), Level.choices)
    term_number = fields.Field(
        column_name=gettext_lazy("届次"), attribute="term__number", readonly=True, widget=IntegerWidget()
    )
    township = fields.Field(attribute="township", column_name=gettext_lazy("所在乡镇"), widget=imports.RecordWidget())
    credential_no = fields.Field(attribute="credential_no", column_name=gettext_lazy("代表证号"), widget=TextWidget())
    phone = fields.Field(attribute="phone", column_name=gettext_lazy("联系电话"), widget=imports.PhoneWidget())
    status = _choice("status", gettext_lazy("状态"), Status.choices)
    elected_on = _date("elected_on", gettext_lazy("当选日期"))
    status_changed_on = _date("status_changed_on", gettext_lazy("状态变更日期"))

    class Meta:
        model = Representative
        import_id_fields = ["id"]
        fields = [
            "id", "name", "gender", "ethnicity", "birth_date", "party", "education", "occupation", "category",
            "level", "term_number", "township", "credential_no", "phone", "status", "elected_on",
            "status_changed_on",
        ]  # fmt: skip
        export_order = fields
        use_bulk = True  # saved in batches of 1,000, each with its history rows
        batch_size = 1000

    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        self.fields["township"].widget = imports.RecordWidget(townships_for(user), noun=_("乡镇"))
        self.sees_phones = user is None or user.has_perm("representatives.view_representative_contact")
        self._instances, self._terms, self._taken = {}, {}, {}

    def example_rows(self):
        """The examples with the user's own townships and the county's current term, so that the
        template imports as it is."""
        townships = list(townships_for(self.user).order_by("path")[:2])
        if not townships:
            return self.examples
        rows = [dict(self.examples[0]), dict(self.examples[1])]
        for row, township in zip(rows, [townships[0], townships[-1]], strict=True):
            term = CongressTerm.objects.filter(region=township.parent).order_by("-number").first()
            row.update(
                township=township.name, level=imports.zh(Level.COUNTY.label), term_number=term.number if term else ""
            )
        return rows

    def get_import_fields(self):
        found = super().get_import_fields()
        return found if self.sees_phones else [f for f in found if f.attribute != "phone"]

    # --- export ---------------------------------------------------------------------

    def get_queryset(self):
        qs = super().get_queryset().select_related("township", "term")
        return qs.visible_to(self.user) if self.user else qs

    def prepare_export(self, queryset):
        return queryset.select_related("township", "term")

    def dehydrate_phone(self, rep):
        return rep.phone if self.sees_phones else mask_phone(rep.phone)

    # --- import ---------------------------------------------------------------------

    def before_import(self, dataset, **kwargs):
        """The representatives the file names, read in one query."""
        super().before_import(dataset, **kwargs)
        column = self.fields["id"].column_name
        ids = {imports.cell_text(v) for v in dataset[column]} if column in (dataset.headers or []) else set()
        qs = Representative.objects.select_related("township__parent", "term")
        if self.user:
            qs = qs.in_scope(scope_for(self.user), strict=True)
        self._instances = {str(r.pk): r for r in qs.filter(pk__in=[i for i in ids if i.isdigit()])}

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        try:
            super().validate_instance(instance, errors, validate_unique)
        except ValidationError as e:
            errors = e.update_error_dict({})
        if instance.credential_no and instance.term_id and "credential_no" not in errors:
            taken = self._credentials(instance.term_id)
            mine = instance.pk or object()  # a new row is its own holder
            holder = taken.setdefault(instance.credential_no, mine)
            if holder is not mine and holder != instance.pk:
                errors["credential_no"] = [_("该届次已有相同代表证号的代表。")]
        if errors:
            raise ValidationError(errors)

    def _credentials(self, term_id) -> dict:
        """The term's credential numbers and who holds them, read once, kept up to date by the rows."""
        if term_id not in self._taken:
            numbers = Representative.objects.filter(term_id=term_id).exclude(credential_no="")
            self._taken[term_id] = dict(numbers.values_list("credential_no", "pk"))
        return self._taken[term_id]

    def get_instance(self, instance_loader, row):
        pk = imports.cell_text(row.get(self.fields["id"].column_name))
        if not pk:
            return None
        if pk not in self._instances:
            raise ValidationError({"id": _("编号 %(pk)s 的代表不存在或不在您的管辖范围内。") % {"pk": pk}})
        return self._instances.pop(pk)  # a number given twice is an error on its second row

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
        text = imports.cell_text(number)
        if not text:
            return None
        if not rep.township_id:
            return None  # the township error is reported on its own column
        region = rep.township if rep.level == Level.TOWNSHIP else rep.township.parent
        key = (region.pk, text)
        if key not in self._terms:
            self._terms[key] = CongressTerm.objects.filter(
                region=region, number=int(text) if text.isdigit() else -1
            ).first()
        if self._terms[key] is None:
            raise ValidationError(
                {"term": _("%(region)s没有第%(number)s届人民代表大会。") % {"region": region, "number": text}}
            )
        return self._terms[key]


class VoterRatingResource(imports.RendaResource):
    """The year's voter ratings (选民满意度测评) as a spreadsheet: one row per representative,
    found by name and credential number among the importing user's representatives. Each row is
    recorded (or corrected) through services.voter_rating_record; one bad row imports nothing;
    a row that says what is already recorded is skipped."""

    sheet_title = gettext_lazy("选民满意度测评")
    required = ("name", "credential_no", "year", "held_on", "satisfied", "basic", "dissatisfied")
    error_columns = {"representative": "name"}
    notes = [
        gettext_lazy("每行一名在任代表的年度测评结果，按姓名和代表证号找到代表。"),
        gettext_lazy("同一代表同一年度再次导入，会更正已登记的结果。"),
    ]
    examples = [
        {"name": "杨秀英", "credential_no": "18001", "year": 2022, "held_on": "2022-12-10", "satisfied": 40,
         "basic": 5, "dissatisfied": 5, "note": ""},
        {"name": "阿依古丽·买买提", "credential_no": "M018", "year": 2022, "held_on": "2022年12月12日",
         "satisfied": 38, "basic": 2, "dissatisfied": 0, "note": "测评会在村委会召开"},
    ]  # fmt: skip

    name = fields.Field(column_name=gettext_lazy("姓名"), widget=TextWidget())
    credential_no = fields.Field(column_name=gettext_lazy("代表证号"), widget=TextWidget())
    year = fields.Field(attribute="year", column_name=gettext_lazy("年度"), widget=IntegerWidget())
    held_on = _date("held_on", gettext_lazy("测评日期"))
    satisfied = fields.Field(attribute="satisfied", column_name=gettext_lazy("满意票数"), widget=IntegerWidget())
    basic = fields.Field(attribute="basic", column_name=gettext_lazy("基本满意票数"), widget=IntegerWidget())
    dissatisfied = fields.Field(
        attribute="dissatisfied", column_name=gettext_lazy("不满意票数"), widget=IntegerWidget()
    )
    note = fields.Field(attribute="note", column_name=gettext_lazy("备注"), widget=TextWidget())

    class Meta:
        model = VoterRating
        fields = ["name", "credential_no", "year", "held_on", "satisfied", "basic", "dissatisfied", "note"]
        export_order = fields
        clean_model_instances = False  # the service validates, with the same messages as the admin form

    def example_rows(self):
        reps = list(Representative.objects.in_scope(scope_for(self.user), strict=True).serving()[:2])
        if len(reps) < 2:
            return self.examples
        return [
            {**row, "name": rep.name, "credential_no": rep.credential_no}
            for row, rep in zip(self.examples, reps, strict=True)
        ]

    def get_queryset(self):
        qs = VoterRating.objects.select_related("representative")
        return qs.visible_to(self.user) if self.user else qs

    def prepare_export(self, queryset):
        return queryset.select_related("representative")

    def dehydrate_name(self, rating):
        return rating.representative.name

    def dehydrate_credential_no(self, rating):
        return rating.representative.credential_no

    def get_or_init_instance(self, instance_loader, row):
        """The year's rating of the row's representative when there is one (corrected, or
        skipped when unchanged), else a new one."""
        representative = self._representative(row)
        try:
            year = int(imports.cell_text(row.get(self.fields["year"].column_name)))
        except ValueError:
            year = None
        found = VoterRating.objects.filter(representative=representative, year=year).first() if year else None
        if found is not None:
            return found, False
        return VoterRating(representative=representative, recorded_by=self.user), True

    def _representative(self, row) -> Representative:
        name = imports.cell_text(row.get(self.fields["name"].column_name))
        number = imports.cell_text(row.get(self.fields["credential_no"].column_name))
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
