import datetime

import factory
from factory.django import DjangoModelFactory

from apps.groups.models import Activity, ActivityGroup, Campaign, GroupMembership, ProblemSolved


class ActivityGroupFactory(DjangoModelFactory):
    class Meta:
        model = ActivityGroup

    name = factory.Sequence(lambda n: f"活动小组{n}")
    theme = "农业农村"


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = GroupMembership

    joined_on = datetime.date(2022, 1, 10)


class ActivityFactory(DjangoModelFactory):
    """An activity written straight to the table (for lists and counts); services are tested apart."""

    class Meta:
        model = Activity
        skip_postgeneration_save = True

    kind = Activity.Kind.TALK
    title = factory.Sequence(lambda n: f"微宣讲{n}")
    date = datetime.date(2022, 6, 1)
    region = factory.LazyAttribute(lambda o: o.group.region)
    review_status = Activity.Review.CONFIRMED

    @factory.post_generation
    def participants(self, create, extracted, **kwargs):
        if create and extracted:
            self.participants.set(extracted)


class CampaignFactory(DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"我为群众办实事{n}")
    started_on = datetime.date(2022, 1, 1)
    ended_on = datetime.date(2022, 12, 31)


class ProblemFactory(DjangoModelFactory):
    class Meta:
        model = ProblemSolved

    township = factory.LazyAttribute(lambda o: o.representative.township)
    date = datetime.date(2022, 6, 1)
    problem = factory.Sequence(lambda n: f"路灯不亮{n}")
    review_status = ProblemSolved.Review.CONFIRMED
