"""Images are decoded, not trusted by their first bytes, and stored as a re-encoding of their
pixels (issue 17, finding 8): a decompression bomb and a truncated file are refused; EXIF (GPS),
comments, text chunks and an HTML payload appended to the image do not survive."""

import io
import struct
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import ExifTags, Image, ImageFile, PngImagePlugin

from apps.core import uploads
from apps.liaison.forms import ConcernForm
from apps.liaison.models import Concern, ConcernPhoto, LiaisonOffice
from apps.posts import services as post_services
from tests.images import JPEG, PNG, WEBP, image_bytes, png_declaring

PAYLOAD = b"<html><script>alert(document.cookie)</script></html>"
BOMB = png_declaring(30000, 30000)


def _exif_with_gps(orientation: int = 1) -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "Phone"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (26.0, 21.0, 30.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (110.0, 19.0, 0.0)
    return exif.tobytes()


def _opened(content: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(content))
    image.load()
    return image


def _upload(content: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


# --- refused ---------------------------------------------------------------------------------------


def test_the_bomb_is_a_small_file_that_declares_900_million_pixels():
    assert len(BOMB) < 2000
    assert struct.unpack(">II", BOMB[16:24]) == (30000, 30000)


@pytest.mark.parametrize(
    "content",
    [BOMB, png_declaring(7000, 7000)],  # the second is under Pillow's own limit, over renda's 40 MP
    ids=["30000x30000", "7000x7000"],
)
def test_an_image_with_too_many_pixels_is_refused_before_it_is_decoded(content):
    with pytest.raises(ValidationError) as refused:
        uploads.check_image(_upload(content, "大图.png"), "png")
    assert refused.value.code == "too_many_pixels"
    assert "大图.png" in refused.value.messages[0] and "像素太多" in refused.value.messages[0]


def test_the_pixel_limit_is_a_setting(settings):
    settings.RENDA_IMAGE_MAX_PIXELS = 8 * 6 - 1
    with pytest.raises(ValidationError):
        uploads.check_image(_upload(JPEG), "jpg")
    settings.RENDA_IMAGE_MAX_PIXELS = 8 * 6
    uploads.check_image(_upload(JPEG), "jpg")


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (image_bytes("jpg", size=(64, 64))[:300], "jpg"),
        (image_bytes("png", size=(64, 64))[:-40], "png"),
        (WEBP[: len(WEBP) // 2], "webp"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64, "jpg"),  # the header and nothing behind it
        (b"\x89PNG\r\n\x1a\n" + PAYLOAD, "png"),
    ],
    ids=["truncated-jpg", "truncated-png", "truncated-webp", "jpg-header-only", "png-header-then-html"],
)
def test_a_truncated_or_undecodable_image_is_refused_with_a_message(content, kind):
    with pytest.raises(ValidationError) as refused:
        uploads.reencoded_image(_upload(content, "坏图"), kind)
    assert refused.value.code == "bad_image"
    assert "坏图" in refused.value.messages[0] and "已损坏或不完整" in refused.value.messages[0]


def test_a_truncated_image_is_refused_after_weasyprint_told_pillow_to_accept_them():
    import weasyprint  # noqa: F401  (its import sets ImageFile.LOAD_TRUNCATED_IMAGES for the process)

    assert ImageFile.LOAD_TRUNCATED_IMAGES
    with pytest.raises(ValidationError):
        uploads.reencoded_image(_upload(image_bytes("png", size=(64, 64))[:-40], "坏图"), "png")
    assert ImageFile.LOAD_TRUNCATED_IMAGES  # WeasyPrint's own images keep working as it wants


@pytest.fixture
def office(township_a):
    return LiaisonOffice.objects.create(name="儒林镇代表联系群众工作室", region=township_a)


def _concern_post(client, township, photos):
    with time_machine.travel(timezone.now() - timedelta(seconds=60), tick=False):
        token = ConcernForm.issue_token()
    data = {
        "township": township.pk,
        "category": "roads",
        "description": "村口的路灯坏了三个月，晚上出行很不方便。",
        "consent": "on",
        "token": token,
        "photos": photos,
    }
    return client.post(reverse("liaison:concern_new"), data)


@pytest.mark.parametrize(
    ("content", "message"), [(BOMB, "像素太多"), (image_bytes("jpg", size=(64, 64))[:300], "已损坏或不完整")]
)
def test_the_public_form_refuses_a_bomb_or_a_truncated_photo_and_saves_nothing(
    client, township_a, office, content, message
):
    response = _concern_post(client, township_a, [_upload(content, "x.png")])
    assert response.status_code == 400
    assert message in response.text
    assert not Concern.objects.exists() and not ConcernPhoto.objects.exists()


@pytest.mark.parametrize("content", [BOMB, image_bytes("png", size=(64, 64))[:-40]])
def test_a_work_log_refuses_a_bomb_or_a_truncated_photo(content):
    [problem] = post_services.photo_errors([_upload(content, "log.png")])
    assert "log.png" in problem


# --- re-encoded ------------------------------------------------------------------------------------


def test_a_jpeg_comes_out_without_exif_gps_or_its_comment():
    content = image_bytes("jpg", exif=_exif_with_gps(), comment=b"<script>alert(1)</script>")
    assert _opened(content).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the sample really has GPS
    stored = uploads.reencoded_image(_upload(content), "jpg").read()
    image = _opened(stored)
    assert image.format == "JPEG"
    assert not image.getexif() and "exif" not in image.info and "comment" not in image.info
    assert b"Exif" not in stored and b"<script" not in stored


def test_the_exif_orientation_is_applied_before_it_is_dropped():
    content = image_bytes("jpg", size=(8, 6), exif=_exif_with_gps(orientation=6))  # "turn 90 degrees to view"
    image = _opened(uploads.reencoded_image(_upload(content), "jpg").read())
    assert image.size == (6, 8)


def test_a_webp_comes_out_without_exif():
    content = image_bytes("webp", exif=_exif_with_gps())
    image = _opened(uploads.reencoded_image(_upload(content, "a.webp"), "webp").read())
    assert image.format == "WEBP" and not image.getexif()


def test_a_png_comes_out_without_an_appended_html_payload_or_text_chunks():
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", PAYLOAD.decode())
    content = image_bytes("png", pnginfo=info) + PAYLOAD
    assert _opened(content).size == (8, 6)  # a polyglot: a valid PNG that is also an HTML page
    stored = uploads.reencoded_image(_upload(content, "a.png"), "png").read()
    assert _opened(stored).format == "PNG"
    assert b"<script" not in stored and b"<html" not in stored
    assert stored.endswith(b"IEND\xaeB`\x82")


def test_a_transparent_png_keeps_its_transparency():
    content = image_bytes("png", colour=(10, 20, 30, 0))
    image = _opened(uploads.reencoded_image(_upload(content, "a.png"), "png").read())
    assert image.mode == "RGBA" and image.getpixel((0, 0))[3] == 0


def test_the_public_form_stores_the_photo_re_encoded(client, township_a, office):
    polyglot = image_bytes("jpg", exif=_exif_with_gps()) + PAYLOAD
    response = _concern_post(client, township_a, [_upload(polyglot, "我家门口.jpg"), _upload(PNG, "b.png")])
    assert response.status_code == 302
    stored = [photo.image.read() for photo in Concern.objects.get().photos.order_by("pk")]
    assert [_opened(content).format for content in stored] == ["JPEG", "PNG"]
    assert all(b"<script" not in content and b"Exif" not in content for content in stored)
    assert all("我家门口" not in photo.image.name for photo in ConcernPhoto.objects.all())


def test_a_work_log_stores_the_photo_re_encoded(assignment_for_log, representative_user):
    content = image_bytes("jpg", exif=_exif_with_gps()) + PAYLOAD
    log = post_services.post_log_create(
        assignment=assignment_for_log,
        date=assignment_for_log.started_on,
        content="调解邻里纠纷。",
        photos=[_upload(content)],
        by=representative_user,
    )
    stored = log.photos.get().image.read()
    assert _opened(stored).format == "JPEG" and b"<script" not in stored and b"Exif" not in stored


@pytest.fixture
def assignment_for_log(rep_a, representative_user, staff_a, township_a):
    from apps.posts.models import PostAssignment
    from tests.posts.factories import DutyPostFactory, PostRoleFactory

    post = DutyPostFactory(title="儒林镇矛盾纠纷调解岗", township=township_a, role=PostRoleFactory(name="调解员"))
    day = timezone.localdate() - timedelta(days=30)
    return PostAssignment.objects.create(post=post, representative=rep_a, started_on=day, assigned_by=staff_a)


def test_documents_are_not_re_encoded_or_decoded():
    pdf = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
    assert uploads.check_upload(_upload(pdf, "a.pdf"), max_bytes=4096) == "pdf"
    with pytest.raises(ValidationError):
        uploads.reencoded_image(_upload(pdf, "a.pdf"))
