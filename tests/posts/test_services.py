"""The services refuse what the rules forbid, say why, and leave nothing half-saved."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.notifications.models import Notification
from apps.posts import services
from apps.posts.models import DutyPost, PostAssignment, PostLog, PostLogPhoto
from apps.representatives.choices import Status
from tests.posts.conftest import JPEG, PNG, START

D = datetime.date


def messages(error) -> str:
    return " ".join(error.value.messages)


# --- assigning --------------------------------------------------------------------------------


def test_staff_put_a_serving_representative_of_the_township_on_a_post(post_a, rep_a, staff_a):
    assignment = services.post_assign(post=post_a, representative=rep_a, started_on=START, by=staff_a)
    assert (assignment.post, assignment.representative, assignment.started_on) == (post_a, rep_a, START)
    assert assignment.ended_on is None
    assert assignment.assigned_by == staff_a


def test_a_representative_who_left_office_is_refused(post_a, rep_a, staff_a):
    rep_a.status, rep_a.status_changed_on = Status.RESIGNED, D(2022, 2, 1)
    rep_a.save()
    with pytest.raises(services.PostError) as error:
        services.post_assign(post=post_a, representative=rep_a, started_on=START, by=staff_a)
    assert "杨秀英目前不是在任代表" in messages(error)
    assert not PostAssignment.objects.exists()


def test_a_representative_of_another_township_is_refused(post_a, rep_b, committee_staff):
    with pytest.raises(services.PostError) as error:
        services.post_assign(post=post_a, representative=rep_b, started_on=START, by=committee_staff)
    assert "蓝春花是茅坪镇的代表" in messages(error)
    assert "只能安排本乡镇的代表" in messages(error)
    assert not PostAssignment.objects.exists()


def test_a_county_representative_may_hold_a_post_of_the_township_they_live_in(post_a, rep_a, committee_staff):
    assert rep_a.level == "county"
    services.post_assign(post=post_a, representative=rep_a, started_on=START, by=committee_staff)
    assert PostAssignment.objects.count() == 1


def test_a_full_post_is_refused_on_that_date(post_a, rep_a, neighbour, staff_a, township_a, county_term):
    post_a.capacity = 1
    post_a.save()
    services.post_assign(post=post_a, representative=rep_a, started_on=START, by=staff_a)
    with pytest.raises(services.PostError) as error:
        services.post_assign(post=post_a, representative=neighbour, started_on=D(2022, 5, 1), by=staff_a)
    assert "岗位“儒林镇矛盾纠纷调解岗”在2022-05-01已满员（定员1人）" in messages(error)
    assert PostAssignment.objects.count() == 1


def test_a_place_freed_by_a_departure_can_be_taken_after_it(post_a, rep_a, neighbour, staff_a):
    post_a.capacity = 1
    post_a.save()
    first = services.post_assign(post=post_a, representative=rep_a, started_on=START, by=staff_a)
    services.post_unassign(assignment=first, ended_on=D(2022, 4, 30), by=staff_a)
    services.post_assign(post=post_a, representative=neighbour, started_on=D(2022, 5, 1), by=staff_a)
    with pytest.raises(services.PostError):
        # Before the departure the post was still full.
        services.post_assign(post=post_a, representative=neighbour, started_on=D(2022, 4, 1), by=staff_a)


def test_an_earlier_start_is_refused_when_the_post_fills_up_later(post_a, rep_a, neighbour, staff_a):
    """An open-ended assignment from March would make two holders in June on a post for one."""
    post_a.capacity = 1
    post_a.save()
    services.post_assign(post=post_a, representative=rep_a, started_on=D(2022, 6, 1), by=staff_a)
    with pytest.raises(services.PostError) as error:
        services.post_assign(post=post_a, representative=neighbour, started_on=D(2022, 3, 1), by=staff_a)
    assert "在2022-06-01已满员" in messages(error)


def test_the_same_representative_twice_on_one_post_at_once_is_refused(assignment_a, post_a, rep_a, staff_a):
    with pytest.raises(services.PostError) as error:
        services.post_assign(post=post_a, representative=rep_a, started_on=D(2022, 6, 1), by=staff_a)
    assert "杨秀英在2022-06-01已在岗位“儒林镇矛盾纠纷调解岗”上，不能重复安排" in messages(error)
    assert PostAssignment.objects.count() == 1


def test_the_same_representative_may_return_after_leaving(assignment_a, post_a, rep_a, staff_a):
    services.post_unassign(assignment=assignment_a, ended_on=D(2022, 3, 31), by=staff_a)
    services.post_assign(post=post_a, representative=rep_a, started_on=D(2022, 9, 1), by=staff_a)
    assert PostAssignment.objects.filter(representative=rep_a).count() == 2


def test_an_inactive_post_takes_nobody(post_a, rep_a, staff_a):
    post_a.is_active = False
    post_a.save()
    with pytest.raises(services.PostError) as error:
        services.post_assign(post=post_a, representative=rep_a, started_on=START, by=staff_a)
    assert "已停用" in messages(error)


@pytest.mark.parametrize("persona", ["staff_b", "unit", "representative"])
def test_only_staff_responsible_for_the_township_assign(personas, persona, post_a, rep_a):
    with pytest.raises(PermissionDenied):
        services.post_assign(post=post_a, representative=rep_a, started_on=START, by=personas[persona])
    assert not PostAssignment.objects.exists()


def test_liaison_staff_only_look(liaison_a, post_a, rep_a):
    with pytest.raises(PermissionDenied):
        services.post_assign(post=post_a, representative=rep_a, started_on=START, by=liaison_a)


# --- leaving ----------------------------------------------------------------------------------


def test_unassign_records_the_last_day_and_who(assignment_a, staff_a):
    services.post_unassign(assignment=assignment_a, ended_on=D(2022, 12, 31), by=staff_a)
    assignment_a.refresh_from_db()
    assert (assignment_a.ended_on, assignment_a.ended_by) == (D(2022, 12, 31), staff_a)


def test_unassign_refuses_twice_a_date_before_the_start_and_one_before_a_log(assignment_a, log_a, staff_a):
    with pytest.raises(services.PostError) as error:
        services.post_unassign(assignment=assignment_a, ended_on=D(2021, 12, 31), by=staff_a)
    assert "离岗日期不能早于上岗日期（2022-01-10）" in messages(error)
    with pytest.raises(services.PostError) as error:
        services.post_unassign(assignment=assignment_a, ended_on=D(2022, 2, 1), by=staff_a)
    assert "已有2022-03-01的工作记录" in messages(error)
    services.post_unassign(assignment=assignment_a, ended_on=D(2022, 3, 1), by=staff_a)
    with pytest.raises(services.PostError) as error:
        services.post_unassign(assignment=assignment_a, ended_on=D(2022, 4, 1), by=staff_a)
    assert "已于2022-03-01离岗" in messages(error)
    assignment_a.refresh_from_db()
    assert assignment_a.ended_on == D(2022, 3, 1)


def test_staff_of_another_township_cannot_end_an_assignment(assignment_a, staff_b):
    with pytest.raises(PermissionDenied):
        services.post_unassign(assignment=assignment_a, ended_on=D(2022, 6, 1), by=staff_b)


# --- posts ------------------------------------------------------------------------------------


def test_capacity_cannot_drop_below_the_holders(assignment_a, post_a, neighbour, staff_a):
    services.post_assign(post=post_a, representative=neighbour, started_on=START, by=staff_a)
    post_a.capacity = 1
    with pytest.raises(ValidationError) as error:
        services.duty_post_save(post=post_a, by=staff_a)
    assert "目前有2位代表在岗，定员不能少于2" in messages(error)
    assert DutyPost.objects.get(pk=post_a.pk).capacity == 2


def test_township_staff_keep_posts_of_their_township_only(post_a, township_b, staff_a, staff_b, role):
    post = DutyPost(title="新岗位", role=role, field="policy", township=township_b)
    with pytest.raises(services.PostError) as error:
        services.duty_post_save(post=post, by=staff_a)
    assert "茅坪镇不在您的管辖范围内" in messages(error)
    assert not DutyPost.objects.filter(title="新岗位").exists()
    post_a.title = "改名"
    with pytest.raises(PermissionDenied):
        services.duty_post_save(post=post_a, by=staff_b)
    assert DutyPost.objects.get(pk=post_a.pk).title == "儒林镇矛盾纠纷调解岗"


def test_a_village_must_belong_to_the_township(township_a, township_b, staff_a, role):
    from tests.factories import VillageFactory

    post = DutyPost(
        title="岗", role=role, field="policy", township=township_a, village=VillageFactory(parent=township_b)
    )
    with pytest.raises(ValidationError) as error:
        services.duty_post_save(post=post, by=staff_a)
    assert "所选村（社区）不属于所在乡镇" in messages(error)


# --- logs -------------------------------------------------------------------------------------


def test_the_holder_logs_work_with_photos_under_random_names(assignment_a, representative_user):
    photos = [SimpleUploadedFile("张三家门口.jpg", JPEG), SimpleUploadedFile("b.png", PNG)]
    log = services.post_log_create(
        assignment=assignment_a, date=D(2022, 3, 1), content=" 调解纠纷 ", photos=photos, by=representative_user
    )
    assert (log.content, log.review_status, log.created_by) == ("调解纠纷", "pending", representative_user)
    names = sorted(p.image.name for p in log.photos.all())
    assert len(names) == 2
    assert not any("张三" in name for name in names)
    assert {name.rsplit(".", 1)[1] for name in names} == {"jpg", "png"}


def test_staff_of_the_township_may_log_for_the_holder(assignment_a, staff_a):
    log = services.post_log_create(assignment=assignment_a, date=D(2022, 3, 1), content="代填", by=staff_a)
    assert log.created_by == staff_a
    assert log.review_status == PostLog.Review.PENDING


@pytest.mark.parametrize("who", ["rep_b_user", "staff_b", "liaison_a", "unit_staff"])
def test_nobody_else_logs_at_the_post(request, assignment_a, who):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.post_log_create(assignment=assignment_a, date=D(2022, 3, 1), content="冒名", by=user)
    assert not PostLog.objects.exists()


@time_machine.travel(datetime.datetime(2022, 6, 15, 10, tzinfo=datetime.UTC))
def test_a_log_must_be_dated_in_the_assignment_and_not_in_the_future(assignment_a, representative_user, staff_a):
    cases = [
        (D(2022, 6, 16), "日期不能晚于今天"),
        (D(2022, 1, 9), "日期须在在岗期间（2022-01-10至今天）"),
    ]
    for day, message in cases:
        with pytest.raises(services.PostError) as error:
            services.post_log_create(assignment=assignment_a, date=day, content="x", by=representative_user)
        assert message in messages(error)
    services.post_unassign(assignment=assignment_a, ended_on=D(2022, 5, 31), by=staff_a)
    with pytest.raises(services.PostError) as error:
        services.post_log_create(assignment=assignment_a, date=D(2022, 6, 1), content="x", by=representative_user)
    assert "日期须在在岗期间（2022-01-10至2022-05-31）" in messages(error)
    assert not PostLog.objects.exists()


def test_an_empty_log_is_refused(assignment_a, representative_user):
    with pytest.raises(services.PostError) as error:
        services.post_log_create(assignment=assignment_a, date=D(2022, 3, 1), content="  ", by=representative_user)
    assert error.value.message_dict == {"content": ["请填写做了什么工作。"]}


def test_bad_photos_are_refused_each_with_its_reason_and_nothing_is_saved(assignment_a, representative_user, settings):
    settings.RENDA_POSTS = {**settings.RENDA_POSTS, "PHOTO_MAX_BYTES": 100}
    photos = [
        SimpleUploadedFile("big.jpg", JPEG + b"\x00" * 200),
        SimpleUploadedFile("virus.jpg", b"MZ\x90\x00 not a picture"),
        SimpleUploadedFile("pic.webp", b"RIFF\x00\x00\x00\x00WEBPVP8 "),
    ]
    with pytest.raises(services.PostError) as error:
        services.post_log_create(
            assignment=assignment_a, date=D(2022, 3, 1), content="x", photos=photos, by=representative_user
        )
    assert error.value.message_dict["photos"] == [
        "照片“big.jpg”超过1 KB，请压缩后再上传。",
        "“virus.jpg”不是JPG或PNG格式的照片。",
        "“pic.webp”不是JPG或PNG格式的照片。",
    ]
    assert not PostLog.objects.exists()
    assert not PostLogPhoto.objects.exists()


def test_too_many_photos_are_refused(assignment_a, representative_user, log_a):
    photos = [SimpleUploadedFile(f"{i}.jpg", JPEG) for i in range(4)]
    with pytest.raises(services.PostError) as error:
        services.post_log_create(
            assignment=assignment_a, date=D(2022, 3, 1), content="x", photos=photos, by=representative_user
        )
    assert "每条工作记录最多3张照片，现在有4张" in messages(error)
    services.post_log_update(log=log_a, date=log_a.date, content="x", add_photos=photos[:3], by=representative_user)
    with pytest.raises(services.PostError):
        services.post_log_update(
            log=log_a, date=log_a.date, content="y", add_photos=[photos[3]], by=representative_user
        )
    log_a.refresh_from_db()
    assert log_a.content == "x"
    assert log_a.photos.count() == 3


def test_the_author_edits_and_removes_photos_while_pending(log_a, representative_user):
    services.post_log_update(
        log=log_a, date=log_a.date, content="改", add_photos=[SimpleUploadedFile("a.jpg", JPEG)], by=representative_user
    )
    photo = log_a.photos.get()
    services.post_log_update(
        log=log_a, date=D(2022, 3, 2), content="再改", remove_photo_ids=[photo.pk], by=representative_user
    )
    log_a.refresh_from_db()
    assert (log_a.date, log_a.content, log_a.photos.count()) == (D(2022, 3, 2), "再改", 0)


def test_only_the_author_edits_or_deletes(log_a, staff_a):
    with pytest.raises(PermissionDenied):
        services.post_log_update(log=log_a, date=log_a.date, content="改", by=staff_a)
    with pytest.raises(PermissionDenied):
        services.post_log_delete(log=log_a, by=staff_a)
    assert PostLog.objects.get().content == "调解两户宅基地纠纷。"


def test_a_reviewed_log_can_no_longer_be_changed(log_a, representative_user, staff_a):
    services.post_log_review(log=log_a, by=staff_a, confirm=True)
    with pytest.raises(services.PostError) as error:
        services.post_log_update(log=log_a, date=log_a.date, content="改", by=representative_user)
    assert "已审核（已确认），不能再修改或删除" in messages(error)
    with pytest.raises(services.PostError):
        services.post_log_delete(log=log_a, by=representative_user)
    assert PostLog.objects.filter(pk=log_a.pk).exists()


def test_the_author_deletes_a_pending_log_with_its_photos(
    assignment_a, representative_user, django_capture_on_commit_callbacks
):
    log = services.post_log_create(
        assignment=assignment_a,
        date=D(2022, 3, 1),
        content="x",
        photos=[SimpleUploadedFile("a.jpg", JPEG)],
        by=representative_user,
    )
    photo = log.photos.get()
    storage = photo.image.storage
    assert storage.exists(photo.image.name)
    with django_capture_on_commit_callbacks(execute=True):
        services.post_log_delete(log=log, by=representative_user)
    assert not PostLog.objects.exists()
    assert not storage.exists(photo.image.name)


# --- reviews ----------------------------------------------------------------------------------


def test_confirming_tells_the_representative_in_the_inbox(log_a, staff_a, representative_user):
    services.post_log_review(log=log_a, by=staff_a, confirm=True)
    log_a.refresh_from_db()
    assert (log_a.review_status, log_a.reviewed_by) == ("confirmed", staff_a)
    note = Notification.objects.get()
    assert (note.recipient, note.channel, note.rule) == (representative_user, "inbox", "posts.log_reviewed")
    assert "2022-03-01" in note.subject and "已确认" in note.subject


def test_rejecting_needs_a_reason_which_the_representative_reads(log_a, staff_a):
    with pytest.raises(services.PostError) as error:
        services.post_log_review(log=log_a, by=staff_a, confirm=False, note=" ")
    assert "不通过时请填写理由" in messages(error)
    assert not Notification.objects.exists()
    services.post_log_review(log=log_a, by=staff_a, confirm=False, note="照片与内容不符")
    assert "未通过：照片与内容不符" in Notification.objects.get().subject


def test_a_log_is_reviewed_once(log_a, staff_a, committee_staff):
    services.post_log_review(log=log_a, by=staff_a, confirm=True)
    with pytest.raises(services.PostError) as error:
        services.post_log_review(log=log_a, by=committee_staff, confirm=False, note="再审")
    assert "该记录已审核（已确认），不能重复审核" in messages(error)
    log_a.refresh_from_db()
    assert log_a.reviewed_by == staff_a


@pytest.mark.parametrize("who", ["staff_b", "liaison_a", "representative_user", "unit_staff"])
def test_only_staff_responsible_for_the_township_review(request, log_a, who):
    with pytest.raises(PermissionDenied):
        services.post_log_review(log=log_a, by=request.getfixturevalue(who), confirm=True)
    log_a.refresh_from_db()
    assert log_a.review_status == "pending"
