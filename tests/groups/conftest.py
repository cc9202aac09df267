import datetime

import pytest
import time_machine

from apps.groups import services
from apps.groups.models import Campaign
from tests.factories import RepresentativeFactory

JOINED = datetime.date(2022, 1, 10)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _in_2022():
    """The seed year: activities and campaigns are dated in it, and nothing may be in the future."""
    with time_machine.travel(datetime.datetime(2022, 11, 30, 10, 0), tick=True):
        yield


@pytest.fixture
def rep_a2(township_a, county_term):
    return RepresentativeFactory(name="刘建国", township=township_a, term=county_term)


@pytest.fixture
def county_group(county, committee_staff, rep_a, rep_b):
    """A county group led by rep_a (who has the portal account), with rep_b as member."""
    group = services.group_create(
        name="农业农村组", theme="农业农村", region=county, leader=rep_a, by=committee_staff, joined_on=JOINED
    )
    services.group_member_add(group=group, representative=rep_b, joined_on=JOINED, by=committee_staff)
    return group


@pytest.fixture
def township_group(township_a, staff_a, rep_a2):
    return services.group_create(
        name="儒林镇教育卫生组", theme="教育卫生", region=township_a, leader=rep_a2, by=staff_a, joined_on=JOINED
    )


@pytest.fixture
def campaign(county, committee_staff) -> Campaign:
    return services.campaign_create(
        name="我为群众办实事",
        region=county,
        started_on=datetime.date(2022, 1, 1),
        ended_on=datetime.date(2022, 12, 31),
        by=committee_staff,
    )
