import datetime

import pytest

from apps.posts import services
from apps.posts.models import PostRole
from tests.factories import RepresentativeFactory
from tests.images import JPEG, PNG  # noqa: F401  (the posts tests import them from here)
from tests.posts.factories import DutyPostFactory

START = datetime.date(2022, 1, 10)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def role(db):
    # Created by the data migration.
    return PostRole.objects.get(name="调解员")


@pytest.fixture
def post_a(township_a, role):
    return DutyPostFactory(title="儒林镇矛盾纠纷调解岗", township=township_a, role=role, capacity=2)


@pytest.fixture
def post_b(township_b, role):
    return DutyPostFactory(title="茅坪镇生态环境巡查岗", township=township_b, role=role, field="environment")


@pytest.fixture
def assignment_a(post_a, rep_a, representative_user, staff_a):
    return services.post_assign(post=post_a, representative=rep_a, started_on=START, by=staff_a)


@pytest.fixture
def assignment_b(post_b, rep_b, staff_b):
    return services.post_assign(post=post_b, representative=rep_b, started_on=START, by=staff_b)


@pytest.fixture
def neighbour(township_a, county_term):
    """A second serving representative of township A."""
    return RepresentativeFactory(name="龙秀兰", township=township_a, term=county_term)


@pytest.fixture
def log_a(assignment_a, representative_user):
    return services.post_log_create(
        assignment=assignment_a, date=datetime.date(2022, 3, 1), content="调解两户宅基地纠纷。", by=representative_user
    )
