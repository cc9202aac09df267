"""代表码 and 联络站码: a QR code that opens the concern form aimed at one representative or office,
printed on A4 posters from the admin. The codes are decoded here as a phone would: zxing-cpp
reads the PNG, and the URL it finds is opened."""

import io
import re
from urllib.parse import urlsplit

import pytest
import zxingcpp
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from apps.liaison.services import office_contact_code_issue
from apps.representatives.choices import Status
from apps.representatives.services import contact_code_issue


def decoded(png: bytes) -> str:
    [found] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)).convert("L"))
    return found.text


def pdf_text(content: bytes) -> list[str]:
    return [page.extract_text().replace("\n", "") for page in PdfReader(io.BytesIO(content)).pages]


def selected(html: str, name: str) -> str | None:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    option = re.search(r'<option value="([^"]*)" selected', select[1]) if select else None
    return option[1] if option else None


def test_scanning_a_representatives_card_opens_the_form_aimed_at_them(client, staff_a, rep_a, office_a):
    client.force_login(staff_a)
    card = client.get(reverse("admin:representatives_representative_contact_card", args=[rep_a.pk]))
    assert card["Content-Type"] == "application/pdf"
    rep_a.refresh_from_db()
    code = rep_a.contact_code
    assert code and str(rep_a.pk) not in code and rep_a.name not in code

    client.logout()  # a citizen's phone
    png = client.get(reverse("liaison:representative_qr", args=[code, "png"]))
    assert png["Content-Type"] == "image/png"
    url = decoded(png.content)
    assert url.endswith(f"/liaison/to/r/{code}/")
    response = client.get(urlsplit(url).path)

    assert response.status_code == 200
    html = response.content.decode()
    assert "向杨秀英代表反映问题" in html
    assert selected(html, "representative") == str(rep_a.pk)
    assert selected(html, "township") == str(rep_a.township_id)
    assert f'action="{reverse("liaison:concern_new")}"' in html  # posts to the ordinary form


def test_the_poster_pdf_carries_the_name_township_and_a_code_that_scans(client, staff_a, rep_a):
    client.force_login(staff_a)
    response = client.get(reverse("admin:representatives_representative_contact_card", args=[rep_a.pk]))
    [page] = pdf_text(response.content)
    assert "杨秀英 代表" in page and "儒林镇" in page and "扫码向我反映问题" in page
    rep_a.refresh_from_db()
    assert f"/liaison/to/r/{rep_a.contact_code}/" in page


def test_the_code_is_stable(rep_a):
    first = contact_code_issue(representative=rep_a).contact_code
    assert contact_code_issue(representative=rep_a).contact_code == first


def test_after_a_move_the_old_card_still_works_and_says_where_they_are_now(client, rep_a, township_b):
    code = contact_code_issue(representative=rep_a).contact_code
    rep_a.refresh_from_db()
    rep_a.township = township_b
    rep_a.save()
    response = client.get(reverse("liaison:to_representative", args=[code]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "这位代表已从儒林镇调到茅坪镇" in html
    assert selected(html, "township") == str(township_b.pk)
    assert selected(html, "representative") == str(rep_a.pk)


def test_a_representative_who_has_left_points_to_the_office(client, rep_a, office_a):
    office_a.address = "儒林镇政府一楼"
    office_a.save()
    code = contact_code_issue(representative=rep_a).contact_code
    rep_a.refresh_from_db()
    rep_a.status, rep_a.status_changed_on = Status.RESIGNED, "2022-06-01"
    rep_a.save()
    response = client.get(reverse("liaison:to_representative", args=[code]))
    html = response.content.decode()
    assert response.status_code == 410
    assert "杨秀英已不再担任本级人大代表" in html
    assert "儒林镇代表联系群众工作室" in html and "儒林镇政府一楼" in html
    assert f"{reverse('liaison:concern_new')}?township={rep_a.township_id}" in html


def test_an_unknown_code_is_404(client, db):
    assert client.get(reverse("liaison:to_representative", args=["nosuchcode"])).status_code == 404
    assert client.get(reverse("liaison:office_qr", args=["nosuchcode", "svg"])).status_code == 404


def test_a_stations_code_opens_the_form_at_its_village(client, station_a, village_a, township_a):
    code = office_contact_code_issue(office=station_a).contact_code
    svg = client.get(reverse("liaison:office_qr", args=[code, "svg"]))
    assert svg["Content-Type"] == "image/svg+xml"
    response = client.get(reverse("liaison:to_office", args=[code]))
    html = response.content.decode()
    assert "向白云村代表联络站反映问题" in html
    assert selected(html, "township") == str(township_a.pk)
    assert selected(html, "village") == str(village_a.pk)


def test_the_admin_action_prints_one_page_per_serving_representative_in_scope(client, staff_a, rep_a, rep_b, neighbour):
    neighbour.status, neighbour.status_changed_on = Status.RESIGNED, "2022-06-01"
    neighbour.save()
    client.force_login(staff_a)
    response = client.post(
        reverse("admin:representatives_representative_changelist"),
        {"action": "print_contact_cards", "_selected_action": [rep_a.pk, rep_b.pk, neighbour.pk]},
    )
    assert response["Content-Type"] == "application/pdf"
    pages = pdf_text(response.content)
    assert len(pages) == 1 and "杨秀英" in pages[0]  # rep_b is another township's, neighbour has left
    rep_b.refresh_from_db()
    assert rep_b.contact_code is None


def test_the_office_action_prints_its_posters(client, staff_a, office_a, station_a):
    client.force_login(staff_a)
    response = client.post(
        reverse("admin:liaison_liaisonoffice_changelist"),
        {"action": "print_contact_posters", "_selected_action": [office_a.pk, station_a.pk]},
    )
    pages = pdf_text(response.content)
    assert len(pages) == 2
    assert any("白云村代表联络站" in page for page in pages)


@pytest.mark.parametrize(
    "name", ["admin:representatives_representative_contact_card", "admin:liaison_liaisonoffice_contact_poster"]
)
def test_staff_of_another_township_get_404_for_a_card(client, staff_b, rep_a, office_a, name):
    obj = rep_a if "representative" in name else office_a
    client.force_login(staff_b)
    assert client.get(reverse(name, args=[obj.pk])).status_code == 404
