"""A county other than Chengbu set up from its division code and a folder of spreadsheets (units,
terms, sessions, offices, roster) through the admin's import pages, with no code of its own; then
a representative submits a proposal and a citizen a concern in it. Importing the same files twice
changes nothing; a file with errors saves nothing and shows every error."""

import io
from pathlib import Path

import pytest
from django.urls import reverse

from apps.core import services
from apps.core.models import CongressSession, CongressTerm, HandlingUnit, Region, User
from apps.liaison import services as liaison_services
from apps.liaison.models import LiaisonOffice
from apps.posts.models import PostRole
from apps.proposals.models import Proposal
from apps.representatives.models import Representative
from apps.training.models import Instructor, LectureHall

DATA = Path(__file__).parent / "data"
FOLDER = DATA / "xinning"
# (file, the admin whose import reads it), in the order a county goes live
IMPORTS = [
    ("units.csv", "core_handlingunit"),
    ("terms.csv", "core_congressterm"),
    ("sessions.csv", "core_congresssession"),
    ("offices.csv", "liaison_liaisonoffice"),
    ("halls.csv", "training_lecturehall"),
    ("instructors.csv", "training_instructor"),
    ("post_roles.csv", "posts_postrole"),
    ("accounts.csv", "core_user"),
    ("roster.csv", "representatives_representative"),
]
VERSIONED = [
    HandlingUnit,
    CongressTerm,
    CongressSession,
    LiaisonOffice,
    LectureHall,
    Instructor,
    PostRole,
    Representative,
    User,
]


@pytest.fixture
def xinning(db):
    services.regions_import(county_code="430528", content=(DATA / "xinning_divisions.csv").read_bytes())
    return Region.objects.get(code="430528")


@pytest.fixture
def xinning_staff(xinning):
    return services.user_create(username="xinning", password=None, role=User.Role.COMMITTEE, regions=[xinning])


def _preview(client, admin_name, content, name):
    upload = io.BytesIO(content)
    upload.name = name
    return client.post(reverse(f"admin:{admin_name}_import"), {"import_file": upload})


def _import(client, file_name, admin_name):
    preview = _preview(client, admin_name, (FOLDER / file_name).read_bytes(), file_name)
    report = preview.context["report"]
    assert report is not None and report.ok, [(p.line, p.column, p.message) for p in report.problems]
    confirmed = client.post(reverse(f"admin:{admin_name}_process_import"), {"token": preview.context["token"]})
    assert confirmed.status_code == 302
    return report


def _import_folder(client):
    return {name: _import(client, name, admin_name) for name, admin_name in IMPORTS}


def test_a_county_goes_live_from_its_code_and_a_folder_of_spreadsheets(
    client, xinning, xinning_staff, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(xinning_staff)
    with django_capture_on_commit_callbacks(execute=True):
        reports = _import_folder(client)

    assert {n: r.new for n, r in reports.items()} == {
        "units.csv": 4,
        "terms.csv": 2,
        "sessions.csv": 2,
        "offices.csv": 2,
        "halls.csv": 2,
        "instructors.csv": 2,
        "post_roles.csv": 2,
        "accounts.csv": 3,
        "roster.csv": 2,
    }
    assert HandlingUnit.objects.get(name="新宁县交通运输局").category == HandlingUnit.Category.GOVERNMENT
    assert HandlingUnit.objects.get(name="金石镇人民政府").region.name == "金石镇"
    session = CongressSession.objects.get(term__region=xinning, number=1)
    assert (str(session.opened_on), str(session.closed_on)) == ("2022-01-05", "2022-01-08")
    station = LiaisonOffice.objects.get(name="锦秀社区联络站")
    assert (station.level, station.parent.name) == ("station", "金石镇人大代表联系群众工作室")
    assert station.phone == "13812345678"
    township_staff = User.objects.get(username="xn_jinshi")
    assert (township_staff.role, township_staff.is_staff, township_staff.has_usable_password()) == (
        "township",
        True,
        False,
    )
    assert list(township_staff.regions.values_list("name", flat=True)) == ["金石镇"]
    assert User.objects.get(username="xn_edu").handling_unit.name == "新宁县教育局"
    assert LectureHall.objects.get(name="新宁县人大代表讲堂").level == "county"
    assert Instructor.objects.get(name="陈芳").hall.name == "金石镇人大代表讲堂"
    assert sorted(m.to[0] for m in mailoutbox) == ["jinshi@example.gov.cn", "office@example.gov.cn"]

    # A representative of the new county submits a proposal in the portal ...
    rep = Representative.objects.get(name="刘德明")
    rep.user = services.user_create(username="liudeming", password=None, role=User.Role.REPRESENTATIVE)
    rep.save()
    client.force_login(rep.user)
    response = client.post(reverse("proposals:new"), _proposal(session, action="submit"))
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    assert (proposal.status, proposal.township.name, proposal.number) == ("submitted", "金石镇", 1)

    # ... and a citizen of one of its villages raises a concern, which goes to the township's office.
    village = Region.objects.get(code="430528100001")
    concern, created = liaison_services.concern_submit(region=village, category="roads", description="路灯坏了。")
    assert created and concern.office == station.parent


def test_importing_the_same_files_twice_changes_nothing(client, xinning, xinning_staff):
    client.force_login(xinning_staff)
    _import_folder(client)
    versions = [model.history.count() for model in VERSIONED]
    for name, admin_name in IMPORTS:
        report = _preview(client, admin_name, (FOLDER / name).read_bytes(), name).context["report"]
        if name != "roster.csv":  # the roster adds a row without 编号 each time: it has no natural key
            assert (report.new, report.changed, report.problems) == (0, 0, []), name
    assert [model.history.count() for model in VERSIONED] == versions


def test_a_file_with_errors_saves_nothing_and_shows_every_error(client, xinning, xinning_staff):
    client.force_login(xinning_staff)
    content = (
        "单位名称,类别,所属区域,联系电话\n"
        "新宁县林业局,政府部门,新宁县,0739-4822009\n"
        "新宁县水利局,政府机关,新宁县,\n"
        "新宁县审计局,政府部门,新宁具,12345\n"
    ).encode()
    response = _preview(client, "core_handlingunit", content, "units.csv")
    report = response.context["report"]
    problems = {(p.line, p.column) for p in report.problems}
    assert {(3, "类别"), (4, "联系电话")} <= problems
    assert any(p.line == 4 and "新宁具" in p.message for p in report.problems)
    assert not response.context["token"]
    assert "第 3 行" in response.text or "3" in response.text
    assert not HandlingUnit.objects.exists()


def test_a_session_of_a_term_not_yet_imported_is_refused(client, xinning, xinning_staff):
    client.force_login(xinning_staff)
    response = _preview(client, "core_congresssession", (FOLDER / "sessions.csv").read_bytes(), "sessions.csv")
    messages = " ".join(p.message for p in response.context["report"].problems)
    assert "没有第18届人民代表大会" in messages
    assert not CongressSession.objects.exists()


def test_a_neighbouring_countys_staff_cannot_import_into_it(client, xinning, committee_staff):
    client.force_login(committee_staff)  # Chengbu's
    response = _preview(client, "core_handlingunit", (FOLDER / "units.csv").read_bytes(), "units.csv")
    report = response.context["report"]
    assert report.problems and not HandlingUnit.objects.exists()
    assert "不在您的管辖范围内" in " ".join(p.message for p in report.problems)


def test_the_templates_of_the_reference_imports_download(client, xinning_staff):
    client.force_login(xinning_staff)
    for _name, admin_name in IMPORTS:
        response = client.get(reverse(f"admin:{admin_name}_import_template"))
        assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")


def _proposal(session, **extra):
    return {
        "session": session.pk,
        "period": "session",
        "title": "关于修缮金石镇中心小学的建议",
        "content": "校舍年久失修。",
        "category": "education",
        "publication": "full",
        "formation": "visit",
        "wants_contact": "on",
        **extra,
    }


def test_an_imported_account_chooses_its_password_through_its_one_time_link(
    client, xinning, xinning_staff, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(xinning_staff)
    _import(client, "units.csv", "core_handlingunit")
    with django_capture_on_commit_callbacks(execute=True):
        _import(client, "accounts.csv", "core_user")
    link = next(m for m in mailoutbox if m.to == ["jinshi@example.gov.cn"]).body.split("：")[-1].strip()
    client.logout()
    form = client.get(link, follow=True)
    assert form.context["validlink"]
    password = "jinshi-town-2026-secret"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": password, "new_password2": password})
    assert done.status_code == 302
    assert User.objects.get(username="xn_jinshi").check_password(password)
    assert not client.get(link, follow=True).context["validlink"]  # used once


def test_accounts_without_the_scope_their_role_needs_are_refused(client, xinning, xinning_staff):
    client.force_login(xinning_staff)
    content = (
        "用户名,姓名,角色,管辖区域,所在承办单位\nxn_a,张三,乡镇人大工作人员,,\nxn_b,李四,承办单位工作人员,,\n".encode()
    )
    report = _preview(client, "core_user", content, "accounts.csv").context["report"]
    assert {p.line for p in report.problems} == {2, 3}
    assert not User.objects.filter(username__startswith="xn_").exists()
