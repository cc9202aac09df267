import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from apps.livelihood.models import Idea, Milestone, Project
from tests.factories import HandlingUnitFactory, SessionFactory


class ProjectFactory(DjangoModelFactory):
    """A candidate project written directly (numbers by sequence); services make the real ones."""

    class Meta:
        model = Project

    session = factory.SubFactory(SessionFactory)
    region = factory.LazyAttribute(lambda o: o.session.term.region)
    number = factory.Sequence(lambda n: 1000 + n)  # clear of the numbers services give
    title = factory.Sequence(lambda n: f"民生实事项目{n}")
    description = "项目内容。"
    responsible_unit = factory.SubFactory(HandlingUnitFactory, region=factory.SelfAttribute("..region"))
    investment = Decimal("100.00")
    completion_due = datetime.date(2022, 12, 31)


class IdeaFactory(DjangoModelFactory):
    class Meta:
        model = Idea

    title = factory.Sequence(lambda n: f"项目建议{n}")
    description = "建议内容。"
    source = Idea.Source.STAFF


class MilestoneFactory(DjangoModelFactory):
    class Meta:
        model = Milestone

    title = factory.Sequence(lambda n: f"节点{n}")
    due_on = datetime.date(2022, 6, 30)
