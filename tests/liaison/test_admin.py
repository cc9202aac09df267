"""The liaison back office: scope, masking of citizens' data, the actions through the services
(what the rules refuse changes nothing), exports, and page cost."""

from datetime import date, time, timedelta

import pytest
import tablib
import time_machine
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.core.models import AuditEvent
from apps.liaison import services
from apps.liaison.models import (
    Concern,
    DutyShift,
    Funding,
    LiaisonOffice,
    ReceptionDay,
    ReceptionRecord,
    ReceptionSchedule,
)
from apps.liaison.resources import ConcernResource
from tests.factories import RepresentativeFactory, SessionFactory
from tests.images import PNG

Status = Concern.Status
CHANGELIST = "admin:liaison_concern_changelist"
EXPORT = "admin:liaison_concern_export"


def _change(concern):
    return reverse("admin:liaison_concern_change", args=[concern.pk])


def _act(client, action, objects, url=CHANGELIST, **data):
    return client.post(reverse(url), {"action": action, "_selected_action": [o.pk for o in objects], **data})


def _messages(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def _result_rows(response) -> str:
    """The rows of the list (the headers' sorting links repeat the search term)."""
    content = response.content.decode()
    start = content.index("<tbody>", content.index('id="result_list"'))
    return content[start : content.index("</tbody>", start)]


def _status(concern) -> str:
    return Concern.objects.get(pk=concern.pk).status


def _without(user, codename):
    user.groups.first().permissions.remove(Permission.objects.get(codename=codename))


@pytest.fixture
def audit(db):
    """The rows of the audit log of one kind (apps.core.audit)."""
    return lambda kind, **filters: AuditEvent.objects.filter(kind=kind, **filters)


@pytest.fixture
def accepted(concern_a, staff_a):
    services.concern_accept(concern=concern_a, by=staff_a)
    concern_a.refresh_from_db()
    return concern_a


@pytest.fixture
def resolved(accepted, staff_a):
    services.concern_resolve(concern=accepted, answer="已修复", public_answer="村道已修复", by=staff_a)
    accepted.refresh_from_db()
    return accepted


@pytest.fixture
def session(county_term):
    return SessionFactory(term=county_term, number=1)


# --- who gets in, and what they see ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("committee", 200), ("staff_a", 200), ("unit", 302), ("representative", 302), ("anonymous", 302)],
)
def test_only_staff_reach_the_concern_list(login, personas, persona, expected):
    response = login(personas[persona]).get(reverse(CHANGELIST))
    assert response.status_code == expected


def test_township_staff_see_and_open_only_their_townships_concerns(login, staff_a, concern_a, concern_b):
    client = login(staff_a)
    response = client.get(reverse(CHANGELIST))
    assert {c.pk for c in response.context["cl"].result_list} == {concern_a.pk}
    assert concern_b.display_code not in response.content.decode()
    assert client.get(_change(concern_b)).status_code == 404
    assert client.get(_change(concern_a)).status_code == 200
    assert not client.get(reverse(CHANGELIST), {"q": concern_b.tracking_code}).context["cl"].result_list


def test_out_of_scope_concerns_cannot_be_acted_on(login, staff_a, concern_b):
    _act(login(staff_a), "accept_concerns", [concern_b])
    assert _status(concern_b) == Status.SUBMITTED


def test_liaison_staff_work_their_townships_concerns(login, liaison_a, concern_a, concern_b):
    client = login(liaison_a)
    assert {c.pk for c in client.get(reverse(CHANGELIST)).context["cl"].result_list} == {concern_a.pk}
    _act(client, "accept_concerns", [concern_a])
    assert _status(concern_a) == Status.ACCEPTED


def test_names_and_phones_are_masked_in_the_list_even_for_staff_who_may_see_them(login, committee_staff, concern_a):
    content = login(committee_staff).get(reverse(CHANGELIST)).content.decode()
    assert "王**" in content and "138****5678" in content
    assert "王大妈" not in content and "13812345678" not in content
    assert concern_a.display_code in content


def test_staff_who_may_see_personal_data_find_by_phone_and_see_it_masked(login, committee_staff, concern_a, concern_b):
    response = login(committee_staff).get(reverse(CHANGELIST), {"q": "13812345678"})
    assert [c.pk for c in response.context["cl"].result_list] == [concern_a.pk]
    results = _result_rows(response)
    # The search term itself comes back in the links (it is what the user typed); the cells stay masked.
    assert '<td class="field-masked_phone">138****5678</td>' in results and ">13812345678<" not in results


def test_staff_without_the_permission_cannot_search_by_name_or_phone(login, staff_a, concern_a):
    _without(staff_a, "view_concern_personal")
    client = login(staff_a)
    assert not client.get(reverse(CHANGELIST), {"q": "13812345678"}).context["cl"].result_list
    assert not client.get(reverse(CHANGELIST), {"q": "王大妈"}).context["cl"].result_list
    assert [c.pk for c in client.get(reverse(CHANGELIST), {"q": "塌方"}).context["cl"].result_list] == [concern_a.pk]


def test_a_tracking_code_is_found_as_printed(login, staff_a, concern_a):
    response = login(staff_a).get(reverse(CHANGELIST), {"q": concern_a.display_code.lower()})
    assert [c.pk for c in response.context["cl"].result_list] == [concern_a.pk]


def test_the_change_page_shows_personal_data_to_allowed_staff_and_logs_it(login, staff_a, concern_a, audit):
    content = login(staff_a).get(_change(concern_a)).content.decode()
    assert "王大妈" in content and "13812345678" in content
    assert audit("personal_view", actor=staff_a, target_id=str(concern_a.pk)).count() == 1


def test_the_change_page_masks_personal_data_for_other_staff_and_logs_nothing(login, staff_a, concern_a, audit):
    _without(staff_a, "view_concern_personal")
    content = login(staff_a).get(_change(concern_a)).content.decode()
    assert "王大妈" not in content and "13812345678" not in content
    assert "王**" in content and "138****5678" in content
    assert not audit("personal_view").exists()


def test_the_history_page_masks_personal_data_too(login, staff_a, concern_a):
    _without(staff_a, "view_concern_personal")
    record = concern_a.history.first()
    url = reverse("admin:liaison_concern_simple_history", args=[concern_a.pk, record.history_id])
    response = login(staff_a).get(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert "王**" in content and "王大妈" not in content and "13812345678" not in content


def test_an_old_version_shown_to_allowed_staff_is_logged(login, staff_a, concern_a, audit):
    record = concern_a.history.first()
    url = reverse("admin:liaison_concern_simple_history", args=[concern_a.pk, record.history_id])
    assert "13812345678" in login(staff_a).get(url).content.decode()
    assert audit("personal_view", actor=staff_a, target_id=str(concern_a.pk)).count() == 1


def test_the_change_page_is_read_only_with_the_buttons_of_the_state(login, staff_a, concern_a):
    client = login(staff_a)
    content = client.get(_change(concern_a)).content.decode()
    assert 'value="accept_concerns"' in content and 'value="refer_out_concerns"' in content
    assert 'value="close_concerns"' not in content
    assert 'name="_save"' not in content
    assert client.post(_change(concern_a), {"description": "改过"}).status_code == 403
    assert Concern.objects.get(pk=concern_a.pk).description == "村道塌方，影响出行。"


def test_the_change_page_shows_the_timeline_and_photos_as_links(login, staff_a, township_a, office_a, audit):
    photo = SimpleUploadedFile("p.png", PNG, content_type="image/png")
    concern, _ = services.concern_submit(region=township_a, category="roads", description="塌方", photos=[photo])
    client = login(staff_a)
    content = client.get(_change(concern)).content.decode()
    photo_url = reverse("admin:liaison_concern_photo", args=[concern.pk, concern.photos.get().pk])
    assert photo_url in content
    assert "办理记录（时间线）" in content and "提交" in content
    response = client.get(photo_url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert audit("download", target_id=str(concern.pk), detail__photo=concern.photos.get().pk).count() == 1


def test_photos_of_another_township_are_404(login, staff_b, township_a, office_a):
    photo = SimpleUploadedFile("p.png", PNG, content_type="image/png")
    concern, _ = services.concern_submit(region=township_a, category="roads", description="塌方", photos=[photo])
    url = reverse("admin:liaison_concern_photo", args=[concern.pk, concern.photos.get().pk])
    assert login(staff_b).get(url).status_code == 404


@pytest.mark.parametrize(
    ("steps", "buttons"),
    [
        ([], {"accept_concerns", "refer_out_concerns"}),
        (["accept"], {"route_concerns", "resolve_concerns", "to_proposal", "refer_out_concerns"}),
        (["accept", "resolve"], {"revisit_concerns", "close_concerns"}),
        (["accept", "resolve", "close"], set()),
    ],
)
def test_the_buttons_follow_the_state(login, staff_a, concern_a, steps, buttons):
    for step in steps:
        if step == "accept":
            services.concern_accept(concern=concern_a, by=staff_a)
        elif step == "resolve":
            services.concern_resolve(concern=concern_a, answer="答", public_answer="答", by=staff_a)
        else:
            services.concern_close(concern=concern_a, by=staff_a)
    content = login(staff_a).get(_change(concern_a)).content.decode()
    every = {"accept_concerns", "route_concerns", "resolve_concerns", "to_proposal", "refer_out_concerns"}
    every |= {"revisit_concerns", "close_concerns"}
    assert {b for b in every if f'name="action" value="{b}"' in content} == buttons


def test_the_overdue_filter(login, staff_a, concern_a, township_a, office_a):
    fresh = concern_a
    with time_machine.travel(timezone.now() - timedelta(days=30)):
        late, _ = services.concern_submit(region=township_a, category="roads", description="旧问题")
    response = login(staff_a).get(reverse(CHANGELIST), {"overdue": "yes"})
    assert [c.pk for c in response.context["cl"].result_list] == [late.pk]
    assert fresh.pk != late.pk


def test_a_concern_turned_into_a_proposal_links_to_it(login, staff_a, accepted, rep_a, session):
    proposal = services.concern_to_proposal(concern=accepted, representative=rep_a, session=session, by=staff_a)
    content = login(staff_a).get(_change(accepted)).content.decode()
    assert reverse("admin:proposals_proposal_change", args=[proposal.pk]) in content


def test_concerns_are_not_added_or_deleted_in_the_admin(login, committee_staff, concern_a):
    client = login(committee_staff)
    assert client.get(reverse("admin:liaison_concern_add")).status_code == 403
    assert client.get(reverse("admin:liaison_concern_delete", args=[concern_a.pk])).status_code == 403


# --- actions: each through its service ------------------------------------------------------------


def test_accepting(login, staff_a, concern_a):
    response = _act(login(staff_a), "accept_concerns", [concern_a])
    assert _status(concern_a) == Status.ACCEPTED
    assert "已受理1条群众意见" in _messages(response)


def test_accepting_twice_shows_why_and_changes_nothing(login, staff_a, accepted, concern_b, staff_b):
    client = login(staff_a)
    response = _act(client, "accept_concerns", [accepted])
    assert "不能受理" in _messages(response) and "没有任何改动" in _messages(response)
    assert accepted.events.count() == 2


def test_a_refused_concern_in_a_selection_rolls_back_the_others(login, committee_staff, accepted, concern_b):
    response = _act(login(committee_staff), "accept_concerns", [accepted, concern_b])
    assert "没有任何改动" in _messages(response)
    assert _status(concern_b) == Status.SUBMITTED


def test_an_action_from_the_change_page_returns_there(login, staff_a, concern_a):
    response = _act(login(staff_a), "accept_concerns", [concern_a], from_change="1")
    assert response["Location"] == _change(concern_a)


def test_referring_out_asks_for_the_reason_and_the_note_for_the_citizen(login, staff_a, concern_a):
    client = login(staff_a)
    page = _act(client, "refer_out_concerns", [concern_a])
    assert page.status_code == 200 and "给群众的说明" in page.content.decode()

    invalid = _act(client, "refer_out_concerns", [concern_a], apply="1", reason="petition", note="")
    assert invalid.status_code == 200 and invalid.context["form"].errors
    assert _status(concern_a) == Status.SUBMITTED

    _act(client, "refer_out_concerns", [concern_a], apply="1", reason="petition", note="请向县信访局反映。")
    concern_a.refresh_from_db()
    assert (concern_a.status, concern_a.referral_reason, concern_a.referral_note) == (
        Status.REFERRED_OUT,
        "petition",
        "请向县信访局反映。",
    )


def test_referring_out_a_resolved_concern_is_refused(login, staff_a, resolved):
    response = _act(login(staff_a), "refer_out_concerns", [resolved], apply="1", reason="petition", note="说明")
    assert "不能引导至其他渠道" in _messages(response)
    assert _status(resolved) == Status.RESOLVED


def test_routing_to_a_unit(login, staff_a, accepted, unit, unit_staff):
    client = login(staff_a)
    page = _act(client, "route_concerns", [accepted])
    assert unit.name in page.content.decode()  # a township's staff route to the county's units
    _act(client, "route_concerns", [accepted], apply="1", route="unit", unit=unit.pk)
    accepted.refresh_from_db()
    assert (accepted.status, accepted.unit) == (Status.ROUTED, unit)


def test_routing_to_a_representative(login, staff_a, accepted, rep_a):
    _act(login(staff_a), "route_concerns", [accepted], apply="1", route="representative", representative=rep_a.pk)
    accepted.refresh_from_db()
    assert (accepted.route, accepted.representative) == ("representative", rep_a)


def test_the_representative_is_looked_up_by_name_within_the_scope(login, staff_a, accepted, rep_a, rep_b):
    client = login(staff_a)
    page = _act(client, "route_concerns", [accepted]).content.decode()
    assert 'data-field-name="representative"' in page and "<script>" not in page
    params = {"app_label": "liaison", "model_name": "concern", "field_name": "representative"}
    found = client.get(reverse("admin:autocomplete"), {**params, "term": ""}).json()["results"]
    assert [r["text"] for r in found] == [rep_a.name]  # 蓝春花 lives in township B


def test_routing_needs_the_unit_it_names(login, staff_a, accepted):
    response = _act(login(staff_a), "route_concerns", [accepted], apply="1", route="unit")
    assert "请选择承办单位" in response.content.decode()
    assert _status(accepted) == Status.ACCEPTED


def test_routing_a_concern_not_yet_accepted_is_refused(login, staff_a, concern_a):
    response = _act(login(staff_a), "route_concerns", [concern_a], apply="1", route="township")
    assert "不能转办" in _messages(response)
    assert _status(concern_a) == Status.SUBMITTED


def test_resolving(login, staff_a, accepted):
    data = {"apply": "1", "answer": "已协调修复", "public_answer": "村道已修复"}
    _act(login(staff_a), "resolve_concerns", [accepted], **data)
    accepted.refresh_from_db()
    assert (accepted.status, accepted.public_answer) == (Status.RESOLVED, "村道已修复")


def test_resolving_a_concern_not_yet_accepted_is_refused(login, staff_a, concern_a):
    data = {"apply": "1", "answer": "已协调修复", "public_answer": "村道已修复"}
    response = _act(login(staff_a), "resolve_concerns", [concern_a], **data)
    assert "不能办结答复" in _messages(response)
    assert _status(concern_a) == Status.SUBMITTED


def test_revisiting(login, staff_a, resolved):
    data = {"apply": "1", "revisited_on": timezone.localdate().isoformat(), "notes": "电话回访，群众满意"}
    _act(login(staff_a), "revisit_concerns", [resolved], **data)
    assert resolved.revisits.get().notes == "电话回访，群众满意"


def test_revisiting_in_the_future_or_before_the_answer_is_refused(login, staff_a, resolved, accepted):
    client = login(staff_a)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = _act(client, "revisit_concerns", [resolved], apply="1", revisited_on=tomorrow, notes="回访")
    assert "回访日期不能晚于今天" in response.content.decode()
    assert not resolved.revisits.exists()


def test_revisiting_an_unanswered_concern_is_refused(login, staff_a, accepted):
    data = {"apply": "1", "revisited_on": timezone.localdate().isoformat(), "notes": "回访"}
    response = _act(login(staff_a), "revisit_concerns", [accepted], **data)
    assert "不能回访" in _messages(response)
    assert not accepted.revisits.exists()


def test_closing(login, staff_a, resolved):
    _act(login(staff_a), "close_concerns", [resolved])
    assert _status(resolved) == Status.CLOSED


def test_closing_an_unanswered_concern_is_refused(login, staff_a, accepted):
    response = _act(login(staff_a), "close_concerns", [accepted])
    assert "不能办结" in _messages(response)
    assert _status(accepted) == Status.ACCEPTED


def test_turning_a_concern_into_a_draft_proposal(login, staff_a, accepted, rep_a, session):
    _act(login(staff_a), "to_proposal", [accepted], apply="1", representative=rep_a.pk, session=session.pk)
    accepted.refresh_from_db()
    assert accepted.proposal is not None and accepted.proposal.lead == rep_a
    assert accepted.proposal.status == "draft"


def test_a_proposal_needs_a_representative_of_the_sessions_term(login, staff_a, accepted, township_a, session, county):
    from tests.factories import TermFactory

    other_term = TermFactory(region=county, number=17, started_on=date(2016, 12, 1))
    old = RepresentativeFactory(township=township_a, term=other_term)
    response = _act(login(staff_a), "to_proposal", [accepted], apply="1", representative=old.pk, session=session.pk)
    assert "不是所选会议所属届次的代表" in response.content.decode()
    assert Concern.objects.get(pk=accepted.pk).proposal is None


def test_turning_a_submitted_concern_into_a_proposal_is_refused(login, staff_a, concern_a, rep_a, session):
    data = {"apply": "1", "representative": rep_a.pk, "session": session.pk}
    response = _act(login(staff_a), "to_proposal", [concern_a], **data)
    assert "不能转为代表建议" in _messages(response)
    assert Concern.objects.get(pk=concern_a.pk).proposal is None


def test_only_one_concern_at_a_time_becomes_a_proposal(login, committee_staff, accepted, concern_b):
    response = _act(login(committee_staff), "to_proposal", [accepted, concern_b])
    assert "请只选择一条" in _messages(response)


# --- export -----------------------------------------------------------------------------------


def _export(client, fmt=1, query=""):
    data = {"format": fmt, "resource": 0, **{f"concernresource_{f}": True for f in ConcernResource.Meta.fields}}
    return client.post(reverse(EXPORT) + query, data)


def _rows(response) -> list[dict]:
    return list(tablib.Dataset().load(response.content.decode("utf-8-sig"), format="csv").dict)


def test_the_export_shows_personal_data_to_allowed_staff_and_logs_it(login, staff_a, concern_a, concern_b, audit):
    rows = _rows(_export(login(staff_a)))
    assert [(r["查询码"], r["姓名"], r["手机号码"], r["乡镇"]) for r in rows] == [
        (concern_a.display_code, "王大妈", "13812345678", "儒林镇")
    ]
    assert audit("export", actor=staff_a).get().detail == {"register": "concerns", "rows": 1, "personal": True}


def test_the_export_masks_personal_data_for_other_staff(login, staff_a, concern_a, audit):
    _without(staff_a, "view_concern_personal")
    rows = _rows(_export(login(staff_a)))
    assert [(r["姓名"], r["手机号码"]) for r in rows] == [("王**", "138****5678")]
    assert audit("export", actor=staff_a).get().detail["personal"] is False


def test_the_export_follows_the_filters_and_is_formula_safe(login, committee_staff, concern_a, township_b, office_b):
    services.concern_submit(region=township_b, category="other", description="=HYPERLINK(1)", name="=cmd")
    rows = _rows(_export(login(committee_staff), query=f"?township={township_b.pk}"))
    assert [(r["反映内容"], r["姓名"]) for r in rows] == [("'=HYPERLINK(1)", "'=cmd")]


def test_exporting_needs_the_export_permission(login, liaison_a, concern_a):
    client = login(liaison_a)  # liaison staff work concerns but do not export them
    assert _export(client).status_code == 403
    assert reverse(EXPORT) not in client.get(reverse(CHANGELIST)).content.decode()


# --- reception records ------------------------------------------------------------------------


def _record_data(office, **extra):
    return {
        "office": office.pk,
        "received_on": timezone.localdate().isoformat(),
        "visitor_name": "李大伯",
        "visitor_phone": "13900001111",
        "matter": "咨询养老保险缴费标准",
        "category": "social",
        **extra,
    }


def test_a_visitor_answered_on_the_spot_is_registered_through_the_service(login, liaison_a, office_a):
    client = login(liaison_a)
    data = _record_data(office_a, answered_on_spot="on", answer="当场讲解了缴费档次")
    response = client.post(reverse("admin:liaison_receptionrecord_add"), data)
    assert response.status_code == 302
    record = ReceptionRecord.objects.get()
    assert (record.recorded_by, record.concern.status, record.concern.answered_on_spot) == (
        liaison_a,
        Status.RESOLVED,
        True,
    )


def test_a_visitor_not_answered_leaves_a_concern_to_follow(login, liaison_a, office_a):
    login(liaison_a).post(reverse("admin:liaison_receptionrecord_add"), _record_data(office_a, is_urgent="on"))
    concern = ReceptionRecord.objects.get().concern
    assert (concern.status, concern.channel, concern.is_urgent) == (Status.SUBMITTED, "reception", True)


def test_a_reception_record_answered_on_the_spot_needs_the_answer(login, liaison_a, office_a):
    data = _record_data(office_a, answered_on_spot="on")
    response = login(liaison_a).post(reverse("admin:liaison_receptionrecord_add"), data)
    assert response.status_code == 200 and "当场答复的，请填写答复情况" in response.content.decode()
    assert not ReceptionRecord.objects.exists() and not Concern.objects.exists()


def test_a_reception_record_for_another_townships_office_is_refused(login, liaison_a, office_b):
    response = login(liaison_a).post(reverse("admin:liaison_receptionrecord_add"), _record_data(office_b))
    assert response.status_code == 200 and response.context["adminform"].form.errors
    assert not ReceptionRecord.objects.exists()


def test_a_refusal_by_the_service_keeps_the_input_and_says_why_on_the_form(login, liaison_a, office_a, monkeypatch):
    """The service writes the record and its concern, then refuses: nothing stays, and the page
    shows the typed record again with the refusal under the field it names."""
    real = services.reception_record_add

    def refusing(**kwargs):
        real(**kwargs)
        raise services.ConcernError({"matter": "该事项已在本月登记过，请查阅原记录。"})

    monkeypatch.setattr(services, "reception_record_add", refusing)
    response = login(liaison_a).post(reverse("admin:liaison_receptionrecord_add"), _record_data(office_a))
    content = response.content.decode()
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"matter": ["该事项已在本月登记过，请查阅原记录。"]}
    assert "咨询养老保险缴费标准" in content and "李大伯" in content and "13900001111" in content
    assert not ReceptionRecord.objects.exists() and not Concern.objects.exists()


def test_a_refusal_without_a_field_is_shown_above_the_form(login, liaison_a, office_a, monkeypatch):
    def refusing(**kwargs):
        raise services.ConcernError("工作室今日暂停接待登记。")

    monkeypatch.setattr(services, "reception_record_add", refusing)
    response = login(liaison_a).post(reverse("admin:liaison_receptionrecord_add"), _record_data(office_a))
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == ["工作室今日暂停接待登记。"]
    assert "工作室今日暂停接待登记。" in response.content.decode()
    assert "咨询养老保险缴费标准" in response.content.decode()
    assert not ReceptionRecord.objects.exists()


@pytest.fixture
def record(office_a, liaison_a):
    return services.reception_record_add(
        office=office_a, received_on=timezone.localdate(), matter="咨询", by=liaison_a, visitor_name="李大伯",
        visitor_phone="13900001111",
    )  # fmt: skip


def test_the_reception_record_page_shows_the_visitor_to_allowed_staff_and_logs_it(login, liaison_a, record, audit):
    url = reverse("admin:liaison_receptionrecord_change", args=[record.pk])
    content = login(liaison_a).get(url).content.decode()
    assert "李大伯" in content and "13900001111" in content and record.concern.display_code in content
    assert audit("personal_view", actor=liaison_a, target_id=str(record.pk)).count() == 1


def test_the_reception_record_page_masks_the_visitor_for_other_staff(login, liaison_a, record):
    _without(liaison_a, "view_concern_personal")
    content = login(liaison_a).get(reverse("admin:liaison_receptionrecord_change", args=[record.pk])).content.decode()
    assert "李**" in content and "李大伯" not in content and "13900001111" not in content


def test_the_reception_list_masks_visitors(login, liaison_a, record):
    content = login(liaison_a).get(reverse("admin:liaison_receptionrecord_changelist")).content.decode()
    assert "李**" in content and "139****1111" in content and "13900001111" not in content


# --- the township filters ----------------------------------------------------------------------


def _listed(client, url, **query):
    return {row.pk for row in client.get(reverse(url), query).context["cl"].result_list}


def test_the_township_filter_lists_a_townships_concerns_and_its_villages(
    login, committee_staff, concern_a, concern_b, village_a, township_a
):
    village, _created = services.concern_submit(region=village_a, category="roads", description="路灯不亮。")
    listed = _listed(login(committee_staff), CHANGELIST, township=township_a.pk)
    assert listed == {concern_a.pk, village.pk}


def test_the_township_filter_of_offices_and_funding_matches_the_stations_too(
    login, committee_staff, office_a, station_a, office_b, township_a
):
    funding = [Funding.objects.create(office=o, year=2024, amount=1000, source="县财政") for o in (station_a, office_b)]
    client = login(committee_staff)
    assert _listed(client, "admin:liaison_liaisonoffice_changelist", township=township_a.pk) == {
        office_a.pk,
        station_a.pk,
    }
    assert _listed(client, "admin:liaison_funding_changelist", township=township_a.pk) == {funding[0].pk}


# --- offices, reception days, duty ----------------------------------------------------------------


def test_a_station_is_added_under_its_township_office(login, staff_a, office_a, village_a):
    url = reverse("admin:liaison_liaisonoffice_change", args=[office_a.pk])
    data = {
        "name": office_a.name,
        "level": "office",
        "region": office_a.region_id,
        "is_active": "on",
        "funding-TOTAL_FORMS": "1",
        "funding-INITIAL_FORMS": "0",
        "funding-0-year": "2022",
        "funding-0-amount": "20000",
        "funding-0-source": "县财政专项",
        "stations-TOTAL_FORMS": "1",
        "stations-INITIAL_FORMS": "0",
        "stations-0-name": "白云村代表联络站",
        "stations-0-region": village_a.pk,
        "stations-0-is_active": "on",
    }
    response = login(staff_a).post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    station = LiaisonOffice.objects.get(name="白云村代表联络站")
    assert (station.level, station.parent, station.region) == ("station", office_a, village_a)
    assert office_a.funding.get().amount == 20000


@pytest.fixture
def schedule(office_a):
    return ReceptionSchedule.objects.create(office=office_a, days_of_month="9,19", starts_at=time(9), ends_at=time(11))


def test_generating_reception_days_for_the_next_months(login, staff_a, schedule, office_a):
    client = login(staff_a)
    url = "admin:liaison_receptionschedule_changelist"
    response = _act(client, "generate_days", [schedule], url, apply="1", start="2030-01-01", months="3")
    assert ReceptionDay.objects.filter(office=office_a).count() == 6
    assert "新生成接待日6个" in _messages(response)
    _act(client, "generate_days", [schedule], url, apply="1", start="2030-01-01", months="3")
    assert ReceptionDay.objects.filter(office=office_a).count() == 6


def test_an_inactive_schedule_generates_nothing(login, staff_a, schedule):
    schedule.is_active = False
    schedule.save()
    url = "admin:liaison_receptionschedule_changelist"
    response = _act(login(staff_a), "generate_days", [schedule], url, apply="1", start="2030-01-01", months="3")
    assert "已停用" in _messages(response) and not ReceptionDay.objects.exists()


@pytest.fixture
def day(office_a):
    return ReceptionDay.objects.create(
        office=office_a, date=timezone.localdate() + timedelta(days=5), starts_at=time(9), ends_at=time(11, 30)
    )


DAYS = "admin:liaison_receptionday_changelist"


def test_moving_a_reception_day(login, staff_a, day):
    to = day.date + timedelta(days=1)
    _act(login(staff_a), "move_days", [day], DAYS, apply="1", to=to.isoformat(), note="与会议冲突，顺延一天")
    day.refresh_from_db()
    assert (day.date, day.status, day.note) == (to, "moved", "与会议冲突，顺延一天")


def test_moving_onto_another_reception_day_is_refused(login, staff_a, day, office_a):
    other = ReceptionDay.objects.create(
        office=office_a, date=day.date + timedelta(days=1), starts_at=time(9), ends_at=time(11)
    )
    response = _act(login(staff_a), "move_days", [day], DAYS, apply="1", to=other.date.isoformat(), note="顺延")
    assert "该日期已有接待日" in _messages(response)
    assert ReceptionDay.objects.get(pk=day.pk).status == "scheduled"


def test_cancelling_a_reception_day_needs_a_reason(login, staff_a, day):
    client = login(staff_a)
    response = _act(client, "cancel_days", [day], DAYS, apply="1", note="")
    assert response.status_code == 200 and ReceptionDay.objects.get(pk=day.pk).status == "scheduled"
    _act(client, "cancel_days", [day], DAYS, apply="1", note="暴雨预警")
    assert ReceptionDay.objects.get(pk=day.pk).status == "cancelled"


def test_assigning_representatives_on_duty(login, staff_a, day, rep_a, township_a, county_term):
    neighbour = RepresentativeFactory(name="吴建华", township=township_a, term=county_term)
    gone = RepresentativeFactory(
        name="龙离任", township=township_a, term=county_term, status="resigned", status_changed_on=date(2023, 1, 1)
    )
    client = login(staff_a)
    url = reverse("admin:liaison_receptionday_duty", args=[day.pk])
    page = client.get(url)
    offered = set(page.context["form"].fields["representatives"].queryset)
    assert offered == {rep_a, neighbour} and gone not in offered

    response = client.post(url, {"representatives": [rep_a.pk, neighbour.pk]})
    assert response.status_code == 302
    assert set(day.shifts.values_list("representative", flat=True)) == {rep_a.pk, neighbour.pk}
    assert rep_a not in set(client.get(url).context["form"].fields["representatives"].queryset)


def test_assigning_on_a_cancelled_day_is_refused(login, staff_a, day, rep_a):
    services.reception_day_cancel(day=day, by=staff_a, note="取消")
    response = login(staff_a).post(
        reverse("admin:liaison_receptionday_duty", args=[day.pk]), {"representatives": [rep_a.pk]}
    )
    assert response.status_code == 200 and "已取消的接待日不能安排值班" in response.content.decode()
    assert not DutyShift.objects.exists()


def test_the_reception_day_page_lists_who_is_on_duty_with_its_buttons(login, staff_a, day, rep_a):
    services.shift_assign(day=day, representatives=[rep_a], by=staff_a)
    client = login(staff_a)
    content = client.get(reverse("admin:liaison_receptionday_change", args=[day.pk])).content.decode()
    assert rep_a.name in content
    assert reverse("admin:liaison_receptionday_duty", args=[day.pk]) in content
    assert 'value="move_days"' in content and 'value="cancel_days"' in content
    listing = client.get(reverse(DAYS)).content.decode()
    assert rep_a.name in listing


def test_the_duty_action_opens_the_page_of_one_day(login, staff_a, day, office_a):
    client = login(staff_a)
    response = _act(client, "assign_duty", [day], DAYS)
    assert response["Location"] == reverse("admin:liaison_receptionday_duty", args=[day.pk])
    other = ReceptionDay.objects.create(office=office_a, date=date(2031, 1, 9), starts_at=time(9), ends_at=time(11))
    assert "请只选择一个接待日" in _messages(_act(client, "assign_duty", [day, other], DAYS))


def test_another_townships_reception_day_is_404(login, staff_b, day):
    client = login(staff_b)
    assert client.get(reverse("admin:liaison_receptionday_duty", args=[day.pk])).status_code == 404
    assert client.get(reverse("admin:liaison_receptionday_change", args=[day.pk])).status_code == 404


@pytest.fixture
def shift(day, staff_a, rep_a):
    return services.shift_assign(day=day, representatives=[rep_a], by=staff_a)[0]


SHIFTS = "admin:liaison_dutyshift_changelist"


@pytest.mark.parametrize(
    ("action", "attendance"),
    [("mark_attended", "attended"), ("mark_absent", "absent"), ("mark_excused", "excused")],
)
def test_marking_attendance(login, staff_a, shift, action, attendance):
    _act(login(staff_a), action, [shift], SHIFTS)
    shift.refresh_from_db()
    assert (shift.attendance, shift.checked_by) == (attendance, staff_a)


def test_checking_in_and_out_from_the_shift_page(login, liaison_a, shift):
    client = login(liaison_a)
    page = client.get(reverse("admin:liaison_dutyshift_change", args=[shift.pk])).content.decode()
    assert 'value="check_in"' in page and 'value="check_out"' not in page
    _act(client, "check_in", [shift], SHIFTS, from_change="1")
    page = client.get(reverse("admin:liaison_dutyshift_change", args=[shift.pk])).content.decode()
    assert 'value="check_out"' in page
    _act(client, "check_out", [shift], SHIFTS)
    shift.refresh_from_db()
    assert shift.checked_in_at and shift.checked_out_at and shift.attendance == "attended"


def test_checking_out_before_checking_in_is_refused(login, liaison_a, shift):
    response = _act(login(liaison_a), "check_out", [shift], SHIFTS)
    assert "请先签到" in _messages(response)
    assert DutyShift.objects.get(pk=shift.pk).checked_out_at is None


@pytest.mark.parametrize(
    "model",
    ["liaisonoffice", "funding", "receptionschedule", "receptionday", "dutyshift", "receptionrecord", "concern"],
)
def test_every_list_opens_for_county_and_liaison_staff(login, committee_staff, liaison_a, office_a, model):
    assert login(committee_staff).get(reverse(f"admin:liaison_{model}_changelist")).status_code == 200
    # Liaison staff do not see the funding.
    expected = 403 if model == "funding" else 200
    assert login(liaison_a).get(reverse(f"admin:liaison_{model}_changelist")).status_code == expected


def test_office_pages_open_and_offer_the_stations(login, staff_a, station_a, office_a, schedule):
    client = login(staff_a)
    assert client.get(reverse("admin:index")).status_code == 200
    page = client.get(reverse("admin:liaison_liaisonoffice_change", args=[office_a.pk])).content.decode()
    assert "白云村代表联络站" in page and "下设联络站" in page
    page = client.get(reverse("admin:liaison_liaisonoffice_change", args=[station_a.pk])).content.decode()
    assert "下设联络站" not in page
    page = client.get(reverse("admin:liaison_receptionschedule_change", args=[schedule.pk])).content.decode()
    assert 'value="generate_days"' in page


# --- page cost ----------------------------------------------------------------------------------


def _add_concerns(township, office, staff, unit, rep, n):
    for i in range(n):
        concern, _ = services.concern_submit(
            region=township, category="roads", description=f"问题{i}", name="张三", phone="13800000000"
        )
        if i % 3:
            services.concern_accept(concern=concern, by=staff)
        if i % 3 == 1:
            services.concern_route(concern=concern, route="unit", unit=unit, by=staff)
        if i % 3 == 2:
            services.concern_route(concern=concern, route="representative", representative=rep, by=staff)


@pytest.mark.parametrize("url", [CHANGELIST, DAYS, SHIFTS, "admin:liaison_receptionrecord_changelist"])
def test_the_lists_cost_the_same_queries_however_many_rows(
    login,
    committee_staff,
    township_a,
    office_a,
    staff_a,
    unit,
    rep_a,
    rep_b,
    liaison_a,
    django_assert_max_num_queries,
    url,
):
    client = login(committee_staff)
    from tests.factories import RepresentativeFactory

    neighbour = RepresentativeFactory(township=township_a, term=rep_a.term)  # duty is for the township's own

    def add(n, start):
        _add_concerns(township_a, office_a, staff_a, unit, rep_a, n)
        for i in range(n):
            day = ReceptionDay.objects.create(
                office=office_a, date=date(2030, 1, 1) + timedelta(days=start + i), starts_at=time(9), ends_at=time(11)
            )
            services.shift_assign(day=day, representatives=[rep_a, neighbour], by=staff_a)
            services.reception_record_add(
                office=office_a, received_on=date(2024, 1, 1), matter="咨询", by=liaison_a, visitor_name="李四"
            )

    add(2, 0)
    client.get(reverse(url))  # warm the per-process caches (content types, permissions)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse(url)).status_code == 200
    add(8, 10)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse(url))
    assert len(response.context["cl"].result_list) >= 10
