"""The annual report drawn from a known Dashboard: the workbook, the printable page, the PDF."""

import datetime
import io
import re
import zlib
from decimal import Decimal

import openpyxl
import pytest

from apps.core.scope import scope_for
from apps.dashboard import report
from apps.dashboard.figures import build_dashboard, period_for_year
from apps.dashboard.figures_types import Dashboard, Figure, Period, Section, Table
from apps.groups.models import Inspection
from apps.liaison.models import Funding, LiaisonOffice
from tests.dashboard import factories as f
from tests.factories import SessionFactory
from tests.training.factories import HallFactory, InstructorFactory, LectureFactory

YEAR = Period(label="2022", starts_on=datetime.date(2022, 1, 1), ends_on=datetime.date(2022, 12, 31), year=2022)
TITLE = "城步苗族自治县人大常委会 2022 年代表工作统计报告"


def known_dashboard() -> Dashboard:
    liaison = Section(
        key="liaison",
        title="联系群众",
        figures=[
            Figure(key="liaison.handled", label="通过代表联络站办理群众急难愁盼问题", value=526),
            Figure(key="liaison.satisfied", label="群众满意率", numerator=500, denominator=526),
            Figure(key="liaison.revisited", label="回访率", numerator=0, denominator=0),
        ],
        tables=[
            Table(
                key="liaison.by_township",
                title="各乡镇办理情况",
                columns=["乡镇", "办结", "满意率"],
                rows=[["儒林镇", 300, Decimal("0.95")], ["茅坪镇", 226, None], ['=HYPERLINK("x")', 0, None]],
                totals=["合计", 526, None],
            )
        ],
    )
    proposals = Section(
        key="proposals",
        title="代表建议",
        figures=[Figure(key="proposals.count", label="县十八届人大一次会议代表建议", value=132)],
    )
    return Dashboard(period=YEAR, scope_label="城步苗族自治县", sections=[liaison, proposals])


def rows_of(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def figure_row(sheet, label) -> list:
    return next(row for row in rows_of(sheet) if row and row[0] == label)


@pytest.fixture
def workbook():
    return openpyxl.load_workbook(io.BytesIO(report.report_workbook(known_dashboard(), TITLE)))


def test_the_workbook_has_one_sheet_per_section(workbook):
    assert workbook.sheetnames == ["联系群众", "代表建议"]


def test_a_count_is_a_number_and_a_rate_carries_its_numerator_and_denominator(workbook):
    sheet = workbook["联系群众"]
    assert figure_row(sheet, "通过代表联络站办理群众急难愁盼问题")[:2] == ["通过代表联络站办理群众急难愁盼问题", 526]
    _, rate, numerator, denominator = figure_row(sheet, "群众满意率")[:4]
    assert (numerator, denominator) == (500, 526)
    assert rate == pytest.approx(500 / 526)


def test_an_empty_rate_shows_a_dash_with_its_zero_denominator(workbook):
    assert figure_row(workbook["联系群众"], "回访率")[1:4] == ["—", 0, 0]


def test_a_table_follows_with_its_columns_rows_and_totals(workbook):
    rows = rows_of(workbook["联系群众"])
    start = rows.index(["各乡镇办理情况", None, None, None, None])
    assert rows[start + 1][:3] == ["乡镇", "办结", "满意率"]
    assert rows[start + 2][:3] == ["儒林镇", 300, 0.95]
    assert rows[start + 3][:3] == ["茅坪镇", 226, "—"]
    assert ["合计", 526, "—"] in [row[:3] for row in rows]


def test_a_cell_starting_with_an_equals_sign_stays_text(workbook):
    sheet = workbook["联系群众"]
    cells = [
        cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str) and "HYPERLINK" in cell.value
    ]
    assert len(cells) == 1
    assert cells[0].data_type == "s"
    assert not cells[0].value.startswith("=")


def test_an_empty_dashboard_still_makes_a_workbook():
    empty = Dashboard(period=YEAR, scope_label="城步苗族自治县")
    book = openpyxl.load_workbook(io.BytesIO(report.report_workbook(empty, TITLE)))
    assert len(book.sheetnames) == 1


def test_sheet_names_are_valid_and_unique():
    used = set()
    names = [report.sheet_name("代表建议：办理/答复[情况]" * 3, used) for _ in range(3)]
    assert len(set(names)) == 3
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)


def test_the_printable_report_has_the_heading_numbered_sections_and_a_sentence_per_figure():
    html = report.report_html(known_dashboard(), TITLE)
    assert f"<h1>{TITLE}</h1>" in html
    assert "一、联系群众" in html and "二、代表建议" in html
    assert "全年通过代表联络站办理群众急难愁盼问题 526。" in html
    assert "全年县十八届人大一次会议代表建议 132 件。" in html
    assert "群众满意率 95.1%（500 / 526）" in html
    assert "回访率：—" in html
    assert "<caption>各乡镇办理情况</caption>" in html
    assert "report-toolbar" not in html  # the PDF and the printout carry no navigation


def test_the_title_names_the_organ_and_the_period(county, township_a):
    assert report.report_title(report.organ_name([county]), YEAR) == TITLE
    assert report.report_title(report.organ_name([township_a]), YEAR) == "儒林镇人大 2022 年代表工作统计报告"


def pdf_objects(pdf: bytes) -> bytes:
    """The PDF's compressed object streams, inflated: where its metadata, page tree and fonts are."""
    inflated = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            inflated.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(inflated)


def test_the_pdf_has_pages_the_title_and_the_cjk_font():
    pdf = report.report_pdf(report.report_html(known_dashboard(), TITLE))
    assert pdf.startswith(b"%PDF")
    objects = pdf_objects(pdf)
    assert ("feff" + TITLE.encode("utf-16-be").hex()).encode() in objects.lower()  # /Title <feff...>
    assert int(re.search(rb"/Type /Pages.*?/Count (\d+)", objects, re.S).group(1)) >= 1
    assert re.search(rb"/BaseFont /[A-Z]{6}\+WenQuanYi", objects)  # the Chinese text drawn in the CJK font


def test_the_pdf_is_styled_by_the_local_stylesheet_only():
    assert report.local_static_file(report.PDF_BASE_URL + "static/css/report-print.css").name == "report-print.css"
    for url in [
        "https://example.com/static/css/report-print.css",
        "file:///etc/passwd",
        report.PDF_BASE_URL + "static/../../etc/passwd",
        report.PDF_BASE_URL + "media/x.png",
    ]:
        assert report.local_static_file(url) is None


def test_the_pdf_fetcher_refuses_the_network():
    fetcher = report.static_only_fetcher()
    with pytest.raises(ValueError):
        fetcher.fetch("http://127.0.0.1:9/x.css")
    assert b"@page" in fetcher.fetch(report.PDF_BASE_URL + "static/css/report-print.css").read()


def test_a_sentence_puts_the_measure_word_after_the_number_and_says_which_period():
    batches = Figure(key="groups.inspections", label="视察调研批次", value=12)
    assert report.figure_sentence(batches, YEAR) == "全年视察调研 12 批次。"
    term = Period(label="第十八届", starts_on=datetime.date(2021, 10, 1), ends_on=datetime.date(2026, 9, 30), term_id=1)
    assert report.figure_sentence(batches, term) == "本届以来视察调研 12 批次。"
    assert report.figure_sentence(Figure(key="x.unknown", label="其他", value=None), YEAR) == "全年其他 —。"


@pytest.mark.django_db
def test_the_report_of_a_real_year_carries_the_figures_of_issue_13(county, township_a, rep_a, unit, committee_staff):
    """Drawn from the same Dashboard as the page: the recess block and the whole year, law-enforcement
    checks apart, the offices' funding, the instructors' quota, the unit table's reconciliation."""
    by = committee_staff
    session = SessionFactory(term=rep_a.term, number=1, opened_on=datetime.date(2022, 1, 5))
    recess = f.proposal(
        session=session, lead=rep_a, by=by, period="recess", assigned_at=f.at(datetime.date(2022, 12, 31), hour=23)
    )
    f.assignment(proposal=recess, unit=unit, day=datetime.date(2022, 12, 31))
    check = f.inspection(region=county, started_on=datetime.date(2022, 6, 1), by=by)
    Inspection.objects.filter(pk=check.pk).update(kind=Inspection.Kind.ENFORCEMENT)
    office = LiaisonOffice.objects.create(name="儒林镇工作室", region=township_a)
    Funding.objects.create(office=office, year=2022, amount=Decimal("20000"), source="县财政专项")
    LectureFactory.create_batch(2, instructor=InstructorFactory(hall=HallFactory(region=township_a), name="龙书记"))
    board = build_dashboard(scope=scope_for(by), period=period_for_year(2022), scope_label="城步苗族自治县")

    book = openpyxl.load_workbook(io.BytesIO(report.report_workbook(board, TITLE)))
    assert {"代表建议（闭会期间）", "代表建议（全年合计）"} <= set(book.sheetnames)
    assert figure_row(book["代表建议（闭会期间）"], "闭会期间交办建议")[:2] == ["闭会期间交办建议", 1]
    assert figure_row(book["代表建议（闭会期间）"], "答复率")[1:4] == [0, 0, 1]
    assert figure_row(book["代表建议（全年合计）"], "代表建议合计")[:2] == ["代表建议合计", 1]
    assert figure_row(book["代表活动小组"], "执法检查批次")[:2] == ["执法检查批次", 1]
    assert figure_row(book["代表活动小组"], "视察调研批次")[:2] == ["视察调研批次", 0]
    liaison = rows_of(book["联系群众"])
    assert ["儒林镇", 1, 0, 0, 20000, 20000] in [row[:6] for row in liaison]
    assert figure_row(book["学习培训"], "完成年度授课任务的教员")[1:4] == [1, 1, 1]
    assert ["龙书记", "儒林镇人大讲堂", 2, 2, "是"] in [row[:5] for row in rows_of(book["学习培训"])]
    notes = [row[0] for row in rows_of(book["代表建议（闭会期间）"]) if row[0] and str(row[0]).startswith("交办建议")]
    assert notes and notes[0].startswith("交办建议 1 件 = 主办 1 件 + 分办 0 件")

    html = report.report_html(board, TITLE)
    assert "全年执法检查 1 批次。" in html
    assert "全年代表建议合计 1 件。" in html
    assert "全年工作室和联络站经费 20000.00 元。" in html
    assert '<p class="table-note">交办建议 1 件 = 主办 1 件' in html
    assert "截至 2022-12-31" in html
