"""A session's paper proposals come in from a sheet, all or none; the lists go out formula-safe."""

import io
from datetime import date
from urllib.parse import unquote

import openpyxl
import pytest
import tablib
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from apps.core.audit import Kind as Audit
from apps.core.models import AuditEvent
from apps.notifications.models import Notification
from apps.proposals import services
from apps.proposals.models import CoSigner, Proposal, ProposalEvent, Status
from apps.proposals.resources import ProposalResource, ReplyReportResource
from tests.factories import RepresentativeFactory
from tests.proposals.steps import rate, reply_after_contact

IMPORT = "admin:proposals_proposal_import"
CONFIRM = "admin:proposals_proposal_process_import"
TEMPLATE = "admin:proposals_proposal_import_template"
EXPORT = "admin:proposals_proposal_export"
HEADERS = ["建议标题", "建议内容", "类别", "领衔代表", "领衔代表证号", "附议代表", "公开意见", "形成方式", "提出时间"]


def _xlsx(rows, headers=HEADERS):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "proposals.xlsx"
    return buffer


def _upload(client, session, upload, **extra):
    return client.post(reverse(IMPORT), {"session": session.pk, "import_file": upload, **extra})


def _confirm(client, preview):
    return client.post(reverse(CONFIRM), {"token": preview.context["token"]})


def _problems(response) -> dict[int, str]:
    """Each spreadsheet row's problems as "column: message" lines joined by spaces."""
    found: dict[int, list[str]] = {}
    for p in response.context["report"].problems:
        found.setdefault(p.line, []).append(f"{p.column}：{p.message}（{p.value}）")
    return {line: " ".join(lines) for line, lines in found.items()}


@pytest.fixture
def namesake(township_b, county_term):
    """A second 杨秀英, in another township: only her credential number tells them apart."""
    return RepresentativeFactory(name="杨秀英", township=township_b, term=county_term, credential_no="B-0001")


@pytest.fixture
def rep_a_numbered(rep_a):
    rep_a.credential_no = "A-0001"
    rep_a.save()
    return rep_a


GOOD = [
    [
        "关于修缮中心小学校舍的建议",
        "校舍年久失修。",
        "教育科技文化",
        "杨秀英（A-0001）",
        "",
        "刘建国、蓝春花",
        "",
        "",
        "",
    ],
    ["关于改善农村公路的建议", "路面破损。", "交通水利", "蓝春花", "", "", "仅同意公开标题", "专题调研", "闭会期间"],
    ["关于增加村医的建议", "村医不足。", "医疗卫生", "杨秀英", "A-0001", "刘建国", "同意全文公开", "座谈", "会议期间"],
]


def test_a_valid_sheet_is_previewed_then_saved_with_numbers(
    login, committee_staff, session, rep_a_numbered, rep_b, cosigner_rep, namesake
):
    client = login(committee_staff)
    preview = _upload(client, session, _xlsx(GOOD))
    assert preview.status_code == 200
    report = preview.context["report"]
    assert (report.new, report.changed, report.unchanged, report.problems) == (3, 0, 0, [])
    assert preview.context["token"]
    assert not Proposal.objects.exists()  # a preview saves nothing

    response = _confirm(client, preview)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:proposals_proposal_changelist')}?session={session.pk}"
    assert "已导入3件建议，编号1至3。" in [str(m) for m in get_messages(response.wsgi_request)]
    proposals = list(Proposal.objects.order_by("number"))
    assert [(p.number, p.title, p.lead, p.status) for p in proposals] == [
        (1, "关于修缮中心小学校舍的建议", rep_a_numbered, Status.SUBMITTED),
        (2, "关于改善农村公路的建议", rep_b, Status.SUBMITTED),
        (3, "关于增加村医的建议", rep_a_numbered, Status.SUBMITTED),
    ]
    first, second, third = proposals
    assert {c.representative for c in first.cosigners.all()} == {cosigner_rep, rep_b}
    assert (second.publication, second.formation, second.period) == ("title_only", "research", "recess")
    assert (third.category, third.formation, third.period) == ("health", "symposium", "session")
    assert {p.created_by for p in proposals} == {committee_staff}
    assert set(first.events.values_list("action", "by")) == {
        ("create", committee_staff.pk),
        ("submit", committee_staff.pk),
    }
    # The co-signers are asked to confirm, as for any submitted proposal.
    assert Notification.objects.filter(rule="proposal.cosign_request", recipient=cosigner_rep.user).exists()
    assert AuditEvent.objects.filter(kind=Audit.IMPORT, detail__register="proposals.proposal").exists()


def test_a_confirmation_token_works_once(login, committee_staff, session, rep_a_numbered, rep_b, cosigner_rep):
    client = login(committee_staff)
    preview = _upload(client, session, _xlsx(GOOD))
    _confirm(client, preview)
    again = _confirm(client, preview)
    assert again["Location"] == reverse(IMPORT)
    assert Proposal.objects.count() == 3


def test_an_import_only_creates_and_skips_proposals_already_there(
    login, committee_staff, session, rep_a_numbered, rep_b, cosigner_rep
):
    client = login(committee_staff)
    _confirm(client, _upload(client, session, _xlsx(GOOD)))
    events = ProposalEvent.objects.count()

    again = _upload(client, session, _xlsx(GOOD))
    report = again.context["report"]
    assert (report.new, report.changed, report.unchanged, report.problems) == (0, 0, 3, [])
    _confirm(client, again)
    assert Proposal.objects.count() == 3 and ProposalEvent.objects.count() == events

    notes = openpyxl.load_workbook(io.BytesIO(client.get(reverse(TEMPLATE)).content))["填写说明"]
    assert any("导入两次不会重复" in str(row[0]) for row in notes.iter_rows(values_only=True))


def test_cosigners_who_signed_on_paper_are_confirmed(
    login, committee_staff, session, rep_a_numbered, rep_b, cosigner_rep
):
    client = login(committee_staff)
    preview = _upload(client, session, _xlsx(GOOD[:1]), cosigners_signed="on")
    _confirm(client, preview)
    assert CoSigner.objects.count() == 2
    assert not CoSigner.objects.filter(confirmed_at__isnull=True).exists()
    proposal = Proposal.objects.get()
    services.proposal_accept(proposal=proposal, by=committee_staff)  # nobody left to confirm


def test_every_invalid_row_is_shown_and_nothing_is_saved(
    login, committee_staff, session, rep_a, rep_b, namesake, township_a, county_term
):
    RepresentativeFactory(
        name="赵退休", township=township_a, term=county_term, status="resigned", status_changed_on=date(2022, 3, 1)
    )
    rows = [
        ["", "内容", "经济发展", "蓝春花", "", "", "", "", ""],
        ["标题", "内容", "天文地理", "蓝春花", "", "", "", "", ""],
        ["标题", "内容", "经济发展", "张无名", "", "", "", "", ""],
        ["标题", "内容", "经济发展", "杨秀英", "", "", "", "", ""],
        ["标题", "内容", "经济发展", "蓝春花", "", "王查无", "", "", ""],
        ["标题", "内容", "经济发展", "赵退休", "", "", "", "", ""],
        ["标题", "内容", "经济发展", "蓝春花", "", "", "", "", "全年"],
        ["正确的建议", "内容", "经济发展", "蓝春花", "", "", "", "", ""],
        ["标" * 201, "内容", "经济发展", "蓝春花", "", "", "", "", ""],
        ["标题", "内容", "", "", "", "", "", "", ""],
    ]
    response = _upload(login(committee_staff), session, _xlsx(rows))
    assert response.status_code == 200
    errors = _problems(response)
    assert errors[2] == "建议标题：此项必须填写。（）"
    assert errors[3].startswith("类别：“天文地理”不是可选的值。")
    assert errors[4].startswith("领衔代表：") and "张无名" in errors[4]
    assert "有2位" in errors[5] and "代表证号" in errors[5]
    assert errors[6].startswith("附议代表：") and "王查无" in errors[6]
    assert "在任代表" in errors[7]  # refused by the service itself
    assert errors[8].startswith("提出时间：") and "全年" in errors[8]
    assert 9 not in errors
    assert errors[10].startswith("建议标题：") and "200" in errors[10]
    assert errors[11] == "类别：此项必须填写。（） 领衔代表：此项必须填写。（）"
    assert response.context["report"].error_rows == 9
    assert not response.context["token"]
    assert not Proposal.objects.exists()


def test_a_credential_number_that_belongs_to_someone_else_is_an_error(
    login, committee_staff, session, rep_a_numbered, namesake
):
    rows = [["标题", "内容", "经济发展", "杨秀英", "C-9999", "", "", "", ""]]
    response = _upload(login(committee_staff), session, _xlsx(rows))
    assert "C-9999" in _problems(response)[2]


def test_a_sheet_without_the_required_columns_is_refused(login, committee_staff, session):
    upload = _xlsx([["标题", "内容"]], headers=["建议标题", "建议内容"])
    response = _upload(login(committee_staff), session, upload)
    errors = str(response.context["form"].non_field_errors())
    assert "类别" in errors and "领衔代表" in errors


def test_older_header_names_are_still_read(login, committee_staff, session, rep_a_numbered):
    headers = ["建议标题", "建议内容", "类别", "领衔代表", "代表证号", "会议期间/闭会期间"]
    response = _upload(
        login(committee_staff), session, _xlsx([["标题", "内容", "经济发展", "杨秀英", "A-0001", "闭会期间"]], headers)
    )
    assert response.context["report"].new == 1 and response.context["token"]


def test_a_csv_saved_by_excel_in_gb18030_is_read(login, committee_staff, session, rep_b):
    dataset = tablib.Dataset(headers=HEADERS)
    dataset.append(GOOD[1])
    upload = io.BytesIO(dataset.export("csv").encode("gb18030"))
    upload.name = "proposals.csv"
    response = _upload(login(committee_staff), session, upload)
    assert response.context["report"].problems == [] and response.context["report"].new == 1


def test_importing_needs_the_import_permission(login, staff_a, session):
    assert login(staff_a).get(reverse(IMPORT)).status_code == 403


def test_the_template_has_the_columns_and_imports_as_it_is(login, committee_staff, session, rep_a, rep_b):
    client = login(committee_staff)
    response = client.get(reverse(TEMPLATE))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert next(sheet.iter_rows(values_only=True))[:4] == ("建议标题*", "建议内容*", "类别*", "领衔代表*")
    upload = io.BytesIO(response.content)
    upload.name = "template.xlsx"
    preview = _upload(client, session, upload)
    assert preview.context["report"].problems == []
    _confirm(client, preview)
    assert Proposal.objects.count() == 2


# --- export ---------------------------------------------------------------------------------


def _export(client, resource, fmt=1):
    fields = (ProposalResource, ReplyReportResource)[resource].Meta.fields
    prefix = ("proposalresource", "replyreportresource")[resource]
    data = {"format": fmt, "resource": resource, **{f"{prefix}_{f}": True for f in fields}}
    return client.post(reverse(EXPORT), data)


@pytest.fixture
def handled(lead_assignment, unit_staff, rep_a, representative_user, cosigner_rep, committee_staff):
    proposal = lead_assignment.proposal
    CoSigner.objects.create(proposal=proposal, representative=cosigner_rep, confirmed_at=timezone.now())
    reply_after_contact(lead_assignment, unit_staff)
    rate(proposal, rep_a, representative_user, result="basic")
    return proposal


def test_the_proposal_list_exports_its_units_outcome_and_rating(login, committee_staff, handled):
    response = _export(login(committee_staff), 0)
    assert response.status_code == 200
    rows = list(tablib.Dataset().load(response.content.decode("utf-8-sig"), format="csv").dict)
    assert len(rows) == 1
    row = rows[0]
    assert (row["建议编号"], row["领衔代表"], row["附议代表"]) == ("1", "杨秀英", "刘建国")
    assert row["承办单位及办理方式"] == "县教育局（主办）、县交通运输局（协办）"
    assert row["答复期限"] == handled.assignments.get(role="lead").due_on.isoformat()
    assert (row["办理结果分类"], row["代表评价（办理态度）"], row["代表评价（办理结果）"]) == ("A", "满意", "基本满意")
    assert (row["状态"], row["类别"]) == ("已办结", "教育科技文化")


def test_the_handling_report_has_a_row_per_answering_unit(login, committee_staff, handled):
    response = _export(login(committee_staff), 1)
    rows = list(tablib.Dataset().load(response.content.decode("utf-8-sig"), format="csv").dict)
    assert [(r["承办单位"], r["办理方式"], r["办理结果分类"], r["按期答复"], r["沟通方式"]) for r in rows] == [
        ("县教育局", "主办", "A", "是", "走访")
    ]
    assert rows[0]["答复日期"] == timezone.localdate().isoformat()
    assert rows[0]["代表评价（办理结果）"] == "基本满意"


def test_exports_are_formula_safe(login, committee_staff, session, rep_a):
    services.proposal_create(
        lead=rep_a,
        session=session,
        title='=HYPERLINK("http://x")',
        content="x",
        category="other",
        by=committee_staff,  # keyed in by staff: a representative's own draft is not exported
    )
    client = login(committee_staff)
    text = _export(client, 0).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    sheet = openpyxl.load_workbook(io.BytesIO(_export(client, 0, fmt=0).content)).active
    titles = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert titles == ['\'=HYPERLINK("http://x")']


def test_exports_follow_the_list_filters(login, committee_staff, handled, session, rep_b):
    other = services.proposal_create(
        lead=rep_b, session=session, title="茅坪镇的建议", content="x", category="other", by=committee_staff
    )
    client = login(committee_staff)
    url = f"{reverse(EXPORT)}?township={other.township_id}"
    data = {"format": 1, "resource": 0, **{f"proposalresource_{f}": True for f in ProposalResource.Meta.fields}}
    text = client.post(url, data).content.decode("utf-8-sig")
    assert "茅坪镇的建议" in text and handled.title not in text


def test_exporting_needs_the_export_permission(login, committee_staff, handled):
    committee_staff.groups.first().permissions.remove(Permission.objects.get(codename="export_proposal"))
    client = login(committee_staff)
    assert _export(client, 0).status_code == 403
    assert reverse(EXPORT) not in client.get(reverse("admin:proposals_proposal_changelist")).content.decode()


def test_the_export_costs_the_same_queries_however_many_proposals(
    login, committee_staff, handled, session, rep_a, unit, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(committee_staff)
    _export(client, 0)
    with CaptureQueriesContext(connection) as small:
        _export(client, 0)
    for i in range(5):
        p = services.proposal_create(
            lead=rep_a, session=session, title=f"建议{i}", content="x", category="other", by=committee_staff
        )
        services.proposal_submit(proposal=p, by=committee_staff)
        services.proposal_accept(proposal=p, by=committee_staff)
        services.proposal_assign(proposal=p, units=[(unit, "lead")], by=committee_staff)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = _export(client, 0)
    assert response.content.decode("utf-8-sig").count("县教育局（主办）") == 6


def test_the_export_is_in_chinese_named_for_its_content_and_audited_once(login, committee_staff, handled):
    client = login(committee_staff)
    page = client.get(reverse(EXPORT)).content.decode()
    assert "导出内容" in page and "建议清单" in page and "答复情况表" in page and "文件格式" in page
    assert "Select all" not in page and "Tablib" not in page and "Submit" not in page
    AuditEvent.objects.all().delete()

    response = _export(client, 1, fmt=0)
    today = f"{timezone.localdate():%Y-%m-%d}"
    assert unquote(response["Content-Disposition"]).endswith(f"答复情况表-城步苗族自治县-{today}.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert (sheet.title, sheet.freeze_panes) == ("答复情况表", "A2")
    assert next(sheet.iter_rows(values_only=True))[:2] == ("建议编号", "建议标题")
    assert sheet.column_dimensions["B"].width > 8
    assert list(AuditEvent.objects.values_list("kind", "detail__register", "detail__rows")) == [
        (Audit.EXPORT, "proposal replies", 1)
    ]
