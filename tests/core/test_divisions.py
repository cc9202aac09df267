"""Regions from the national division codes: a county other than Chengbu set up from its code and
the statistics bureau's file, idempotent, renamed places updated, vanished ones kept inactive."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from apps.core import services
from apps.core.models import HandlingUnit, Region, User
from tests.factories import CountyFactory

XINNING = Path(__file__).parent / "data" / "xinning_divisions.csv"


def _setup(code="430528", file=XINNING):
    return call_command("setup_regions", code, file=file) if file else call_command("setup_regions", code)


def _names(level):
    return list(Region.objects.filter(level=level).order_by("code").values_list("name", flat=True))


def test_a_county_is_set_up_from_its_code_and_the_bureaus_file(db):
    _setup()
    county = Region.objects.get(code="430528")
    assert (county.name, county.level, county.kind, county.path) == ("新宁县", "county", "county", "/430528/")
    assert _names("township") == ["金石镇", "水庙镇", "崀山镇", "麻林瑶族乡"]
    assert Region.objects.get(name="麻林瑶族乡").kind == Region.Kind.ETHNIC_TOWNSHIP
    jinshi = Region.objects.get(code="430528100")
    assert (jinshi.parent, jinshi.path) == (county, "/430528/430528100/")
    villages = {r.code: (r.name, r.kind, r.parent.code) for r in Region.objects.filter(level="village")}
    assert len(villages) == 10
    assert villages["430528100001"] == ("锦秀社区", Region.Kind.COMMUNITY, "430528100")
    assert villages["430528100201"] == ("大河冲村", Region.Kind.VILLAGE, "430528100")
    assert villages["430528101001"] == ("水庙社区", Region.Kind.COMMUNITY, "430528101")


def test_importing_the_same_file_twice_changes_nothing(db):
    _setup()
    versions = Region.history.count()
    result = services.regions_import(county_code="430528", content=XINNING.read_bytes())
    assert (result.created, result.updated, result.deactivated, result.unchanged) == (0, 0, 0, 15)
    assert Region.history.count() == versions
    assert Region.objects.count() == 15


def test_renamed_places_are_updated_and_vanished_ones_kept_inactive(db, tmp_path):
    _setup()
    lian = Region.objects.get(code="430528100202")
    chating = Region.objects.get(code="430528102201")
    unit = HandlingUnit.objects.create(name="茶亭村卫生室", region=chating)
    changed = (
        XINNING.read_text(encoding="utf-8")
        .replace("莲村村委会", "莲花村委会")
        .replace("430528102201,220,茶亭村委会\n", "")
    )
    (tmp_path / "new.csv").write_text(changed, encoding="utf-8")

    result = services.regions_import(county_code="430528", content=(tmp_path / "new.csv").read_bytes())

    assert (result.created, result.updated, result.deactivated) == (0, 2, 1)  # renamed; 茶亭 gone; 水溪 moved up
    lian.refresh_from_db()
    chating.refresh_from_db()
    assert lian.name == "莲花村" and Region.objects.filter(name__startswith="莲").count() == 1
    assert chating.is_active is False
    assert HandlingUnit.objects.get(pk=unit.pk).region == chating

    services.regions_import(county_code="430528", content=XINNING.read_bytes())
    chating.refresh_from_db()
    assert chating.is_active is True


def test_a_file_with_errors_saves_nothing_and_names_every_bad_line(db, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "统计用区划代码,城乡分类代码,名称\n430528000000,,新宁县\n43052810,,金石镇\n430528101000,,水庙镇\nabc,,x\n"
    )
    with pytest.raises(CommandError) as error:
        _setup(file=bad)
    assert "第 3 行" in str(error.value) and "第 5 行" in str(error.value)
    assert not Region.objects.exists()


def test_a_place_whose_township_is_missing_saves_nothing(db, tmp_path):
    orphan = tmp_path / "orphan.csv"
    orphan.write_text("code,name\n430528100000,金石镇\n430528999201,无主村村委会\n", encoding="utf-8")
    with pytest.raises(CommandError, match="上级区域不在文件中"):
        _setup(file=orphan)
    assert not Region.objects.exists()


def test_the_county_alone_comes_from_the_package(db):
    _setup("430529", file=None)
    county = Region.objects.get(code="430529")
    assert (county.name, county.kind) == ("城步苗族自治县", Region.Kind.AUTONOMOUS_COUNTY)
    assert Region.objects.count() == 1


def test_an_unknown_county_code_is_refused(db):
    with pytest.raises(CommandError, match="没有找到区划代码为 999999"):
        _setup("999999", file=None)


def test_a_province_file_sets_up_only_the_county_asked_for(db, tmp_path):
    province = tmp_path / "hunan.csv"
    other = "430529000000,,城步苗族自治县\n430529100000,,儒林镇\n"
    province.write_text(XINNING.read_text(encoding="utf-8") + other, encoding="utf-8")
    _setup(file=province)
    assert not Region.objects.filter(code__startswith="430529").exists()
    assert Region.objects.count() == 15


def test_the_bureaus_files_in_gbk_are_read(db, tmp_path):
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(XINNING.read_text(encoding="utf-8").encode("gbk"))
    _setup(file=gbk)
    assert Region.objects.get(code="430528100").name == "金石镇"


# --- the admin page -------------------------------------------------------------------------


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", password=None)


def _post_import(client, code, path=XINNING):
    with path.open("rb") as upload:
        return client.post(reverse("admin:core_region_import"), {"code": code, "file": upload})


def test_a_superuser_imports_a_new_county_in_the_admin(client, superuser):
    client.force_login(superuser)
    response = _post_import(client, "430528")
    assert response.status_code == 302 and response.url.endswith("?county=430528")
    assert Region.objects.filter(path__startswith="/430528/").count() == 15


def test_the_admin_import_shows_every_error_and_saves_nothing(client, superuser, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name\n4305281,金石镇\n430528101000,\n", encoding="utf-8")
    client.force_login(superuser)
    response = _post_import(client, "430528", bad)
    assert response.status_code == 200
    assert "第 2 行" in response.text and "第 3 行" in response.text
    assert not Region.objects.exists()


def test_committee_staff_refresh_their_county_but_add_no_other(client, db):
    county = CountyFactory(code="430528", name="新宁县")
    staff = services.user_create(username="xn", password=None, role=User.Role.COMMITTEE, regions=[county])
    client.force_login(staff)
    assert _post_import(client, "430528").status_code == 302
    assert Region.objects.filter(level="township", parent=county).count() == 4
    assert _post_import(client, "430529").status_code == 403
    assert not Region.objects.filter(code="430529").exists()


def test_township_staff_cannot_import_their_county(client, staff_a):
    client.force_login(staff_a)
    assert _post_import(client, "430529").status_code == 403
