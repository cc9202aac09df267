import datetime

import factory
from factory.django import DjangoModelFactory

from apps.core.models import CongressSession, CongressTerm, HandlingUnit, Region
from apps.representatives.choices import Category, Gender, Level
from apps.representatives.models import Representative


class CountyFactory(DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"43{n:04d}")
    name = factory.Sequence(lambda n: f"测试县{n}")
    level = Region.Level.COUNTY
    kind = Region.Kind.COUNTY


class TownshipFactory(DjangoModelFactory):
    class Meta:
        model = Region

    parent = factory.SubFactory(CountyFactory)
    # 400-899: clear of the fixed codes tests give their own townships (…100, …101, …205, …300, …999),
    # and still nine digits however long the session's sequence runs.
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.parent.code}{400 + n % 500:03d}")
    name = factory.Sequence(lambda n: f"测试镇{n}")
    level = Region.Level.TOWNSHIP
    kind = Region.Kind.TOWN


class VillageFactory(DjangoModelFactory):
    class Meta:
        model = Region

    parent = factory.SubFactory(TownshipFactory)
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.parent.code}{n:03d}")
    name = factory.Sequence(lambda n: f"测试村{n}")
    level = Region.Level.VILLAGE
    kind = Region.Kind.VILLAGE


class TermFactory(DjangoModelFactory):
    class Meta:
        model = CongressTerm

    region = factory.SubFactory(CountyFactory)
    number = 18
    started_on = datetime.date(2021, 12, 28)


class SessionFactory(DjangoModelFactory):
    class Meta:
        model = CongressSession

    term = factory.SubFactory(TermFactory)
    number = 1
    opened_on = datetime.date(2022, 1, 5)


class HandlingUnitFactory(DjangoModelFactory):
    class Meta:
        model = HandlingUnit

    name = factory.Sequence(lambda n: f"测试局{n}")
    region = factory.SubFactory(CountyFactory)


class RepresentativeFactory(DjangoModelFactory):
    class Meta:
        model = Representative

    name = factory.Sequence(lambda n: f"代表{n}")
    gender = Gender.MALE
    category = Category.FARMER
    level = Level.COUNTY
    township = factory.SubFactory(TownshipFactory)
    term = factory.LazyAttribute(
        lambda o: (
            TermFactory(region=o.township if o.level == Level.TOWNSHIP else o.township.parent)
            if o.level in (Level.COUNTY, Level.TOWNSHIP)
            else None
        )
    )
    credential_no = factory.Sequence(lambda n: f"C{n:05d}")
    phone = factory.Sequence(lambda n: f"139{n:08d}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = "core.User"

    username = factory.Sequence(lambda n: f"user{n}")


def county_settings_form(**fields) -> dict:
    """POST data of the county settings admin form: every field blank, the JSON ones empty, then `fields`."""
    blank = dict.fromkeys(
        [
            "site_name",
            "committee_name",
            "public_contact",
            "reply_months",
            "reply_months_complex",
            "due_soon_days",
            "concern_accept_workdays",
            "concern_resolve_workdays",
            "concern_due_soon_days",
            "grade_excellent_min",
            "grade_competent_min",
        ],
        "",
    )
    return {**blank, "outcome_labels": "{}", "satisfaction_labels": "{}", "duty_points": "{}", **fields}
