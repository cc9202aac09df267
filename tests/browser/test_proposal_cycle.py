"""A proposal's whole cycle, clicked through by the people who do it, in real Chromium."""

import pytest

from apps.core import services as core_services
from apps.core.models import User
from apps.proposals.models import Proposal, Status
from tests.factories import HandlingUnitFactory, RepresentativeFactory, SessionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_a_joint_proposal_from_drafting_to_a_satisfied_rating(
    live_server, log_in, rep_a, representative_user, county_term, township_a, unit, committee_staff, tmp_path
):
    session = SessionFactory(term=county_term, number=1)
    cosigner = RepresentativeFactory(name="刘建国", township=township_a, term=county_term)
    cosigner.user = core_services.user_create(username="cosigner", password=None, role=User.Role.REPRESENTATIVE)
    cosigner.save()
    unit2 = HandlingUnitFactory(region=unit.region, name="县交通运输局")
    unit_staff = core_services.user_create(username="edu", password=None, role=User.Role.UNIT, handling_unit=unit)
    url = live_server.url

    # The representative drafts and submits a joint proposal.
    rep = log_in(representative_user)
    rep.goto(url + "/proposals/mine/new/")
    rep.fill("#id_title", "关于修缮儒林镇中心小学校舍的建议")
    rep.fill("#id_content", "校舍屋顶漏雨，建议安排资金维修。")
    rep.select_option("#id_category", "education")
    rep.get_by_label("输入姓名或乡镇查找").fill(cosigner.name)
    rep.get_by_label(f"{cosigner.name}（{cosigner.township.name}）").check()
    rep.get_by_role("button", name="提交", exact=True).click()
    rep.wait_for_load_state()
    proposal = Proposal.objects.get()
    assert proposal.status == Status.SUBMITTED

    # The co-signer confirms.
    co = log_in(cosigner.user)
    co.goto(f"{url}/proposals/mine/{proposal.pk}/")
    co.get_by_role("button", name="确认附议").click()
    co.wait_for_load_state()
    assert proposal.cosigners.get().confirmed_at is not None

    # Staff accept it and assign it on site to two units.
    staff = log_in(committee_staff)
    changelist = url + "/admin/proposals/proposal/"
    for action in ("accept_proposals", "assign_on_site"):
        staff.goto(changelist)
        staff.check(f"input[name='_selected_action'][value='{proposal.pk}']")
        staff.select_option("select[name='action']", action)
        staff.get_by_role("button", name="执行").click()
        staff.wait_for_load_state()
    staff.fill("#id_title", "十八届一次会议建议现场交办会")
    staff.fill("#id_held_on", "2022-01-20")
    staff.select_option(f"[name='p{proposal.pk}-lead']", str(unit.pk))
    staff.select_option(f"[name='p{proposal.pk}-assist']", [str(unit2.pk)])
    staff.get_by_role("button", name="现场交办").click()
    staff.wait_for_load_state()
    assert "交办清单" in staff.content() or "十八届一次会议建议现场交办会" in staff.content()
    proposal.refresh_from_db()
    assert proposal.status == Status.ASSIGNED

    # The lead unit records a visit and replies with outcome A and its letter.
    lead = log_in(unit_staff)
    assert "关于修缮儒林镇中心小学校舍的建议" in lead.content()
    lead.get_by_role("link", name="关于修缮儒林镇中心小学校舍的建议").first.click()
    lead.wait_for_load_state()
    lead.select_option("[name='contact-kind']", "visit")
    lead.fill("[name='contact-summary']", "到代表家中走访，听取意见。")
    lead.get_by_role("button", name="登记沟通记录").click()
    lead.wait_for_load_state()
    lead.check("input[name='reply-outcome'][value='A']")
    lead.fill("[name='reply-text']", "已安排资金维修校舍，工程已完工。")
    letter = tmp_path / "答复函.pdf"
    letter.write_bytes(PDF)
    lead.set_input_files("[name='reply-letter']", str(letter))
    lead.get_by_role("button", name="提交答复").click()
    lead.wait_for_load_state()
    proposal.refresh_from_db()
    assert proposal.status == Status.REPLIED

    # The representative rates it 满意.
    rep.goto(f"{url}/proposals/mine/{proposal.pk}/")
    rep.check("input[name='feedback-attitude'][value='satisfied']")
    rep.check("input[name='feedback-result'][value='satisfied']")
    rep.get_by_role("button", name="提交评价").click()
    rep.wait_for_load_state()
    proposal.refresh_from_db()
    assert proposal.status == Status.CLOSED

    # The session's statistics: 1/1 for the visit, reply and satisfaction rates.
    staff.goto(f"{url}/admin/proposals/proposal/statistics/?session={session.pk}")
    rows = staff.eval_on_selector_all(
        "#rates tbody tr", "rows => rows.map(r => Array.from(r.cells).map(c => c.innerText.trim()))"
    )
    by_label = {row[0]: row[2:4] for row in rows}
    for label in ("走访率", "答复率", "满意率（含基本满意）"):
        assert by_label[label] == ["1", "1"], rows
    for page in (rep, co, staff, lead):
        assert page.csp_errors == []
