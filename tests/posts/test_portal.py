"""The representative's post pages: their own posts and logs only; uploads checked; fixed queries."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.posts import services
from apps.posts.models import PostLog
from tests.images import decoded_format
from tests.posts.conftest import JPEG, PNG
from tests.posts.factories import DutyPostFactory, PostLogFactory

D = datetime.date


def url(name, *args):
    return reverse(f"posts:{name}", args=args)


def _photo_log(assignment, user):
    return services.post_log_create(
        assignment=assignment,
        date=D(2022, 3, 2),
        content="巡查",
        photos=[SimpleUploadedFile("a.jpg", JPEG)],
        by=user,
    )


@pytest.fixture
def targets(assignment_a, log_a, representative_user):
    photo_log = _photo_log(assignment_a, representative_user)
    photo = photo_log.photos.get()
    return [
        ("get", url("mine")),
        ("get", url("log_new", assignment_a.pk)),
        ("get", url("log_edit", log_a.pk)),
        ("post", url("log_delete", log_a.pk)),
        ("get", url("log_photo", photo_log.pk, photo.pk)),
    ]


def test_anonymous_visitors_are_sent_to_login(client, targets):
    for method, target in targets:
        response = getattr(client, method)(target)
        assert response.status_code == 302, target
        assert reverse("login") in response.url


@pytest.mark.parametrize("persona", ["committee", "staff_a", "staff_b", "unit"])
def test_accounts_without_a_representative_get_403(login, personas, persona, targets):
    client = login(personas[persona])
    for method, target in targets:
        assert getattr(client, method)(target).status_code == 403, target
    assert PostLog.objects.count() == 2


def test_another_representative_gets_404_for_everything_of_mine(login, rep_b_user, targets):
    client = login(rep_b_user)
    assert client.get(url("mine")).status_code == 200
    for method, target in targets[1:]:
        assert getattr(client, method)(target).status_code == 404, target
    assert PostLog.objects.count() == 2


def test_the_holder_sees_current_posts_with_logs_and_their_state(login, representative_user, log_a, staff_a):
    services.post_log_review(log=log_a, by=staff_a, confirm=False, note="请补充照片")
    response = login(representative_user).get(url("mine"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "儒林镇矛盾纠纷调解岗" in text
    assert "调解两户宅基地纠纷。" in text
    assert "未通过" in text and "请补充照片" in text
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_holder_logs_work_with_a_photo(login, representative_user, assignment_a):
    client = login(representative_user)
    assert client.get(url("log_new", assignment_a.pk)).status_code == 200
    response = client.post(
        url("log_new", assignment_a.pk),
        {"date": "2022-03-05", "content": "宣传森林防火", "photos": [SimpleUploadedFile("p.png", PNG)]},
    )
    assert response.status_code == 302
    log = PostLog.objects.get()
    assert (log.date, log.content, log.review_status, log.photos.count()) == (
        D(2022, 3, 5),
        "宣传森林防火",
        "pending",
        1,
    )


@pytest.mark.parametrize(
    ("photos", "message"),
    [
        ([SimpleUploadedFile("x.gif", b"GIF89a" + b"\x00" * 20)], "不是JPG或PNG格式的照片"),
        ([SimpleUploadedFile(f"{i}.jpg", JPEG) for i in range(4)], "每条工作记录最多3张照片"),
    ],
)
def test_bad_uploads_are_refused_on_the_form(login, representative_user, assignment_a, photos, message):
    response = login(representative_user).post(
        url("log_new", assignment_a.pk), {"date": "2022-03-05", "content": "宣传", "photos": photos}
    )
    assert response.status_code == 400
    assert message in str(response.context["form"].errors["photos"])
    assert "宣传" in response.content.decode()  # what was typed is kept
    assert not PostLog.objects.exists()


def test_a_too_big_photo_is_refused(login, representative_user, assignment_a, settings):
    settings.RENDA_POSTS = {**settings.RENDA_POSTS, "PHOTO_MAX_BYTES": 1024}
    big = SimpleUploadedFile("big.jpg", JPEG + b"\x00" * 2048)
    response = login(representative_user).post(
        url("log_new", assignment_a.pk), {"date": "2022-03-05", "content": "宣传", "photos": [big]}
    )
    assert response.status_code == 400
    assert "超过1 KB" in str(response.context["form"].errors["photos"])
    assert not PostLog.objects.exists()


def test_a_request_larger_than_every_photo_allowed_is_refused_before_reading(
    login, representative_user, assignment_a, settings
):
    settings.RENDA_POSTS = {**settings.RENDA_POSTS, "PHOTO_MAX_BYTES": 10, "PHOTO_MAX_COUNT": 1}
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10
    big = SimpleUploadedFile("big.jpg", JPEG + b"\x00" * 300 * 1024)
    response = login(representative_user).post(
        url("log_new", assignment_a.pk), {"date": "2022-03-05", "content": "宣传", "photos": [big]}
    )
    assert response.status_code == 413
    assert not PostLog.objects.exists()


def test_a_future_date_is_refused_on_the_form(login, representative_user, assignment_a):
    response = login(representative_user).post(url("log_new", assignment_a.pk), {"date": "2999-01-01", "content": "x"})
    assert response.status_code == 400
    assert response.context["form"].errors["date"] == ["日期不能晚于今天。"]


def test_the_author_edits_a_pending_log_and_removes_a_photo(login, representative_user, assignment_a):
    log = _photo_log(assignment_a, representative_user)
    photo = log.photos.get()
    client = login(representative_user)
    assert client.get(url("log_edit", log.pk)).status_code == 200
    response = client.post(
        url("log_edit", log.pk), {"date": "2022-03-03", "content": "改后的内容", "remove_photos": [photo.pk]}
    )
    assert response.status_code == 302
    log.refresh_from_db()
    assert (log.date, log.content, log.photos.count()) == (D(2022, 3, 3), "改后的内容", 0)


def test_a_confirmed_log_cannot_be_edited_or_deleted(login, representative_user, log_a, staff_a):
    services.post_log_review(log=log_a, by=staff_a, confirm=True)
    client = login(representative_user)
    response = client.get(url("log_edit", log_a.pk), follow=True)
    assert "已审核，不能再修改或删除" in response.content.decode()
    client.post(url("log_delete", log_a.pk))
    assert PostLog.objects.filter(pk=log_a.pk).exists()


def test_a_log_staff_entered_is_not_the_representatives_to_change(login, representative_user, assignment_a, staff_a):
    log = services.post_log_create(assignment=assignment_a, date=D(2022, 3, 1), content="代填", by=staff_a)
    client = login(representative_user)
    client.post(url("log_delete", log.pk))
    assert PostLog.objects.filter(pk=log.pk).exists()


def test_the_author_deletes_a_pending_log(login, representative_user, log_a):
    response = login(representative_user).post(url("log_delete", log_a.pk))
    assert response.status_code == 302
    assert not PostLog.objects.exists()


def test_photos_are_served_to_the_holder_with_safe_headers(login, representative_user, assignment_a):
    log = _photo_log(assignment_a, representative_user)
    photo = log.photos.get()
    response = login(representative_user).get(url("log_photo", log.pk, photo.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]
    assert decoded_format(b"".join(response.streaming_content)) == "JPEG"  # re-encoded when stored


def _logs(assignment, n):
    PostLogFactory.create_batch(n, assignment=assignment)


@pytest.mark.parametrize("n", [2, 40])
def test_my_posts_page_takes_fixed_queries(
    n, login, representative_user, rep_a, assignment_a, staff_a, django_assert_max_num_queries
):
    for i in range(3):
        post = DutyPostFactory(township=assignment_a.post.township, title=f"岗位{i}")
        other = services.post_assign(post=post, representative=rep_a, started_on=D(2022, 2, 1), by=staff_a)
        _logs(other, n)
    _logs(assignment_a, n)
    client = login(representative_user)
    with django_assert_max_num_queries(12):
        response = client.get(url("mine"))
    assert response.content.decode().count("待确认") >= 4 * n
