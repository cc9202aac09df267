import pytest

from apps.liaison import services
from apps.liaison.models import LiaisonOffice
from tests.factories import VillageFactory


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def office_a(township_a):
    return LiaisonOffice.objects.create(name="儒林镇代表联系群众工作室", region=township_a, head="张站长")


@pytest.fixture
def office_b(township_b):
    return LiaisonOffice.objects.create(name="茅坪镇代表联系群众工作室", region=township_b)


@pytest.fixture
def village_a(township_a):
    return VillageFactory(parent=township_a, name="白云村")


@pytest.fixture
def station_a(village_a, office_a):
    return LiaisonOffice.objects.create(
        name="白云村代表联络站", region=village_a, level=LiaisonOffice.Level.STATION, parent=office_a
    )


@pytest.fixture
def concern_a(office_a, township_a):
    concern, _ = services.concern_submit(
        region=township_a,
        category="roads",
        description="村道塌方，影响出行。",
        name="王大妈",
        phone="13812345678",
        is_urgent=True,
    )
    return concern


@pytest.fixture
def concern_b(office_b, township_b):
    concern, _ = services.concern_submit(
        region=township_b, category="water", description="自来水停水三天。", name="李大伯", phone="13987654321"
    )
    return concern


@pytest.fixture
def neighbour(township_a, county_term):
    """A second serving representative of township A, with no account."""
    from tests.factories import RepresentativeFactory

    return RepresentativeFactory(name="龙秀兰", township=township_a, term=county_term)
