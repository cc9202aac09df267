"""The shared includes of the portal's pages: one pager keeps the list's filters and its own page
parameter, one privacy notice shell carries each form's own notice."""

from django.core.paginator import Paginator
from django.template.loader import render_to_string


def _page(number):
    return Paginator(list(range(30)), 10).get_page(number)


def test_the_pager_keeps_the_filters_and_links_both_ways():
    html = render_to_string("_pager.html", {"page": _page(2), "query": "status=open&year=2026"})
    assert 'href="?status=open&amp;year=2026&amp;page=1"' in html
    assert 'href="?status=open&amp;year=2026&amp;page=3"' in html
    assert "第 2 / 3 页" in html


def test_the_pager_uses_the_lists_own_page_parameter():
    html = render_to_string("_pager.html", {"page": _page(1), "param": "ppage"})
    assert 'href="?ppage=2"' in html
    assert "上一页" not in html


def test_the_pager_is_absent_for_a_single_page():
    single = Paginator([1, 2], 10).get_page(1)
    assert render_to_string("_pager.html", {"page": single}).strip() == ""


def test_each_privacy_notice_fills_the_shared_shell():
    liaison = render_to_string("liaison/_privacy.html")
    livelihood = render_to_string("livelihood/_privacy.html")
    for html in (liaison, livelihood):
        assert html.count("<dt>") == html.count("<dd>") == 5
        assert 'aria-labelledby="privacy-h"' in html
    assert "凭查询码只能看到办理状态" in liaison
    assert "公开页面只公布项目" in livelihood
