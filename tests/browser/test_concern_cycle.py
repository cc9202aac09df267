"""A citizen's concern from a phone to a satisfied rating, clicked through in real Chromium."""

import struct
import time
import zlib

import pytest

from apps.liaison import services
from apps.liaison.models import Concern, LiaisonOffice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def png(width=2, height=2) -> bytes:
    """A real, decodable PNG: the browser must be able to show the photo back."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xb7\x1c\x1c" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.csp_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.csp_errors.append(msg.text))
    yield page
    context.close()


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_citizen_submits_on_a_phone_a_representative_answers_and_the_citizen_rates_it(
    live_server, settings, phone, log_in, township_a, rep_a, representative_user, staff_a, tmp_path
):
    settings.RENDA_LIAISON = {**settings.RENDA_LIAISON, "MIN_FILL_SECONDS": 1}
    settings.MEDIA_ROOT = str(tmp_path / "media")
    LiaisonOffice.objects.create(name="儒林镇代表联系群众工作室", region=township_a)
    url = live_server.url
    picture = tmp_path / "路面.png"
    picture.write_bytes(png())

    # The citizen fills in the form on a phone and gets a tracking code.
    phone.goto(url + "/liaison/concerns/new/")
    assert fits_the_screen(phone)
    phone.get_by_label("所在乡镇").select_option(str(township_a.pk))
    phone.get_by_label("反映给人大代表").select_option(str(rep_a.pk))
    phone.get_by_label("问题类别").select_option("roads")
    phone.get_by_label("反映内容").fill("儒林镇到白云村的村道塌方一处，车辆无法通行，请尽快修复。")
    phone.get_by_label("照片").set_input_files(str(picture))
    phone.get_by_label("手机号码").fill("13812345678")
    phone.get_by_label("我已阅读并同意上面的个人信息处理说明").check()
    time.sleep(1.1)  # a person takes longer than the minimum fill time
    phone.get_by_role("button", name="提交", exact=True).click()
    phone.wait_for_url("**/liaison/concerns/submitted/**")
    shown_code = phone.inner_text("#tracking-code").strip()
    assert fits_the_screen(phone)
    concern = Concern.objects.get()
    assert shown_code == concern.display_code
    assert concern.addressed_to == rep_a and concern.phone == "13812345678" and concern.photos.count() == 1

    # Staff accept it and route it to the representative (the admin screens call the same services).
    services.concern_accept(concern=concern, by=staff_a)
    services.concern_route(concern=concern, route="representative", representative=rep_a, by=staff_a)

    # The representative answers in the portal.
    rep = log_in(representative_user)
    rep.goto(url + "/liaison/mine/concerns/")
    assert "138****5678" in rep.content() and "13812345678" not in rep.content()
    rep.get_by_role("link", name=concern.display_code).click()
    rep.wait_for_load_state()
    assert "13812345678" in rep.content()
    rep.get_by_label("办理情况").fill("已联系镇交通站抢修，3 天内完成。")
    rep.get_by_label("给群众的公开答复").fill("塌方路段已清理并修复，现已恢复通行。")
    rep.get_by_role("button", name="提交答复").click()
    rep.wait_for_load_state()
    concern.refresh_from_db()
    assert concern.status == Concern.Status.RESOLVED

    # The citizen looks it up with the code, typed loosely, and rates the answer.
    phone.goto(url + "/liaison/track/")
    phone.get_by_label("查询码").fill(shown_code.lower().replace("-", " "))
    phone.get_by_label("手机号后四位").first.fill("5678")
    phone.get_by_role("button", name="查询").click()
    phone.wait_for_load_state()
    page_text = phone.content()
    assert "塌方路段已清理并修复" in page_text and "村道塌方一处" in page_text
    assert "已联系镇交通站" not in page_text  # the internal answer stays inside
    photo = phone.locator("ul.photos img")
    photo.scroll_into_view_if_needed()
    phone.wait_for_function("document.querySelector('ul.photos img').complete")
    assert photo.evaluate("img => img.naturalWidth") == 2
    phone.get_by_label("满意", exact=True).check()
    phone.get_by_role("button", name="提交评价").click()
    phone.wait_for_load_state()
    assert "感谢您的评价" in phone.content()
    assert fits_the_screen(phone)
    concern.refresh_from_db()
    assert concern.rating == Concern.Rating.SATISFIED
    assert list(concern.events.values_list("action", flat=True)) == ["submit", "accept", "route", "resolve", "rate"]
    assert phone.csp_errors == []
    assert rep.csp_errors == []
