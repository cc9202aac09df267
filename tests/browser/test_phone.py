"""Phones first (issue 16): the public pages, the representative's portal and the unit's home on
two phone screens. On each: no horizontal scrolling, a header under a fifth of the first screen,
no CSP violation, and axe-core (tests/browser/vendor/axe-core, served to the page from the live
server's origin by a test-only route) finds nothing serious or critical. Screenshots are kept in
var/test-artifacts/phone/ (git-ignored) for a person to look at."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from apps.liaison.models import LiaisonOffice
from apps.proposals.models import Proposal
from tests.factories import RepresentativeFactory, VillageFactory
from tests.security import conftest as security

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

world = security.world
_media = security._media

PHONES = [(360, 740), (390, 844)]
PASSWORD = "correct horse battery staple"
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
AXE_PATH = "/__tests__/axe.min.js"  # exists only inside these tests' browser contexts
ARTIFACTS = Path(settings.BASE_DIR) / "var" / "test-artifacts" / "phone"

PUBLIC = {
    "home": "/",
    "concern": "/liaison/concerns/new/",
    "track": "/liaison/track/",
    "offices": "/liaison/offices/",
    "roster": "/representatives/",
    "proposals": "/proposals/public/",
    "reception-days": "/liaison/reception-days/",
    "livelihood": "/livelihood/",
}
REPRESENTATIVE = {
    "rep-home": "/representatives/mine/",
    "new-proposal": "/proposals/mine/new/",
    "activities": "/representatives/mine/activities/",
    "my-proposals": "/proposals/mine/",
    "duty-record": "/representatives/mine/record/",
    "my-shifts": "/liaison/mine/shifts/",
    "my-concerns": "/liaison/mine/concerns/",
    "inbox": "/inbox/",
}
UNIT = {"unit-home": "/unit/", "unit-proposals": "/proposals/unit/", "unit-concerns": "/liaison/unit/concerns/"}

# axe-core's violations, trimmed to what a failure message needs. Text exactly the colour of its
# background is only "incomplete" to axe (it may be hidden on purpose); here it is a violation.
AXE_RUN = """async () => {
  const result = await axe.run(document);
  const where = n => n.target.join(' ');
  const trim = v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(where)});
  const invisible = result.incomplete.filter(v => v.id === 'color-contrast').flatMap(v => v.nodes)
    .filter(n => n.any.some(check => /1:1 contrast/.test(check.message)))
    .map(n => ({id: 'color-contrast', impact: 'serious', help: 'invisible text', nodes: [where(n)]}));
  return result.violations.map(trim).concat(invisible);
}"""


@pytest.fixture
def town(world):
    """The world of the security sweep, with a furnished office, a station and a long roster."""
    office = world.office
    office.address, office.phone, office.head = "儒林镇人民政府二楼东侧", "0739-7321234", "张站长"
    office.opening_hours = "工作日 8:30–12:00，14:30–17:30"
    office.latitude, office.longitude = Decimal("26.361234"), Decimal("110.362345")
    office.save()
    LiaisonOffice.objects.create(
        name="白云村代表联络站",
        region=VillageFactory(parent=world.township, name="白云村"),
        level=LiaisonOffice.Level.STATION,
        parent=office,
        address="白云村村民委员会一楼",
        head="刘支书",
    )
    names = ["欧阳建华", "龙春梅", "杨再兴", "蒋玉兰", "肖德明", "谢晓燕", "罗宏伟", "刘建国"]
    for i in range(40):
        RepresentativeFactory(name=names[i % len(names)] + str(i), township=world.township, term=world.rep.term)
    return world


def _context(browser, live_server, size, **options):
    width, height = size
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="zh-CN", is_mobile=True, has_touch=True, **options
    )
    context.route(f"{live_server.url}{AXE_PATH}", lambda route: route.fulfill(path=AXE, content_type="text/javascript"))
    page = context.new_page()
    page.csp_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.csp_errors.append(msg.text))
    return page


def _logged_in(browser, live_server, size, user):
    user.set_password(PASSWORD)
    user.save()
    page = _context(browser, live_server, size)
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    return page


def _check(page, live_server, name, path, *, axe: bool) -> list[str]:
    """What is wrong with one page on this screen: [] when nothing."""
    response = page.goto(live_server.url + path)
    width, height = page.viewport_size["width"], page.viewport_size["height"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-{width}x{height}.png"), full_page=True)
    problems = []
    if response.status >= 400:
        problems.append(f"{name}: HTTP {response.status}")
    scroll = page.evaluate("document.documentElement.scrollWidth")
    if scroll > width:
        problems.append(f"{name}: {scroll} px wide on a {width} px screen")
    header = page.eval_on_selector(".site-header", "el => el.getBoundingClientRect().height")
    if header >= 0.2 * height:
        problems.append(f"{name}: header {header} px of {height}")
    if axe:
        page.add_script_tag(url=live_server.url + AXE_PATH)
        serious = [v for v in page.evaluate(AXE_RUN) if v["impact"] in ("serious", "critical")]
        problems += [f"{name}: axe {v['impact']} {v['id']} ({v['help']}) at {v['nodes']}" for v in serious]
    return problems


def _check_all(page, live_server, pages, size) -> list[str]:
    problems = []
    for name, path in pages.items():
        # axe reads the same markup at either width: once, on the narrower screen, is enough.
        problems += _check(page, live_server, name, path, axe=size == PHONES[0])
    return problems + [f"console: {e}" for e in page.csp_errors]


@pytest.mark.parametrize("size", PHONES, ids=["360x740", "390x844"])
def test_public_pages_fit_a_phone_and_pass_axe(browser, live_server, town, size):
    page = _context(browser, live_server, size)
    pages = {**PUBLIC, "tracked": f"/liaison/track/?code={town.concern.tracking_code}"}
    assert _check_all(page, live_server, pages, size) == []


@pytest.mark.parametrize("size", PHONES, ids=["360x740", "390x844"])
def test_the_representative_portal_fits_a_phone_and_passes_axe(browser, live_server, town, size):
    page = _logged_in(browser, live_server, size, town.users.representative)
    assert _check_all(page, live_server, REPRESENTATIVE, size) == []


@pytest.mark.parametrize("size", PHONES, ids=["360x740", "390x844"])
def test_the_unit_portal_fits_a_phone_and_passes_axe(browser, live_server, town, size):
    page = _logged_in(browser, live_server, size, town.users.unit)
    assert _check_all(page, live_server, UNIT, size) == []


def test_the_menu_opens_with_a_tap_and_leads_to_the_office_directory(browser, live_server, town):
    page = _context(browser, live_server, PHONES[0])
    page.goto(live_server.url + "/")
    directory = page.get_by_role("navigation", name="主导航").get_by_role("link", name="联络站")
    assert not directory.is_visible()
    page.get_by_text("菜单", exact=True).click()
    assert directory.is_visible()
    page.screenshot(path=str(ARTIFACTS / "menu-open-360x740.png"))
    directory.click()
    page.wait_for_url("**/liaison/offices/")
    assert page.get_by_role("heading", name="代表联络站查询").is_visible()
    assert page.csp_errors == []


def test_the_header_stays_small_in_english_too(browser, live_server, town):
    page = _context(browser, live_server, PHONES[0])
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}])
    page.goto(live_server.url + "/liaison/offices/")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.eval_on_selector(".site-header", "el => el.getBoundingClientRect().height") < 0.2 * 740
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(ARTIFACTS / "offices-en-360x740.png"))


def test_the_menu_works_without_javascript(browser, live_server, town):
    page = _context(browser, live_server, PHONES[0], java_script_enabled=False)
    page.goto(live_server.url + "/")
    page.get_by_text("菜单", exact=True).click()
    page.get_by_role("link", name="查询进度").click()
    page.wait_for_url("**/liaison/track/")


def test_on_a_desktop_the_menu_is_a_row_of_links_with_no_button(browser, live_server, town):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    page.goto(live_server.url + "/")
    assert page.get_by_role("link", name="联络站", exact=True).is_visible()
    assert not page.get_by_text("菜单", exact=True).is_visible()
    context.close()


def test_a_representative_chooses_a_cosigner_by_typing_on_a_phone(browser, live_server, town):
    page = _logged_in(browser, live_server, PHONES[1], town.users.representative)
    page.goto(live_server.url + "/proposals/mine/new/")
    page.fill("#id_title", "关于在白云村增设公交招呼站的建议")
    page.fill("#id_content", "通组公路雨天泥泞，群众出行困难。")
    page.select_option("#id_category", "transport")
    page.get_by_label("输入姓名或乡镇查找").fill("欧阳")
    visible = page.locator(".picker-options li:visible").all_inner_texts()
    assert visible and all("欧阳" in name for name in visible)
    assert page.get_by_text("刘建国7（儒林镇）").is_hidden()
    page.get_by_label("欧阳建华8（儒林镇）").check()
    assert "已选择：欧阳建华8（儒林镇）" in page.locator(".picker-status").inner_text()
    page.screenshot(path=str(ARTIFACTS / "new-proposal-picked-390x844.png"))
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_load_state()
    proposal = Proposal.objects.get(title="关于在白云村增设公交招呼站的建议")
    assert [c.representative.name for c in proposal.cosigners.all()] == ["欧阳建华8"]
    assert page.csp_errors == []


def test_large_font_mode_is_remembered_and_pages_stay_usable_at_200_percent_zoom(browser, live_server, town):
    # 200 % zoom of a 1280 × 720 screen is a 640 × 360 CSS-pixel viewport.
    context = browser.new_context(viewport={"width": 640, "height": 360}, locale="zh-CN")
    context.route(f"{live_server.url}{AXE_PATH}", lambda route: route.fulfill(path=AXE, content_type="text/javascript"))
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="大字版").click()
    page.wait_for_load_state()
    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "20px"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name, path in PUBLIC.items():
        page.goto(live_server.url + path)
        assert "care" in page.evaluate("document.documentElement.className"), name
        assert page.evaluate("document.documentElement.scrollWidth") <= 640, name
        page.screenshot(path=str(ARTIFACTS / f"care-{name}-640x360.png"), full_page=True)
    page.add_script_tag(url=live_server.url + AXE_PATH)
    assert [v for v in page.evaluate(AXE_RUN) if v["impact"] in ("serious", "critical")] == []
    page.get_by_role("link", name="标准版").click()
    page.wait_for_load_state()
    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "16px"
    context.close()


def test_axe_reports_what_it_should(browser, live_server, town):
    """The harness is awake: an image without alt text and pale grey text are found."""
    page = _context(browser, live_server, PHONES[0])
    page.goto(live_server.url + "/")
    page.eval_on_selector(
        "main",
        """main => {
          const img = document.createElement('img'); img.src = '/static/favicon.svg'; main.append(img);
          const p = document.createElement('p'); p.textContent = '看不见的字'; p.style.color = '#ccc'; main.append(p);
        }""",
    )
    page.add_script_tag(url=live_server.url + AXE_PATH)
    found = {v["id"]: v["impact"] for v in page.evaluate(AXE_RUN)}
    assert page.evaluate("axe.version") == "4.14.1"
    assert found.get("image-alt") == "critical" and found.get("color-contrast") == "serious"
