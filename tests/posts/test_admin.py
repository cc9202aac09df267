"""The posts back office: scope and roles, the pages that call the services (what they refuse
changes nothing), reviewing logs, the count per township, and page cost."""

import datetime
import io

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.notifications.models import Notification
from apps.posts import services
from apps.posts.models import DutyPost, PostAssignment, PostLog, PostRole
from tests.images import decoded_format
from tests.posts.conftest import JPEG, START
from tests.posts.factories import DutyPostFactory, PostLogFactory

D = datetime.date


def admin(name, *args):
    return reverse(f"admin:posts_{name}", args=args)


def _messages(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def _act(client, model, action, objects, **data):
    return client.post(
        admin(f"{model}_changelist"), {"action": action, "_selected_action": [o.pk for o in objects], **data}
    )


@pytest.fixture
def all_personas(personas, liaison_a):
    return {**personas, "liaison_a": liaison_a}


@pytest.fixture
def photo_log(assignment_a, representative_user):
    return services.post_log_create(
        assignment=assignment_a,
        date=D(2022, 3, 2),
        content="巡查",
        photos=[SimpleUploadedFile("a.jpg", JPEG)],
        by=representative_user,
    )


# --- who may open what ------------------------------------------------------------------------

LISTS = ["postrole_changelist", "dutypost_changelist", "postassignment_changelist", "postlog_changelist"]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("committee", 200), ("staff_a", 200), ("staff_b", 200), ("liaison_a", 200), ("representative", 302)],
)
@pytest.mark.parametrize("page", [*LISTS, "dutypost_counts"])
def test_staff_roles_open_the_lists(login, all_personas, persona, expected, page, assignment_a):
    assert login(all_personas[persona]).get(admin(page)).status_code == expected


@pytest.mark.parametrize("page", [*LISTS, "dutypost_counts"])
def test_anonymous_and_unit_staff_get_no_admin_page(login, all_personas, page):
    assert login(None).get(admin(page)).status_code == 302
    assert login(all_personas["unit"]).get(admin(page)).status_code in (302, 403)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("committee", 200), ("staff_a", 200), ("liaison_a", 200), ("staff_b", 404)],
)
def test_objects_of_township_a_open_only_in_scope(login, all_personas, persona, expected, photo_log, post_a):
    client = login(all_personas[persona])
    assignment = photo_log.assignment
    photo = photo_log.photos.get()
    for target in [
        admin("dutypost_change", post_a.pk),
        admin("postassignment_change", assignment.pk),
        admin("postlog_change", photo_log.pk),
        admin("postlog_photo", photo_log.pk, photo.pk),
        admin("dutypost_history", post_a.pk),
    ]:
        assert client.get(target).status_code == expected, target


def test_lists_show_only_the_townships_in_scope(login, staff_b, assignment_a, assignment_b, log_a):
    client = login(staff_b)
    for page, hidden, shown in [
        ("dutypost_changelist", "儒林镇矛盾纠纷调解岗", "茅坪镇生态环境巡查岗"),
        ("postassignment_changelist", "杨秀英", "蓝春花"),
    ]:
        text = client.get(admin(page)).content.decode()
        assert hidden not in text and shown in text
    assert list(client.get(admin("postlog_changelist")).context["cl"].result_list) == []


def test_the_photo_is_served_to_staff_with_safe_headers(login, staff_a, photo_log):
    photo = photo_log.photos.get()
    response = login(staff_a).get(admin("postlog_photo", photo_log.pk, photo.pk))
    assert response["Content-Type"] == "image/jpeg"
    assert "sandbox" in response["Content-Security-Policy"]
    assert decoded_format(b"".join(response.streaming_content)) == "JPEG"  # re-encoded when stored


# --- roles ------------------------------------------------------------------------------------


def test_only_committee_staff_change_the_role_list(login, committee_staff, staff_a, role):
    data = {"name": "网格员", "description": "", "sort_order": 9, "is_active": "on"}
    assert login(staff_a).post(admin("postrole_add"), data).status_code == 403
    assert login(staff_a).get(admin("postrole_change", role.pk)).status_code == 200  # view only
    assert login(committee_staff).post(admin("postrole_add"), data).status_code == 302
    assert PostRole.objects.filter(name="网格员").exists()


# --- posts ------------------------------------------------------------------------------------


def _post_data(township, role, **extra):
    data = {"title": "新设宣传岗", "role": role.pk, "field": "policy", "township": township.pk}
    data |= {"programme": "双培三联四岗", "capacity": 2, "description": "", "is_active": "on"}
    data |= {"assignments-TOTAL_FORMS": 0, "assignments-INITIAL_FORMS": 0}
    return {**data, **extra}


def test_township_staff_add_posts_of_their_township_only(login, staff_a, township_a, township_b, role):
    client = login(staff_a)
    response = client.post(admin("dutypost_add"), _post_data(township_b, role))
    assert response.status_code == 200  # the form again, with the error
    assert not DutyPost.objects.exists()
    response = client.post(admin("dutypost_add"), _post_data(township_a, role))
    assert response.status_code == 302
    assert DutyPost.objects.get().township == township_a


def test_a_post_cannot_shrink_below_its_holders(login, staff_a, assignment_a, post_a, neighbour, role):
    services.post_assign(post=post_a, representative=neighbour, started_on=START, by=staff_a)
    data = _post_data(post_a.township, role, title=post_a.title, capacity=1)
    data |= {"assignments-TOTAL_FORMS": 2, "assignments-INITIAL_FORMS": 2}
    response = login(staff_a).post(admin("dutypost_change", post_a.pk), data)
    assert response.status_code == 200
    assert "目前有2位代表在岗，定员不能少于2" in response.content.decode()
    assert DutyPost.objects.get(pk=post_a.pk).capacity == 2


def test_a_post_the_service_refuses_keeps_the_input_and_saves_nothing(login, staff_a, township_a, role):
    # Switched off with no closing date, the service closes it today: before its set-up date.
    data = _post_data(township_a, role, title="待设的宣传岗", set_up_on="2099-01-01")
    del data["is_active"]
    response = login(staff_a).post(admin("dutypost_add"), data)
    assert response.status_code == 200
    assert "撤岗日期不能早于设岗日期" in str(response.context["adminform"].form.errors)
    assert 'value="待设的宣传岗"' in response.content.decode()
    assert not DutyPost.objects.exists()


def test_liaison_staff_cannot_add_posts(login, liaison_a, township_a, role):
    assert login(liaison_a).post(admin("dutypost_add"), _post_data(township_a, role)).status_code == 403


# --- assignments ------------------------------------------------------------------------------


def test_staff_assign_through_the_service(login, staff_a, post_a, rep_a):
    client = login(staff_a)
    assert client.get(admin("postassignment_add") + f"?post={post_a.pk}").status_code == 200
    response = client.post(
        admin("postassignment_add"), {"post": post_a.pk, "representative": rep_a.pk, "started_on": "2022-01-10"}
    )
    assert response.status_code == 302
    assert PostAssignment.objects.get().assigned_by == staff_a


def test_a_refused_assignment_shows_the_reason_and_saves_nothing(login, committee_staff, post_a, rep_b):
    response = login(committee_staff).post(
        admin("postassignment_add"), {"post": post_a.pk, "representative": rep_b.pk, "started_on": "2022-01-10"}
    )
    assert response.status_code == 200
    assert "蓝春花是茅坪镇的代表" in response.content.decode()
    assert not PostAssignment.objects.exists()


def test_staff_b_cannot_choose_a_post_or_representative_of_township_a(login, staff_b, post_a, rep_a):
    response = login(staff_b).post(
        admin("postassignment_add"), {"post": post_a.pk, "representative": rep_a.pk, "started_on": "2022-01-10"}
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"post", "representative"}
    assert not PostAssignment.objects.exists()


def test_liaison_staff_cannot_assign(login, liaison_a, post_a):
    assert login(liaison_a).get(admin("postassignment_add")).status_code == 403


def test_unassign_asks_for_the_date_then_calls_the_service(login, staff_a, assignment_a):
    client = login(staff_a)
    page = _act(client, "postassignment", "unassign", [assignment_a])
    assert page.status_code == 200 and "离岗日期" in page.content.decode()
    response = _act(client, "postassignment", "unassign", [assignment_a], apply="1", ended_on="2022-06-30")
    assert response.status_code == 302
    assignment_a.refresh_from_db()
    assert assignment_a.ended_on == D(2022, 6, 30)


def test_unassign_refused_for_one_changes_none(login, staff_a, assignment_a, post_a, neighbour):
    other = services.post_assign(post=post_a, representative=neighbour, started_on=START, by=staff_a)
    services.post_unassign(assignment=other, ended_on=D(2022, 2, 1), by=staff_a)
    response = _act(
        login(staff_a), "postassignment", "unassign", [assignment_a, other], apply="1", ended_on="2022-06-30"
    )
    assert response.status_code == 302
    assert "操作未执行，没有任何改动" in _messages(response)
    assignment_a.refresh_from_db()
    assert assignment_a.ended_on is None


# --- logs -------------------------------------------------------------------------------------


def test_the_pending_filter_lists_what_waits_for_review(login, staff_a, log_a, assignment_a):
    PostLogFactory(assignment=assignment_a, review_status="confirmed")
    response = login(staff_a).get(admin("postlog_changelist") + "?review_status__exact=pending")
    assert list(response.context["cl"].result_list) == [log_a]


def test_staff_confirm_logs_and_the_representative_is_told(login, staff_a, log_a, representative_user):
    response = _act(login(staff_a), "postlog", "confirm_logs", [log_a])
    assert response.status_code == 302
    log_a.refresh_from_db()
    assert log_a.review_status == PostLog.Review.CONFIRMED
    assert Notification.objects.get().recipient == representative_user


def test_rejecting_asks_for_a_reason(login, staff_a, log_a):
    client = login(staff_a)
    page = _act(client, "postlog", "reject_logs", [log_a], apply="1", note="")
    assert page.status_code == 200
    assert "请填写不通过的理由" in page.content.decode()
    assert PostLog.objects.get().review_status == "pending"
    _act(client, "postlog", "reject_logs", [log_a], apply="1", note="日期有误")
    log_a.refresh_from_db()
    assert (log_a.review_status, log_a.review_note) == ("rejected", "日期有误")


def test_a_batch_with_one_reviewed_log_confirms_none(login, staff_a, log_a, assignment_a):
    done = PostLogFactory(assignment=assignment_a, review_status="confirmed")
    response = _act(login(staff_a), "postlog", "confirm_logs", [log_a, done])
    assert "操作未执行，没有任何改动" in _messages(response)
    assert PostLog.objects.get(pk=log_a.pk).review_status == "pending"


@pytest.mark.parametrize("persona", ["liaison_a", "staff_b"])
def test_others_cannot_review(login, all_personas, persona, log_a):
    _act(login(all_personas[persona]), "postlog", "confirm_logs", [log_a])
    assert PostLog.objects.get(pk=log_a.pk).review_status == "pending"


def test_the_change_page_offers_the_review_buttons_to_reviewers_only(login, staff_a, liaison_a, log_a):
    assert "确认" in str(login(staff_a).get(admin("postlog_change", log_a.pk)).context["workflow_buttons"])
    assert login(liaison_a).get(admin("postlog_change", log_a.pk)).context["workflow_buttons"] == []


def test_staff_enter_a_log_for_a_representative(login, staff_a, assignment_a):
    client = login(staff_a)
    assert client.get(admin("postlog_add")).status_code == 200
    response = client.post(
        admin("postlog_add"),
        {"assignment": assignment_a.pk, "date": "2022-04-01", "content": "纸质记录录入", "photos": []},
    )
    assert response.status_code == 302
    log = PostLog.objects.get()
    assert (log.created_by, log.review_status) == (staff_a, "pending")


# --- counting ---------------------------------------------------------------------------------


def test_the_count_page_and_its_export(login, committee_staff, assignment_a, assignment_b):
    client = login(committee_staff)
    response = client.get(admin("dutypost_counts") + "?as_of=2022-06-30")
    rows = response.context["rows"]
    assert [(r.township.name if r.township else "合计", r.posts, r.filled, r.holders) for r in rows] == [
        ("儒林镇", 1, 1, 1),
        ("茅坪镇", 1, 1, 1),
        ("合计", 2, 2, 2),
    ]
    export = client.get(admin("dutypost_counts_export") + "?as_of=2022-06-30")
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    assert [c.value for c in sheet[1]][:4] == ["乡镇", "岗位数", "定员", "已安排岗位"]
    assert [c.value for c in sheet[4]][:2] == ["合计", 2]


def test_liaison_staff_see_the_counts_but_do_not_export(login, liaison_a, assignment_a):
    client = login(liaison_a)
    assert client.get(admin("dutypost_counts")).status_code == 200
    assert client.get(admin("dutypost_counts_export")).status_code == 403


# --- page cost --------------------------------------------------------------------------------


def _fill(township, rep_factory, n):
    for i in range(n):
        post = DutyPostFactory(township=township, title=f"岗{i}")
        PostLogFactory(assignment__post=post, assignment__representative=rep_factory())


@pytest.mark.parametrize("n", [2, 30])
@pytest.mark.parametrize("page", [*LISTS, "dutypost_counts"])
def test_admin_pages_take_fixed_queries(
    n, page, login, committee_staff, township_a, county_term, django_assert_max_num_queries
):
    from tests.factories import RepresentativeFactory

    _fill(township_a, lambda: RepresentativeFactory(township=township_a, term=county_term), n)
    client = login(committee_staff)
    client.get(admin(page))  # warm the session and the content types
    with django_assert_max_num_queries(16):
        assert client.get(admin(page)).status_code == 200


@pytest.mark.parametrize(("persona", "expected"), [("staff_a", ["儒林镇矛盾纠纷调解岗"]), ("staff_b", [])])
def test_the_assign_page_offers_posts_in_scope_only(login, all_personas, persona, expected, post_a):
    query = {"app_label": "posts", "model_name": "postassignment", "field_name": "post", "term": "儒林"}
    response = login(all_personas[persona]).get(reverse("admin:autocomplete"), query)
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == expected
