"""Forms of the livelihood back office: the input the admin's actions and pages pass to the services."""

from datetime import timedelta
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.config import config
from apps.core.import_admin import ImportUploadForm
from apps.core.models import CongressSession, HandlingUnit, Region
from apps.core.text import TextHygieneMixin
from apps.core.widgets import DateInput
from apps.livelihood.models import Ballot, BallotTally, Idea, Milestone, Project, Supervision
from apps.livelihood.services.projects import ANYTIME_FIELDS, CANDIDATE_FIELDS


def _datetime_input():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def sessions_for(user):
    return CongressSession.objects.visible_to(user).select_related("term__region").order_by("-opened_on", "-pk")


def units_for(user):
    return HandlingUnit.objects.visible_to(user).filter(is_active=True).order_by("category", "name", "pk")


class _ProjectFields(TextHygieneMixin, forms.Form):
    """What a candidate project says: shortlisting ideas, adding one directly, importing a row."""

    session = forms.ModelChoiceField(label=_("人民代表大会会议"), queryset=CongressSession.objects.none())
    title = forms.CharField(label=_("项目名称"), max_length=100)
    description = forms.CharField(label=_("项目内容"), max_length=3000, widget=forms.Textarea(attrs={"rows": 5}))
    responsible_unit = forms.ModelChoiceField(label=_("责任单位"), queryset=HandlingUnit.objects.none())
    investment = forms.DecimalField(label=_("总投资（万元）"), min_value=Decimal("0"), max_digits=12, decimal_places=2)
    completion_due = forms.DateField(label=_("计划完成时间"), widget=DateInput())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = sessions_for(user)
        self.fields["responsible_unit"].queryset = units_for(user)


class ShortlistForm(_ProjectFields):
    """Screen the selected ideas into one candidate project (初定), prefilled from the first idea."""

    @staticmethod
    def initial_from(ideas: list[Idea], user) -> dict:
        first = ideas[0]
        session = sessions_for(user).first()
        costs = [i.estimated_cost for i in ideas if i.estimated_cost is not None]
        return {
            "session": session.pk if session else None,
            "title": first.title,
            "description": "\n".join(i.description for i in ideas),
            "responsible_unit": first.unit_id,
            "investment": sum(costs) if costs else None,
            "completion_due": session.opened_on.replace(month=12, day=31) if session else None,
        }


class ProjectAddForm(_ProjectFields):
    """A candidate proposed directly by the government, without a collected idea."""


class ProjectChangeForm(TextHygieneMixin, forms.ModelForm):
    """The project's own page: what may still change (the admin leaves the rest read-only)."""

    class Meta:
        model = Project
        fields = [*CANDIDATE_FIELDS, *ANYTIME_FIELDS]
        # The browser's own date picker: no script, nothing for the CSP to forbid.
        widgets = {"completion_due": DateInput()}


class IdeaAddForm(TextHygieneMixin, forms.ModelForm):
    """An idea handed in by a government unit or the congress office, entered by staff."""

    SOURCES = [(Idea.Source.UNIT, Idea.Source.UNIT.label), (Idea.Source.STAFF, Idea.Source.STAFF.label)]

    source = forms.ChoiceField(label=_("来源"), choices=SOURCES, initial=Idea.Source.UNIT)

    class Meta:
        model = Idea
        fields = ["region", "title", "description", "estimated_cost", "source", "unit"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "region" in self.fields:
            regions = self.fields["region"].queryset
            self.fields["region"].queryset = regions.exclude(level=Region.Level.VILLAGE).order_by("path")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("source") == Idea.Source.UNIT and not cleaned.get("unit"):
            self.add_error("unit", _("请选择提出建议的单位。"))
        return cleaned


class IdeaMergeForm(TextHygieneMixin, forms.Form):
    into = forms.ModelChoiceField(label=_("合并至"), queryset=Idea.objects.none())

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        merged_into = targets.filter(status__in=[Idea.Status.NEW, Idea.Status.SHORTLISTED])
        self.fields["into"].queryset = merged_into.order_by("-submitted_at", "-pk")


class DeclineForm(TextHygieneMixin, forms.Form):
    note = forms.CharField(label=_("不予采纳的理由"), widget=forms.Textarea(attrs={"rows": 3}))


class MilestoneAddForm(TextHygieneMixin, forms.Form):
    title = forms.CharField(label=_("节点名称"), max_length=100)
    due_on = forms.DateField(label=_("计划完成日期"), widget=DateInput())
    parent = forms.ModelChoiceField(
        label=_("上级节点"), queryset=Milestone.objects.none(), required=False, help_text=_("可不选：顶层节点。")
    )
    weight = forms.IntegerField(
        label=_("权重"), min_value=1, max_value=100, initial=1, help_text=_("同一上级下各节点按权重计算进度。")
    )

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Milestone.objects.filter(project=project)


class SupervisionForm(TextHygieneMixin, forms.Form):
    kind = forms.ChoiceField(label=_("方式"), choices=Supervision.Kind.choices)
    held_on = forms.DateField(label=_("日期"), widget=DateInput(), initial=timezone.localdate)
    participants = forms.CharField(label=_("参加人员"), max_length=300, required=False)
    findings = forms.CharField(label=_("发现问题及意见"), max_length=3000, widget=forms.Textarea(attrs={"rows": 5}))


# --- ballots -------------------------------------------------------------------------------------


class BallotAddForm(TextHygieneMixin, forms.ModelForm):
    # Not "projects": the model's own many-to-many runs through BallotItem, which the service writes.
    candidates = forms.ModelMultipleChoiceField(
        label=_("项目"),
        queryset=Project.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("票决：本次会议的候选项目；满意度测评：票决通过的项目。票面按编号排列。"),
    )
    # Declared here: the admin would otherwise split it into two inputs with its own widget.
    closes_at = forms.DateTimeField(label=_("截止时间"), widget=_datetime_input())

    class Meta:
        model = Ballot
        fields = ["session", "kind", "title", "slots", "max_choices", "min_vote_ratio", "base", "closes_at"]
        help_texts = {
            "max_choices": _("可不填：与应选项目数相同。"),
            "min_vote_ratio": _("得票须超过基数的这个比例，例如 0.5 即超过半数。"),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = sessions_for(user)
        candidates = Project.objects.visible_to(user).filter(
            status__in=[Project.Status.CANDIDATE, *Project.IMPLEMENTING]
        )
        self.fields["candidates"].queryset = candidates.select_related("session").order_by(
            "-session__opened_on", "number"
        )
        self.fields["min_vote_ratio"].initial = config("LIVELIHOOD", "MIN_VOTE_RATIO")
        self.fields["closes_at"].initial = (timezone.localtime() + timedelta(days=1)).replace(second=0, microsecond=0)

    def ordered_projects(self) -> list[Project]:
        return sorted(self.cleaned_data["candidates"], key=lambda p: (p.session_id, p.number))


class PaperBatchForm(TextHygieneMixin, forms.Form):
    """A batch of counted paper sheets: how many sheets, and the count per project (and option)."""

    sheets = forms.IntegerField(label=_("选票张数"), min_value=1)

    def __init__(self, *args, ballot: Ballot, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.ballot = ballot
        self.items = list(items)
        for item in self.items:
            for option, label in self.options():
                self.fields[self._name(item, option)] = forms.IntegerField(
                    label=f"{item.project.number}. {item.project.title} {label}",
                    min_value=0,
                    initial=0,
                    widget=forms.NumberInput(attrs={"size": 5, "min": 0}),
                )

    def options(self):
        if self.ballot.kind == Ballot.Kind.SELECTION:
            return [(BallotTally.Option.FOR, BallotTally.Option.FOR.label)]
        return [
            (o, o.label)
            for o in (BallotTally.Option.SATISFIED, BallotTally.Option.BASIC, BallotTally.Option.DISSATISFIED)
        ]

    @staticmethod
    def _name(item, option) -> str:
        return f"p{item.project_id}_{option}"

    def rows(self):
        return [(item, [self[self._name(item, o)] for o, _label in self.options()]) for item in self.items]

    def counts(self) -> dict[int, dict[str, int]]:
        return {
            item.project_id: {o: self.cleaned_data[self._name(item, o)] for o, _label in self.options()}
            for item in self.items
        }


class RevoteForm(TextHygieneMixin, forms.Form):
    title = forms.CharField(label=_("名称"), max_length=100)
    slots = forms.IntegerField(label=_("应选项目数"), min_value=1)
    closes_at = forms.DateTimeField(label=_("截止时间"), widget=_datetime_input())


# --- import --------------------------------------------------------------------------------------


class CandidateImportForm(ImportUploadForm):
    """The candidate import asks which session the file's candidates belong to."""

    session = forms.ModelChoiceField(label=_("人民代表大会会议"), queryset=CongressSession.objects.none())
    field_order = ["session", "import_file"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["session"].queryset = sessions_for(user)

    def options(self) -> dict:
        return {"session": self.cleaned_data["session"].pk}
