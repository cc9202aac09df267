import datetime

import factory
from factory.django import DjangoModelFactory

from apps.posts.models import DutyPost, PostAssignment, PostField, PostLog, PostRole
from tests.factories import RepresentativeFactory, TownshipFactory, UserFactory


class PostRoleFactory(DjangoModelFactory):
    class Meta:
        model = PostRole
        django_get_or_create = ["name"]

    name = "宣传员"


class DutyPostFactory(DjangoModelFactory):
    class Meta:
        model = DutyPost

    title = factory.Sequence(lambda n: f"测试岗位{n}")
    role = factory.SubFactory(PostRoleFactory)
    field = PostField.DISPUTES
    township = factory.SubFactory(TownshipFactory)
    capacity = 1


class PostAssignmentFactory(DjangoModelFactory):
    """Written directly, for data the tests read; the rules are tested through the services."""

    class Meta:
        model = PostAssignment

    post = factory.SubFactory(DutyPostFactory)
    representative = factory.LazyAttribute(lambda o: RepresentativeFactory(township=o.post.township))
    started_on = datetime.date(2022, 1, 10)
    assigned_by = factory.SubFactory(UserFactory)


class PostLogFactory(DjangoModelFactory):
    class Meta:
        model = PostLog

    assignment = factory.SubFactory(PostAssignmentFactory)
    date = datetime.date(2022, 3, 1)
    content = factory.Sequence(lambda n: f"到村里调解纠纷第{n}次")
