import datetime

import factory
from factory.django import DjangoModelFactory

from apps.training.models import Attendance, Instructor, Lecture, LectureHall
from tests.factories import TownshipFactory


class HallFactory(DjangoModelFactory):
    class Meta:
        model = LectureHall

    region = factory.SubFactory(TownshipFactory)
    level = factory.LazyAttribute(lambda o: o.region.level)
    name = factory.LazyAttribute(lambda o: f"{o.region.name}人大讲堂")


class InstructorFactory(DjangoModelFactory):
    class Meta:
        model = Instructor

    hall = factory.SubFactory(HallFactory)
    name = factory.Sequence(lambda n: f"教员{n}")
    kind = Instructor.Kind.FULL_TIME
    position = "乡镇人大主席"


class LectureFactory(DjangoModelFactory):
    class Meta:
        model = Lecture

    instructor = factory.SubFactory(InstructorFactory)
    hall = factory.LazyAttribute(lambda o: o.instructor.hall)
    date = datetime.date(2022, 3, 15)
    topic = factory.Sequence(lambda n: f"代表履职专题讲座{n}")
    status = Lecture.Status.HELD


class AttendanceFactory(DjangoModelFactory):
    class Meta:
        model = Attendance

    lecture = factory.SubFactory(LectureFactory)
    status = Attendance.Status.PRESENT
