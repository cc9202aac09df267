"""A representative's status changes only through representative_status_change, which records
when and why; the roster's change page shows the status but does not edit it."""

from datetime import date, timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.representatives import services
from apps.representatives.choices import Status
from apps.representatives.models import StatusChange

LEFT_ON = date(2022, 6, 1)


def _change(rep, by, **kwargs):
    values = {"status": Status.RESIGNED, "on": LEFT_ON, "reason": "因工作调动辞去代表职务"} | kwargs
    return services.representative_status_change(representative=rep, by=by, **values)


def test_a_resignation_changes_the_status_and_records_why(rep_a, staff_a):
    rep = _change(rep_a, staff_a)
    rep.refresh_from_db()
    assert (rep.status, rep.status_changed_on) == (Status.RESIGNED, LEFT_ON)
    change = StatusChange.objects.get()
    assert (change.old_status, change.new_status, change.changed_on) == (Status.SERVING, Status.RESIGNED, LEFT_ON)
    assert change.reason == "因工作调动辞去代表职务" and change.recorded_by == staff_a
    assert rep.history.first().history_change_reason == "因工作调动辞去代表职务"


def test_restoring_a_representative_clears_the_date_of_leaving(rep_a, staff_a):
    _change(rep_a, staff_a)
    rep = _change(rep_a, staff_a, status=Status.SERVING, on=date(2022, 6, 2), reason="误登记，恢复在任")
    rep.refresh_from_db()
    assert (rep.status, rep.status_changed_on) == (Status.SERVING, None)
    assert list(StatusChange.objects.values_list("new_status", flat=True)) == [Status.SERVING, Status.RESIGNED]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"status": Status.SERVING}, "目前已是"),
        ({"reason": "  "}, "请写明"),
        ({"on": None}, "不能晚于今天"),
        ({"status": "dead"}, "请选择"),
    ],
)
def test_a_refused_change_records_nothing(rep_a, staff_a, kwargs, message):
    if kwargs.get("on", LEFT_ON) is None:
        kwargs["on"] = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError, match=message):
        _change(rep_a, staff_a, **kwargs)
    rep_a.refresh_from_db()
    assert rep_a.status == Status.SERVING and not StatusChange.objects.exists()


@pytest.mark.parametrize("who", ["staff_b", "liaison_a", "representative_user"])
def test_only_staff_in_scope_change_a_status(rep_a, who, request):
    with pytest.raises(PermissionDenied):
        _change(rep_a, request.getfixturevalue(who))
    assert not StatusChange.objects.exists()


# --- the admin ------------------------------------------------------------------------------------


def _changelist():
    return reverse("admin:representatives_representative_changelist")


def _action(rep, **form):
    data = {"action": "change_status", "_selected_action": [rep.pk]}
    if form:
        data |= {"apply": "1", "status": Status.RESIGNED, "on": "2022-06-01", "reason": "辞职"} | form
    return data


def test_the_change_page_shows_the_status_but_does_not_save_it(login, committee_staff, rep_a):
    url = reverse("admin:representatives_representative_change", args=[rep_a.pk])
    page = login(committee_staff).get(url)
    assert "status" not in page.context["adminform"].form.fields
    assert "变更状态" in page.content.decode()  # the button that opens the service's form


def test_the_action_asks_for_the_reason_then_calls_the_service(login, committee_staff, rep_a):
    client = login(committee_staff)
    form_page = client.post(_changelist(), _action(rep_a))
    assert form_page.status_code == 200 and "变更原因" in form_page.content.decode()
    client.post(_changelist(), _action(rep_a, reason="经县人大常委会接受辞职"))
    rep_a.refresh_from_db()
    assert rep_a.status == Status.RESIGNED
    record = client.get(reverse("admin:representatives_representative_duty_record", args=[rep_a.pk]))
    assert "经县人大常委会接受辞职" in record.content.decode()


def test_a_refused_action_says_why_and_changes_nothing(login, committee_staff, rep_a):
    response = login(committee_staff).post(_changelist(), _action(rep_a, status=Status.SERVING))
    assert "目前已是" in " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert not StatusChange.objects.exists()


def test_reverting_to_a_version_from_before_a_resignation_keeps_the_recorded_status(login, committee_staff, rep_a):
    rep_a.occupation = "教师"
    rep_a.save()
    before = rep_a.history.latest().history_id
    _change(rep_a, committee_staff)
    url = reverse("admin:representatives_representative_simple_history", args=[rep_a.pk, before])
    client = login(committee_staff)
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name in form.fields}
    data.update({"township": rep_a.township_id, "term": rep_a.term_id})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    rep_a.refresh_from_db()
    assert (rep_a.status, rep_a.status_changed_on) == (Status.RESIGNED, LEFT_ON)
    assert rep_a.occupation == "教师"
