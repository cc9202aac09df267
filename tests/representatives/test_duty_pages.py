"""The duty-record pages: the representative's own, staff's per representative, the self-report
pages, the activity admin and the year's evaluation page; scope, permission and query counts."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.representatives import services
from apps.representatives.models import DutyActivity, Evaluation
from apps.training.models import Retraining
from tests.factories import RepresentativeFactory
from tests.representatives.conftest import YEAR, add_activities, add_proposals, add_shifts

Review = DutyActivity.Review
RECORD = reverse("representatives:duty_record")


def admin_record(rep):
    return reverse("admin:representatives_representative_duty_record", args=[rep.pk])


# --- the representative's own record -----------------------------------------------------------------


def test_the_representative_sees_points_grade_and_every_section(
    login, representative_user, rep_a, duty_rules, office_a, session
):
    add_activities(rep_a, 2)
    add_activities(rep_a, 1, status=Review.PENDING, kind="survey")
    add_shifts(rep_a, office_a, 1)
    response = login(representative_user).get(RECORD, {"year": YEAR})
    assert response.status_code == 200
    record = response.context["record"]
    assert record.year == YEAR and record.total == 8 and record.grade == "incompetent"
    body = response.content.decode()
    assert "自报履职" in body and "联系群众" in body and "代表建议" in body
    assert "待确认" in body and "不称职" in body


def test_the_record_defaults_to_this_year_and_ignores_years_outside_the_term(login, representative_user):
    client = login(representative_user)
    this_year = date.today().year
    assert client.get(RECORD).context["record"].year == this_year
    assert client.get(RECORD, {"year": "1990"}).context["record"].year == this_year
    assert client.get(RECORD, {"year": "x"}).context["record"].year == this_year
    assert YEAR in client.get(RECORD).context["years"]


@pytest.mark.parametrize(
    ("who", "status"), [("staff_a", 403), ("unit_staff", 403), ("committee_staff", 403), (None, 302)]
)
def test_only_representatives_have_a_record_page(db, login, who, status, request):
    user = request.getfixturevalue(who) if who else None
    assert login(user).get(RECORD).status_code == status


def test_the_landing_page_shows_this_years_points_and_links_the_record(login, representative_user, rep_a):
    add_activities(rep_a, 1, on=date.today())
    response = login(representative_user).get(reverse("representatives:mine"))
    assert response.status_code == 200
    assert response.context["points"].total > 0
    assert RECORD in response.content.decode()


# --- self-report pages ---------------------------------------------------------------------------------


def test_a_representative_reports_an_activity_in_the_portal(login, representative_user, rep_a):
    client = login(representative_user)
    assert client.get(reverse("representatives:activity_new")).status_code == 200
    data = {"kind": "voters", "date": f"{YEAR}-06-01", "place": "白云村", "description": "走访选民十户"}
    response = client.post(reverse("representatives:activity_new"), data)
    assert response.status_code == 302 and response.url == reverse("representatives:activities")
    activity = DutyActivity.objects.get()
    assert (activity.representative, activity.kind, activity.review_status) == (rep_a, "voters", Review.PENDING)
    listing = client.get(reverse("representatives:activities")).content.decode()
    assert "走访选民十户" in listing and "待确认" in listing


def test_a_bad_report_shows_the_form_again_and_saves_nothing(login, representative_user):
    client = login(representative_user)
    data = {"kind": "voters", "date": "2999-01-01", "place": "", "description": "x"}
    response = client.post(reverse("representatives:activity_new"), data)
    assert response.status_code == 400 and "请填写履职地点" in response.content.decode()
    response = client.post(reverse("representatives:activity_new"), {**data, "place": "白云村"})
    assert response.status_code == 400 and "履职日期不能晚于今天" in response.content.decode()
    assert not DutyActivity.objects.exists()


def test_pending_activities_are_edited_and_deleted_reviewed_ones_are_not(login, representative_user, rep_a, staff_a):
    pending, reviewed = add_activities(rep_a, 2, status=Review.PENDING)
    services.duty_activity_review(activity=reviewed, by=staff_a, confirm=True)
    client = login(representative_user)
    data = {"kind": "survey", "date": f"{YEAR}-07-01", "place": "金紫乡", "description": "调研"}
    assert client.post(reverse("representatives:activity_edit", args=[pending.pk]), data).status_code == 302
    pending.refresh_from_db()
    assert pending.place == "金紫乡"
    client.post(reverse("representatives:activity_edit", args=[reviewed.pk]), data)
    client.post(reverse("representatives:activity_delete", args=[reviewed.pk]))
    reviewed.refresh_from_db()
    assert reviewed.place == "儒林镇" and reviewed.review_status == Review.CONFIRMED
    assert client.post(reverse("representatives:activity_delete", args=[pending.pk])).status_code == 302
    assert list(DutyActivity.objects.all()) == [reviewed]


def test_another_representatives_activity_is_404(login, representative_user, rep_b):
    (theirs,) = add_activities(rep_b, 1, status=Review.PENDING)
    client = login(representative_user)
    assert client.get(reverse("representatives:activity_edit", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("representatives:activity_delete", args=[theirs.pk])).status_code == 404
    assert DutyActivity.objects.filter(pk=theirs.pk).exists()


# --- staff's record page -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("committee_staff", 200),
        ("staff_a", 200),
        ("liaison_a", 200),
        ("staff_b", 404),
        ("unit_staff", 302),
        ("representative_user", 302),
        (None, 302),
    ],
)
def test_staff_see_the_records_of_their_scope_only(login, rep_a, who, status, request):
    user = request.getfixturevalue(who) if who else None
    response = login(user).get(admin_record(rep_a), {"year": YEAR})
    assert response.status_code == status
    if status == 200:
        assert response.context["record"].representative == rep_a


def test_the_change_page_and_the_list_link_to_the_record(login, staff_a, rep_a):
    client = login(staff_a)
    change = client.get(reverse("admin:representatives_representative_change", args=[rep_a.pk]))
    assert admin_record(rep_a) in change.content.decode()
    listing = client.get(reverse("admin:representatives_representative_changelist"))
    assert admin_record(rep_a) in listing.content.decode()


# --- activity admin ------------------------------------------------------------------------------------

ACTIVITIES = reverse("admin:representatives_dutyactivity_changelist")


def test_township_staff_list_and_confirm_their_townships_activities(login, staff_a, rep_a, rep_b):
    mine = add_activities(rep_a, 2, status=Review.PENDING)
    add_activities(rep_b, 1, status=Review.PENDING)
    client = login(staff_a)
    listing = client.get(ACTIVITIES, {"review_status__exact": "pending"})
    assert {a.pk for a in listing.context["cl"].result_list} == {a.pk for a in mine}
    response = client.post(
        ACTIVITIES, {"action": "confirm_activities", "_selected_action": [a.pk for a in mine]}, follow=True
    )
    assert "已确认2条履职记录" in response.content.decode()
    assert set(DutyActivity.objects.filter(representative=rep_a).values_list("review_status", flat=True)) == {
        Review.CONFIRMED
    }


def test_staff_cannot_open_activities_outside_their_township(login, staff_b, rep_a):
    (activity,) = add_activities(rep_a, 1, status=Review.PENDING)
    url = reverse("admin:representatives_dutyactivity_change", args=[activity.pk])
    assert login(staff_b).get(url).status_code == 404


def test_rejecting_asks_for_a_reason_first(login, staff_a, rep_a):
    (activity,) = add_activities(rep_a, 1, status=Review.PENDING)
    client = login(staff_a)
    form = client.post(ACTIVITIES, {"action": "reject_activities", "_selected_action": [activity.pk]})
    assert form.status_code == 200 and "不通过的理由" in form.content.decode()
    reject = {"action": "reject_activities", "_selected_action": [activity.pk], "apply": "1"}
    client.post(ACTIVITIES, {**reject, "note": ""})
    activity.refresh_from_db()
    assert activity.review_status == Review.PENDING
    client.post(ACTIVITIES, {**reject, "note": "无佐证"})
    activity.refresh_from_db()
    assert (activity.review_status, activity.review_note) == (Review.REJECTED, "无佐证")


def test_liaison_staff_read_activities_but_cannot_confirm(login, liaison_a, rep_a):
    (activity,) = add_activities(rep_a, 1, status=Review.PENDING)
    client = login(liaison_a)
    assert client.get(ACTIVITIES).status_code == 200
    client.post(ACTIVITIES, {"action": "confirm_activities", "_selected_action": [activity.pk]})
    activity.refresh_from_db()
    assert activity.review_status == Review.PENDING


# --- voter ratings admin -------------------------------------------------------------------------------


def test_staff_record_a_voter_rating_through_the_admin(login, staff_a, rep_a):
    data = {
        "representative": rep_a.pk,
        "year": YEAR,
        "held_on": f"{YEAR}-12-01",
        "satisfied": 30,
        "basic": 10,
        "dissatisfied": 10,
        "note": "",
    }
    response = login(staff_a).post(reverse("admin:representatives_voterrating_add"), data)
    assert response.status_code == 302
    assert rep_a.voter_ratings.get().percent == 80.0


def test_staff_cannot_rate_a_representative_of_another_township(login, staff_b, rep_a):
    data = {"representative": rep_a.pk, "year": YEAR, "held_on": f"{YEAR}-12-01", "satisfied": 1, "basic": 0}
    data["dissatisfied"] = 0
    response = login(staff_b).post(reverse("admin:representatives_voterrating_add"), data)
    assert response.status_code == 200  # the form again, with the error
    assert not rep_a.voter_ratings.exists()


# --- the year's evaluation -----------------------------------------------------------------------------

ANNUAL = reverse("admin:representatives_evaluation_annual")


@pytest.fixture
def graded(duty_rules, rep_a, rep_b, township_a, county_term, staff_a):
    """In township A: rep_a excellent, `weak` incompetent, `middling` competent."""
    weak = RepresentativeFactory(name="赵六", township=township_a, term=county_term)
    middling = RepresentativeFactory(name="钱七", township=township_a, term=county_term)
    add_activities(rep_a, 7)
    add_activities(middling, 4)
    add_activities(rep_b, 7)
    services.voter_rating_record(
        representative=rep_a, year=YEAR, held_on=date(YEAR, 12, 1), satisfied=9, basic=0, dissatisfied=1, by=staff_a
    )
    return {"excellent": rep_a, "incompetent": weak, "competent": middling}


def test_the_evaluation_page_proposes_commendation_and_retraining_lists(login, staff_a, graded, rep_b):
    response = login(staff_a).get(ANNUAL, {"year": YEAR})
    assert response.status_code == 200
    commend = [r.representative for r in response.context["commend"].object_list]
    retrain = [r.representative for r in response.context["retrain"].object_list]
    assert commend == [graded["excellent"]] and retrain == [graded["incompetent"]]
    assert rep_b not in commend  # outside staff_a's township
    assert response.context["total"] == 3


def test_staff_confirm_the_ticked_representatives(login, staff_a, graded):
    weak, best = graded["incompetent"], graded["excellent"]
    client = login(staff_a)
    response = client.post(f"{ANNUAL}?year={YEAR}", {"commend": [best.pk], "retrain": [weak.pk], "note": "年度考评"})
    assert response.status_code == 302
    assert Evaluation.objects.get(representative=best).outcome == "commend"
    assert Evaluation.objects.get(representative=weak, status="confirmed").outcome == "retrain"
    assert Retraining.objects.get().representative == weak
    page = client.get(ANNUAL, {"year": YEAR})
    assert all(r.is_confirmed for r in page.context["retrain"].object_list)


def test_a_representative_not_on_the_list_cannot_be_confirmed_from_it(login, staff_a, graded, rep_b):
    client = login(staff_a)
    response = client.post(f"{ANNUAL}?year={YEAR}", {"commend": [graded["competent"].pk, rep_b.pk]})
    assert response.status_code == 200 and not Evaluation.objects.exists()


def test_one_refusal_confirms_nobody(login, staff_a, graded):
    from apps.training import services as training

    weak = graded["incompetent"]
    training.retraining_assign(representative=weak, reason="上一年度", by=staff_a)
    response = login(staff_a).post(
        f"{ANNUAL}?year={YEAR}", {"commend": [graded["excellent"].pk], "retrain": [weak.pk]}, follow=True
    )
    assert "没有任何改动" in response.content.decode()
    assert not Evaluation.objects.exists()


def test_liaison_staff_see_the_lists_but_cannot_confirm(login, liaison_a, graded):
    client = login(liaison_a)
    assert client.get(ANNUAL, {"year": YEAR}).status_code == 200
    assert client.post(f"{ANNUAL}?year={YEAR}", {"commend": [graded["excellent"].pk]}).status_code == 403
    assert not Evaluation.objects.exists()


def test_the_evaluation_table_exports_to_xlsx(login, staff_a, graded):
    from io import BytesIO

    import openpyxl

    response = login(staff_a).get(reverse("admin:representatives_evaluation_annual_export"), {"year": YEAR})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(BytesIO(response.content)).active
    names = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert names == {"杨秀英", "赵六", "钱七"}


# --- query counts --------------------------------------------------------------------------------------


def _grow(rep, office, session, n, *, first_day=0):
    add_activities(rep, n)
    add_activities(rep, n, status=Review.PENDING, kind="survey")
    add_shifts(rep, office, min(n, 300), start=date(YEAR, 1, 1) + timedelta(days=first_day))
    add_proposals(rep, session, n)


def _same_cost(client, url, params, grow, django_assert_max_num_queries):
    client.get(url, params)  # warm the per-process caches
    with CaptureQueriesContext(connection) as small:
        assert client.get(url, params).status_code == 200
    grow()
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url, params)
    assert response.status_code == 200
    return response


def test_the_record_page_costs_the_same_with_5_or_500_records(
    login, representative_user, rep_a, office_a, session, django_assert_max_num_queries
):
    _grow(rep_a, office_a, session, 5)
    response = _same_cost(
        login(representative_user),
        RECORD,
        {"year": YEAR},
        lambda: _grow(rep_a, office_a, session, 495, first_day=5),
        django_assert_max_num_queries,
    )
    assert len({s.key: e for s, e in response.context["record"].sections}["self"]) == 1000


def test_staffs_record_page_costs_the_same_with_5_or_500_records(
    login, staff_a, rep_a, office_a, session, django_assert_max_num_queries
):
    _grow(rep_a, office_a, session, 5)
    _same_cost(
        login(staff_a),
        admin_record(rep_a),
        {"year": YEAR},
        lambda: _grow(rep_a, office_a, session, 495, first_day=5),
        django_assert_max_num_queries,
    )


def test_the_evaluation_page_costs_the_same_for_5_or_100_representatives(
    login, committee_staff, township_a, county_term, duty_rules, django_assert_max_num_queries
):
    def reps(n):
        for _ in range(n):
            rep = RepresentativeFactory(township=township_a, term=county_term)
            add_activities(rep, 1 if _ % 2 else 7)

    reps(5)
    response = _same_cost(
        login(committee_staff), ANNUAL, {"year": YEAR}, lambda: reps(95), django_assert_max_num_queries
    )
    assert response.context["total"] == 100


def _proposed(rep) -> Evaluation:
    """A proposed (unconfirmed) evaluation, as the demo data has them."""
    return Evaluation.objects.create(representative=rep, year=YEAR, points=12, grade="competent")


@pytest.mark.parametrize(
    "url",
    [
        "admin:representatives_dutyactivity_changelist",
        "admin:representatives_voterrating_changelist",
        "admin:representatives_evaluation_changelist",
        "admin:representatives_voterrating_add",
    ],
)
@pytest.mark.parametrize(("who", "status"), [("committee_staff", 200), ("staff_a", 200), ("unit_staff", 302)])
def test_the_duty_admin_pages_open_for_staff_only(login, graded, staff_a, url, who, status, request):
    _proposed(graded["competent"])
    response = login(request.getfixturevalue(who)).get(reverse(url))
    assert response.status_code == status


def test_an_evaluation_opens_read_only_in_its_township_only(login, graded, staff_a, staff_b):
    evaluation = _proposed(graded["competent"])
    url = reverse("admin:representatives_evaluation_change", args=[evaluation.pk])
    page = login(staff_a).get(url)
    assert page.status_code == 200 and "钱七" in page.content.decode()
    assert login(staff_b).get(url).status_code == 404
