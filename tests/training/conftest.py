import datetime

import pytest

from apps.core import services as core_services
from apps.core.models import User
from apps.representatives.choices import Level
from apps.training.models import Instructor, LectureHall
from tests.factories import RepresentativeFactory
from tests.training.factories import HallFactory, InstructorFactory, LectureFactory

TODAY = datetime.date(2022, 9, 1)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def today():
    """The demo year, after the summer: most 2022 lectures lie in the past."""
    import time_machine

    with time_machine.travel(datetime.datetime(2022, 9, 1, 10, tzinfo=datetime.UTC), tick=False):
        yield TODAY


@pytest.fixture
def county_hall(county):
    return HallFactory(region=county, name="城步人大讲堂", level=LectureHall.Level.COUNTY)


@pytest.fixture
def hall_a(township_a):
    return HallFactory(region=township_a)


@pytest.fixture
def hall_b(township_b):
    return HallFactory(region=township_b)


@pytest.fixture
def instructor_user(township_a):
    return core_services.user_create(
        username="teacher_a", password=None, role=User.Role.TOWNSHIP, full_name="龙书记", regions=[township_a]
    )


@pytest.fixture
def instructor_a(hall_a, instructor_user):
    return InstructorFactory(hall=hall_a, name="龙书记", position="乡镇党委书记", user=instructor_user)


@pytest.fixture
def instructor_b(hall_b):
    return InstructorFactory(hall=hall_b, name="蒋主席", position="乡镇人大主席")


@pytest.fixture
def county_instructor(county_hall):
    return InstructorFactory(
        hall=county_hall, name="杨主任", kind=Instructor.Kind.PART_TIME, position="县人大常委会办公室主任"
    )


@pytest.fixture
def lecture_a(instructor_a):
    return LectureFactory(instructor=instructor_a, topic="代表法解读")


@pytest.fixture
def lecture_b(instructor_b):
    return LectureFactory(instructor=instructor_b, topic="建议撰写要点")


@pytest.fixture
def county_lecture(county_instructor):
    return LectureFactory(instructor=county_instructor, topic="人民代表大会制度")


@pytest.fixture
def township_rep_a(township_a):
    return RepresentativeFactory(name="吴德清", township=township_a, level=Level.TOWNSHIP)
