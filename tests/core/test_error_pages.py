"""The error pages: Chinese, under the site's layout, with a way home and to the user's landing page."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import server_error


def assert_error_page(response, status: int, heading: str, *, way_back: str = "landing"):
    assert response.status_code == status
    text = response.content.decode()
    assert heading in text and 'class="site-header"' in text
    assert f'href="{reverse(way_back)}"' in text and f'href="{reverse("home")}"' in text
    assert "Not Found" not in text and "Forbidden" not in text


@pytest.mark.parametrize("who", ["committee", "staff_a", "unit", "representative"])
def test_a_missing_page_answers_in_chinese_with_the_way_back(login, personas, who):
    response = login(personas[who]).get("/no-such-page/")

    assert_error_page(response, 404, "页面不存在")


def test_anonymous_visitors_are_offered_to_log_in_on_a_missing_page(client, db):
    assert_error_page(client.get("/no-such-page/"), 404, "页面不存在", way_back="login")


def test_a_forbidden_page_answers_in_chinese(login, representative_user):
    response = login(representative_user).get(reverse("export_jobs"))  # the back office's exports

    assert_error_page(response, 403, "没有权限")


def test_a_bad_request_answers_in_chinese(client, db):
    response = client.get(reverse("home"), HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert "请求有误" in response.content.decode()


def test_the_server_error_page_needs_no_database(db, django_assert_num_queries):
    request = RequestFactory().get("/")
    with django_assert_num_queries(0):
        response = server_error(request)

    assert response.status_code == 500
    text = response.content.decode()
    assert "系统出错" in text and f'href="{reverse("landing")}"' in text and f'href="{reverse("home")}"' in text


def test_liaison_staff_are_not_offered_to_mark_lecture_attendance(login, liaison_a, township_a):
    from tests.training.factories import HallFactory, InstructorFactory, LectureFactory

    lecture = LectureFactory(instructor=InstructorFactory(hall=HallFactory(region=township_a)))

    text = login(liaison_a).get(reverse("admin:training_lecture_changelist")).text
    assert lecture.topic in text
    assert reverse("admin:training_lecture_attendance", args=[lecture.pk]) not in text
