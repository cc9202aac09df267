from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.collation import by_stroke
from apps.core.models import CongressTerm, Region
from apps.core.scope import ScopedQuerySet
from apps.representatives.choices import (
    ETHNICITY_CHOICES,
    Category,
    Education,
    Gender,
    Level,
    Party,
    Status,
)


class Constituency(models.Model):
    """An electoral district (选区) of one congress term."""

    term = models.ForeignKey(
        CongressTerm, verbose_name=_("届次"), on_delete=models.PROTECT, related_name="constituencies"
    )
    number = models.PositiveIntegerField(_("选区编号"))
    name = models.CharField(_("选区名称"), max_length=100)
    township = models.ForeignKey(
        Region,
        verbose_name=_("所在乡镇"),
        on_delete=models.PROTECT,
        related_name="constituencies",
        limit_choices_to={"level": Region.Level.TOWNSHIP},
    )

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    scope_path = "township__path"

    class Meta:
        verbose_name = _("选区")
        verbose_name_plural = _("选区")
        ordering = ["term", "number"]
        constraints = [models.UniqueConstraint(fields=["term", "number"], name="constituency_unique_per_term")]

    def __str__(self):
        return _("第%(number)s选区（%(name)s）") % {"number": self.number, "name": self.name}


class RepresentativeQuerySet(ScopedQuerySet):
    def serving(self):
        return self.filter(status=Status.SERVING)

    def by_stroke(self):
        return self.order_by(by_stroke("name"), "pk")


class Representative(models.Model):
    """A people's congress representative (人大代表) of any of the five levels living in the county."""

    name = models.CharField(_("姓名"), max_length=30)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    ethnicity = models.CharField(_("民族"), max_length=2, choices=ETHNICITY_CHOICES, default="01")
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    party = models.CharField(_("政治面貌"), max_length=20, choices=Party.choices, default=Party.MASSES)
    education = models.CharField(_("学历"), max_length=20, choices=Education.choices, blank=True)
    occupation = models.CharField(_("工作单位及职务"), max_length=100, blank=True)
    category = models.CharField(_("代表构成"), max_length=20, choices=Category.choices)
    level = models.CharField(_("代表层级"), max_length=20, choices=Level.choices)
    term = models.ForeignKey(
        CongressTerm,
        verbose_name=_("届次"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="representatives",
        help_text=_("县、乡镇人大代表必填；上级人大代表可不填。"),
    )
    constituency = models.ForeignKey(
        Constituency,
        verbose_name=_("选区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="representatives",
    )
    township = models.ForeignKey(
        Region,
        verbose_name=_("所在乡镇"),
        on_delete=models.PROTECT,
        related_name="representatives",
        limit_choices_to={"level": Region.Level.TOWNSHIP},
    )
    credential_no = models.CharField(_("代表证号"), max_length=30, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.SERVING)
    elected_on = models.DateField(_("当选日期"), null=True, blank=True)
    status_changed_on = models.DateField(
        _("状态变更日期"), null=True, blank=True, help_text=_("辞职、罢免或终止代表资格的日期。")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="representative",
    )

    history = HistoricalRecords()
    objects = RepresentativeQuerySet.as_manager()

    scope_path = "township__path"

    class Meta:
        verbose_name = _("人大代表")
        verbose_name_plural = _("人大代表")
        ordering = [by_stroke("name"), "pk"]
        permissions = [
            ("import_representative", _("可以导入人大代表")),
            ("export_representative", _("可以导出人大代表")),
            ("view_representative_contact", _("可以查看代表联系方式")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "credential_no"],
                condition=~Q(credential_no=""),
                name="representative_unique_credential_per_term",
                violation_error_message=_("该届次已有相同代表证号的代表。"),
            ),
        ]
        indexes = [
            models.Index(fields=["township", "level", "status"], name="rep_township_level_status"),
            models.Index(fields=["term", "status"], name="rep_term_status"),
            models.Index(fields=["category"], name="rep_category"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.township_id and self.township.level != Region.Level.TOWNSHIP:
            errors["township"] = _("所在乡镇必须是乡镇一级的区域。")
        self._clean_term(errors)
        if self.status != Status.SERVING and not self.status_changed_on:
            errors["status_changed_on"] = _("代表不在任时必须填写状态变更日期。")
        if self.constituency_id and self.constituency.term_id != self.term_id:
            errors["constituency"] = _("选区不属于所选届次。")
        if errors:
            raise ValidationError(errors)

    def _clean_term(self, errors):
        if self.level not in (Level.COUNTY, Level.TOWNSHIP):
            return
        if not self.term_id:
            errors["term"] = _("县、乡镇人大代表必须填写届次。")
            return
        region = self.term.region
        if self.level == Level.COUNTY and region.level != Region.Level.COUNTY:
            errors["term"] = _("县人大代表的届次必须是县人民代表大会的届次。")
        elif self.level == Level.TOWNSHIP and region.pk != self.township_id:
            errors["term"] = _("乡镇人大代表的届次必须是本乡镇人民代表大会的届次。")
        elif self.township_id and not self.township.path.startswith(region.path):
            errors["term"] = _("届次所属区域与代表所在乡镇不一致。")

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


def mask_phone(phone: str) -> str:
    """138****5678: enough to recognise a number, not to call it."""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
