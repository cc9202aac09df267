"""The first-run page (开通向导): the steps that bring a county live, each with what is done.

Nothing is stored about the wizard itself: each step's state is counted from the data, so the page
can be left at any step and picked up again, by the same person or another."""

from dataclasses import dataclass

from django.apps import apps
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from apps.core.models import Region


@dataclass(frozen=True)
class Step:
    title: str
    counts: list[tuple[str, int]]
    list_url: str | None
    import_url: str | None

    @property
    def done(self) -> bool:
        return any(n for _label, n in self.counts)


# (title, [(label, model, lookup from the model to the region's path)], list model)
STEPS = [
    (_("行政区域"), [(_("乡镇（街道）"), "core.Region", "township"), (_("村（社区）"), "core.Region", "village")]),
    (
        _("届次与会议"),
        [(_("届次"), "core.CongressTerm", "region__path"), (_("会议"), "core.CongressSession", "term__region__path")],
    ),
    (_("承办单位"), [(_("承办单位"), "core.HandlingUnit", "region__path")]),
    (_("联络站"), [(_("联络站"), "liaison.LiaisonOffice", "region__path")]),
    (
        _("讲堂与教员"),
        [(_("讲堂"), "training.LectureHall", "region__path"), (_("教员"), "training.Instructor", "hall__region__path")],
    ),
    (_("工作人员账号"), [(_("账号"), "core.User", "account")]),
    (_("代表名册"), [(_("代表"), "representatives.Representative", "township__path")]),
]


def _count(model, lookup: str, county: Region) -> int:
    prefix = county.path
    if lookup in ("township", "village"):
        return model.objects.filter(path__startswith=prefix, level=lookup, is_active=True).count()
    if lookup == "account":
        return (
            model.objects.filter(
                Q(regions__path__startswith=prefix) | Q(handling_unit__region__path__startswith=prefix)
            )
            .distinct()
            .count()
        )
    return model.objects.filter(**{f"{lookup}__startswith": prefix}).count()


def _url(model, name: str) -> str | None:
    try:
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{name}")
    except NoReverseMatch:
        return None


def steps_for(county: Region) -> list[Step]:
    steps = []
    for title, parts in STEPS:
        counts = []
        for label, label_model, lookup in parts:
            counts.append((label, _count(apps.get_model(label_model), lookup, county)))
        first = apps.get_model(parts[0][1])
        steps.append(Step(str(title), counts, _url(first, "changelist"), _url(first, "import")))
    return steps


def counties_for(user) -> list[Region]:
    """The counties a user may set up: every one for a superuser, else those in their scope."""
    counties = Region.objects.filter(level=Region.Level.COUNTY).order_by("code")
    return list(counties if user.is_superuser else counties.visible_to(user).filter(staff=user))
