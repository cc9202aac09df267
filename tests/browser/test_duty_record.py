"""A representative logs a duty in the portal, township staff confirm it in the admin, and the
representative's points and grade change on their record page — in real Chromium."""

import pytest

from apps.representatives.models import DutyActivity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shown_points(page) -> tuple[str, str]:
    return page.inner_text("#points-total").strip(), page.inner_text("#grade").strip()


def test_a_logged_activity_counts_once_staff_confirm_it(
    live_server, settings, log_in, rep_a, representative_user, staff_a
):
    # One confirmed visit to voters is enough to move the grade from the floor to the top.
    settings.RENDA_DUTY = {
        **settings.RENDA_DUTY,
        "POINTS": {**settings.RENDA_DUTY["POINTS"], "activity_voters": 10},
        "GRADES": [("excellent", 10), ("competent", 5), ("incompetent", 0)],
    }
    url = live_server.url

    rep = log_in(representative_user)
    rep.goto(url + "/representatives/mine/record/")
    assert shown_points(rep) == ("0", "不称职")

    rep.get_by_role("link", name="填报履职记录").first.click()
    rep.wait_for_load_state()
    rep.get_by_label("类别").select_option("voters")
    rep.get_by_label("地点").fill("白云村")
    rep.get_by_label("履职内容").fill("走访白云村选民十二户，收集村道维修意见。")
    rep.get_by_role("button", name="提交").click()
    rep.wait_for_url("**/representatives/mine/activities/")
    assert "待确认" in rep.inner_text("#activities")
    rep.goto(url + "/representatives/mine/record/")
    assert shown_points(rep) == ("0", "不称职")  # not before staff confirm it

    staff = log_in(staff_a)
    staff.goto(url + "/admin/representatives/dutyactivity/?review_status__exact=pending")
    staff.get_by_role("link", name="杨秀英").click()
    staff.wait_for_load_state()
    assert "走访白云村选民十二户" in staff.content()
    staff.get_by_role("button", name="确认", exact=True).click()
    staff.wait_for_load_state()
    assert "已确认1条履职记录" in staff.content()
    assert DutyActivity.objects.get().review_status == DutyActivity.Review.CONFIRMED

    rep.goto(url + "/representatives/mine/record/")
    assert shown_points(rep) == ("10", "优秀")
    assert "已确认" in rep.inner_text("#entries-self")
    assert rep.csp_errors == [] and staff.csp_errors == []
