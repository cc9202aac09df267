"""Fixtures of the portal pages' tests (the representative's home moved here from tests/representatives)."""

import pytest

from apps.liaison.models import LiaisonOffice
from tests.factories import SessionFactory


@pytest.fixture
def session(county_term):
    return SessionFactory(term=county_term, number=1)


@pytest.fixture
def office_a(township_a):
    return LiaisonOffice.objects.create(name="儒林镇代表联系群众工作室", region=township_a)
