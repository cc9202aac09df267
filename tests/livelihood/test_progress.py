"""Implementation: milestones with weights, progress reported on leaves and rolled up to the
parents and the project; who may report; supervision records."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from apps.livelihood import services
from apps.livelihood.models import Milestone, ProgressReport, Project
from apps.livelihood.services import LivelihoodError
from tests.factories import HandlingUnitFactory
from tests.livelihood.factories import ProjectFactory

DUE = date(2022, 10, 31)


@pytest.fixture
def project(session, unit):
    return ProjectFactory(session=session, responsible_unit=unit, status=Project.Status.APPROVED)


@pytest.fixture
def plan(project, committee_staff):
    """建设 (weight 3: 土建 w2 + 设备 w1) and 验收 (weight 1)."""

    def add(title, weight, parent=None):
        return services.milestone_add(
            project=project, title=title, due_on=DUE, weight=weight, parent=parent, by=committee_staff
        )

    build = add("建设", 3)
    civil = add("土建", 2, build)
    equipment = add("设备采购", 1, build)
    acceptance = add("竣工验收", 1)
    return {"build": build, "civil": civil, "equipment": equipment, "acceptance": acceptance}


def _report(milestone, progress, by):
    return services.milestone_report(milestone=milestone, progress=progress, note="按计划推进。", by=by)


def _progress(project, plan):
    project.refresh_from_db()
    nodes = {name: Milestone.objects.get(pk=m.pk).progress for name, m in plan.items()}
    return project.progress, nodes


def test_a_parent_is_the_weighted_mean_of_its_children_and_the_project_of_the_top_level(project, plan, unit_staff):
    _report(plan["civil"], 60, unit_staff)
    _report(plan["equipment"], 30, unit_staff)
    # 建设 = (2*60 + 1*30) / 3 = 50; project = (3*50 + 1*0) / 4 = 37.5 -> 37 (rounded down).
    assert _progress(project, plan) == (37, {"build": 50, "civil": 60, "equipment": 30, "acceptance": 0})
    assert project.status == Project.Status.IN_PROGRESS


def test_nothing_reads_100_until_every_leaf_is_done(project, plan, unit_staff):
    _report(plan["civil"], 100, unit_staff)
    _report(plan["equipment"], 100, unit_staff)
    _report(plan["acceptance"], 99, unit_staff)
    project.refresh_from_db()
    assert project.progress == 99
    assert project.status == Project.Status.IN_PROGRESS
    assert Milestone.objects.get(pk=plan["build"].pk).completed_on == timezone.localdate()


def test_all_leaves_at_100_complete_the_project(project, plan, unit_staff):
    for name in ("civil", "equipment", "acceptance"):
        _report(plan[name], 100, unit_staff)
    project.refresh_from_db()
    assert (project.progress, project.status, project.completed_on) == (100, "completed", timezone.localdate())
    # A correction below 100 reopens it.
    _report(plan["acceptance"], 80, unit_staff)
    project.refresh_from_db()
    assert (project.status, project.completed_on) == ("in_progress", None)


def test_a_milestone_with_children_takes_no_report(project, plan, unit_staff):
    with pytest.raises(LivelihoodError, match="有下级节点"):
        _report(plan["build"], 50, unit_staff)
    assert not ProgressReport.objects.exists()


def test_a_reported_milestone_cannot_be_split_afterwards(project, plan, unit_staff, committee_staff):
    _report(plan["acceptance"], 10, unit_staff)
    with pytest.raises(LivelihoodError, match="不能再分解"):
        services.milestone_add(
            project=project, title="子节点", due_on=DUE, parent=plan["acceptance"], by=committee_staff
        )


def test_a_new_milestone_lowers_the_derived_progress(project, plan, unit_staff, committee_staff):
    _report(plan["acceptance"], 100, unit_staff)
    project.refresh_from_db()
    assert project.progress == 25
    services.milestone_add(project=project, title="审计", due_on=DUE, by=committee_staff, weight=4)
    project.refresh_from_db()
    assert project.progress == 12  # (3*0 + 1*100 + 4*0) / 8


def test_a_parent_from_another_project_is_refused(project, plan, session, unit, committee_staff):
    other = ProjectFactory(session=session, responsible_unit=unit, status="approved")
    with pytest.raises(LivelihoodError):
        services.milestone_add(project=other, title="错挂", due_on=DUE, parent=plan["build"], by=committee_staff)


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("unit_staff", True), ("committee_staff", True), ("staff_a", False), ("liaison_a", False), ("other_unit", False)],
)
def test_who_may_report_progress(request, project, plan, who, allowed, county):
    if who == "other_unit":
        from apps.core import services as core_services

        user = core_services.user_create(
            username="other", password=None, role="unit", handling_unit=HandlingUnitFactory(region=county)
        )
    else:
        user = request.getfixturevalue(who)
    if allowed:
        _report(plan["civil"], 10, user)
        assert ProgressReport.objects.filter(reported_by=user).count() == 1
    else:
        with pytest.raises(LivelihoodError, match="只有责任单位"):
            _report(plan["civil"], 10, user)
        assert not ProgressReport.objects.exists()


def test_bad_reports_are_refused_and_change_nothing(project, plan, unit_staff):
    for kwargs, message in [
        ({"progress": 101}, "进度须是 0 到 100"),
        ({"progress": 10, "note": ""}, "进展情况"),
        ({"progress": 10, "reported_on": timezone.localdate() + timedelta(days=1)}, "不能晚于今天"),
    ]:
        with pytest.raises(LivelihoodError) as error:
            services.milestone_report(milestone=plan["civil"], by=unit_staff, **{"note": "推进中。", **kwargs})
        assert message in str(error.value)
    assert not ProgressReport.objects.exists()
    assert _progress(project, plan)[0] == 0


def test_candidates_have_no_milestones(session, unit, committee_staff):
    candidate = ProjectFactory(session=session, responsible_unit=unit)
    with pytest.raises(LivelihoodError, match="不能添加实施节点"):
        services.milestone_add(project=candidate, title="节点", due_on=DUE, by=committee_staff)


def test_supervision_is_recorded_and_the_unit_told(project, committee_staff, unit_staff):
    from apps.notifications.models import Notification

    record = services.supervision_record(
        project=project,
        kind="inspection",
        held_on=timezone.localdate(),
        participants="常委会副主任、代表5名",
        findings="进度滞后，要求加快。",
        by=committee_staff,
    )
    assert record.recorded_by == committee_staff
    assert Notification.objects.filter(rule="livelihood.supervised", recipient=unit_staff).exists()
    with pytest.raises(LivelihoodError):
        services.supervision_record(
            project=project,
            kind="nonsense",
            held_on=timezone.localdate(),
            participants="",
            findings="x",
            by=committee_staff,
        )
