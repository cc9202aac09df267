"""Uploads: recognised by content, size-limited, stored outside the web root, and served only
through views that check the viewer's scope, with headers that keep a file from running.

Every FileField of the project must have an entry in CASES: a new upload field without one fails
`test_every_file_field_is_covered`, so it cannot ship without a checked download view.
"""

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from apps.core import uploads
from apps.core.models import User
from apps.groups import services as group_services
from apps.groups.models import Inspection
from apps.liaison.forms import ConcernForm
from apps.liaison.models import Concern, ConcernPhoto, LiaisonOffice
from apps.posts import services as post_services
from apps.posts.models import PostAssignment, PostLog, PostLogPhoto
from apps.proposals.forms import LETTER_MAX_BYTES, ReplyForm
from apps.proposals.models import Assignment, Proposal, Reply, Status
from apps.training.admin_forms import LectureForm
from tests.factories import HandlingUnitFactory, SessionFactory
from tests.images import JPEG
from tests.posts.factories import DutyPostFactory, PostRoleFactory
from tests.training.factories import HallFactory, InstructorFactory, LectureFactory

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
WINDOWS_EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
LINUX_EXE = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
SHELL = b"#!/bin/sh\nrm -rf ~\n"
DAY = timezone.datetime(2022, 6, 1).date()
# Tight limits, so an oversized file is small to build (the reply letter's limit is a constant).
LIMIT = 4096


@pytest.fixture(autouse=True)
def _uploads(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.RENDA_LIAISON = {**settings.RENDA_LIAISON, "PHOTO_MAX_BYTES": LIMIT}
    settings.RENDA_POSTS = {**settings.RENDA_POSTS, "PHOTO_MAX_BYTES": LIMIT}
    settings.RENDA_TRAINING = {**settings.RENDA_TRAINING, "MATERIAL_MAX_BYTES": LIMIT}
    settings.RENDA_GROUPS = {**getattr(settings, "RENDA_GROUPS", {}), "REPORT_MAX_BYTES": LIMIT}


# --- one stored file of every kind, in township A ------------------------------------------


@pytest.fixture
def rows(personas, township_a, county_term, unit, rep_a, liaison_a):
    """A row with a stored file for every FileField, all in township A or owned by its people."""
    u = SimpleNamespace(**personas)
    w = SimpleNamespace()
    now = timezone.now()
    proposal = Proposal.objects.create(
        session=SessionFactory(term=county_term, number=1),
        title="关于修缮儒林镇中心小学校舍的建议",
        content="校舍年久失修。",
        category="education",
        lead=rep_a,
        township=township_a,
        created_by=u.representative,
        status=Status.ASSIGNED,
        submitted_at=now,
        assigned_at=now,
    )
    w.assignment = Assignment.objects.create(proposal=proposal, unit=unit, role="lead", assigned_at=now, due_on=DAY)
    w.reply = Reply.objects.create(
        assignment=w.assignment, outcome="A", text="已安排维修。", replied_by=u.unit, replied_at=now, on_time=True
    )
    w.reply.letter.save("答复函.pdf", ContentFile(PDF))

    office = LiaisonOffice.objects.create(name="儒林镇代表联系群众工作室", region=township_a)
    w.concern = Concern.objects.create(
        tracking_code="UPL000000001",
        region=township_a,
        office=office,
        category="roads",
        description="村道塌方，影响出行。",
        name="王大妈",
        phone="13812345678",
        consented_at=now,
        accept_due_on=DAY,
        status=Concern.Status.ROUTED,
        unit=unit,
        representative=rep_a,
    )
    w.concern_photo = ConcernPhoto(concern=w.concern)
    w.concern_photo.image.save("photo.jpg", ContentFile(JPEG))

    w.lecture = LectureFactory(instructor=InstructorFactory(hall=HallFactory(region=township_a)), topic="代表法解读")
    w.lecture.materials.save("slides.pdf", ContentFile(PDF))

    post = DutyPostFactory(title="儒林镇矛盾纠纷调解岗", township=township_a, role=PostRoleFactory(name="调解员"))
    assignment = PostAssignment.objects.create(post=post, representative=rep_a, started_on=DAY, assigned_by=u.staff_a)
    w.post_log = PostLog.objects.create(
        assignment=assignment, date=DAY, content="调解纠纷。", created_by=u.representative
    )
    w.post_log_photo = PostLogPhoto(log=w.post_log)
    w.post_log_photo.image.save("log.jpg", ContentFile(JPEG))

    w.inspection = Inspection.objects.create(
        kind="inspection",
        region=township_a,
        year=2022,
        batch_no=1,
        topic="农村饮水安全",
        started_on=DAY,
        created_by=u.staff_a,
    )
    w.inspection.report_file.save("视察报告.pdf", ContentFile(PDF))
    return w


@pytest.fixture
def others(township_b, rep_b, county):
    """People of every kind whose scope holds none of township A's rows."""
    from apps.core import services as core_services

    def user(name, role, **kwargs):
        return core_services.user_create(username=name, password=None, role=role, full_name=name, **kwargs)

    rep_b.user = user("rep_b_user", User.Role.REPRESENTATIVE)
    rep_b.save()
    return SimpleNamespace(
        staff_b=user("staff_b2", User.Role.TOWNSHIP, regions=[township_b]),
        representative=rep_b.user,
        unit=user("unit_b", User.Role.UNIT, handling_unit=HandlingUnitFactory(region=county, name="县交通运输局")),
    )


# --- what each FileField is, who may fetch it, and how its uploads are checked -----------------


def _concern_photo_refusals(upload, rows) -> list:
    form = ConcernForm(data={}, files=MultiValueDict({"photos": [upload]}))
    form.is_valid()
    return form.errors.get("photos", [])


def _post_photo_refusals(upload, rows) -> list:
    return post_services.photo_errors([upload])


def _letter_refusals(upload, rows) -> list:
    form = ReplyForm(data={}, files={"letter": upload}, assignment=rows.assignment)
    form.is_valid()
    return form.errors.get("letter", [])


def _material_refusals(upload, rows) -> list:
    form = LectureForm(data={}, files={"materials": upload})
    form.is_valid()
    return form.errors.get("materials", [])


def _report_refusals(upload, rows) -> list:
    return group_services.report_file_errors(upload)


@dataclass
class Case:
    row: str  # attribute of the `rows` fixture
    field: str
    sample: bytes  # what a good upload of this field looks like
    limit: object  # () -> the size limit in bytes
    refusals: object  # (upload, rows) -> the messages the field's own check gives
    # (url name, args from the row, who may fetch it, who may not): every download door of the file
    doors: list
    change_page: str | None = None  # the admin page that shows the file (the row whose page it is)


CASES = {
    "liaison.ConcernPhoto.image": Case(
        row="concern_photo",
        field="image",
        sample=JPEG,
        limit=lambda: LIMIT,
        refusals=_concern_photo_refusals,
        doors=[
            ("admin:liaison_concern_photo", lambda r: [r.concern.pk, r.concern_photo.pk], ["staff_a"], ["staff_b"]),
            ("liaison:concern_photo", lambda r: [r.concern.pk, r.concern_photo.pk], ["unit"], ["unit", "staff_b"]),
        ],
        change_page="concern",
    ),
    "posts.PostLogPhoto.image": Case(
        row="post_log_photo",
        field="image",
        sample=JPEG,
        limit=lambda: LIMIT,
        refusals=_post_photo_refusals,
        doors=[
            ("admin:posts_postlog_photo", lambda r: [r.post_log.pk, r.post_log_photo.pk], ["staff_a"], ["staff_b"]),
            ("posts:log_photo", lambda r: [r.post_log.pk, r.post_log_photo.pk], ["representative"], ["representative"]),
        ],
        change_page="post_log",
    ),
    "proposals.Reply.letter": Case(
        row="reply",
        field="letter",
        sample=PDF,
        limit=lambda: LETTER_MAX_BYTES,
        refusals=_letter_refusals,
        doors=[
            (
                "proposals:reply_letter",
                lambda r: [r.reply.pk],
                ["unit", "representative", "committee"],
                ["unit", "representative", "staff_b"],
            ),
        ],
        change_page="assignment",
    ),
    "training.Lecture.materials": Case(
        row="lecture",
        field="materials",
        sample=PDF,
        limit=lambda: LIMIT,
        refusals=_material_refusals,
        doors=[("training:lecture_material", lambda r: [r.lecture.pk], ["staff_a", "committee"], ["staff_b"])],
        change_page="lecture",
    ),
    "groups.Inspection.report_file": Case(
        row="inspection",
        field="report_file",
        sample=PDF,
        limit=lambda: LIMIT,
        refusals=_report_refusals,
        doors=[
            (
                "admin:groups_inspection_report",
                lambda r: [r.inspection.pk],
                ["staff_a", "committee"],
                ["staff_b", "representative"],
            )
        ],
        change_page="inspection",
    ),
}


def _file_fields() -> set[str]:
    return {
        f"{model._meta.app_label}.{model.__name__}.{field.name}"
        for model in apps.get_models()
        if model.__module__.startswith("apps.")
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    }


def test_every_file_field_is_covered():
    assert _file_fields() == set(CASES), "every FileField needs a checked download view and a case here"


# --- never by address -----------------------------------------------------------------------


def _patterns(resolver, prefix=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def test_no_route_serves_media_root_and_it_lies_outside_the_web_root():
    from django.views.static import serve

    assert not [route for route, view in _patterns(get_resolver()) if view is serve]
    with pytest.raises(Resolver404):
        resolve(f"/{settings.MEDIA_URL}proposals/replies/2022/a.pdf")
    media = Path(settings.MEDIA_ROOT).resolve()
    for web_root in [settings.STATIC_ROOT, *settings.STATICFILES_DIRS]:
        assert not media.is_relative_to(Path(web_root).resolve())


@pytest.mark.parametrize("key", sorted(CASES))
def test_a_stored_file_is_not_reachable_by_its_media_address(key, rows, login, personas):
    case = CASES[key]
    stored = getattr(getattr(rows, case.row), case.field)
    assert Path(stored.path).is_file()
    for who in ["committee", "staff_a", "anonymous"]:
        client = login(personas[who])
        assert client.get(f"/{settings.MEDIA_URL}{stored.name}").status_code == 404
        assert client.get(stored.url).status_code == 404


# --- the checked doors ----------------------------------------------------------------------


def _assert_safe_file(response, content: bytes):
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Content-Security-Policy"]
    assert "sandbox" in policy and "default-src 'none'" in policy
    assert response["Content-Type"] in {kind[1] for kind in uploads.KINDS.values()}
    disposition = response["Content-Disposition"]
    image = response["Content-Type"].startswith("image/")
    assert disposition.startswith("inline" if image else "attachment")
    assert "private" in response["Cache-Control"]


@pytest.mark.parametrize("key", sorted(CASES))
def test_the_file_goes_to_its_viewers_with_safe_headers_and_404_to_other_scopes(key, rows, others, login, personas):
    case = CASES[key]
    for url_name, args, allowed, denied in case.doors:
        url = reverse(url_name, args=args(rows))
        for who in allowed:
            _assert_safe_file(login(personas[who]).get(url), case.sample)
        for who in denied:
            response = login(getattr(others, who)).get(url)
            if url_name.startswith("admin:") and who == "representative":
                assert response.status_code == 302  # to the admin's login: no 200
            else:
                assert response.status_code == 404, f"{url_name} gave {response.status_code} to {who}"
        assert login(None).get(url).status_code == 302


@pytest.mark.parametrize("key", [k for k in sorted(CASES) if CASES[k].change_page])
def test_the_admin_links_the_file_to_its_checked_view_never_to_media(key, rows, login, personas):
    case = CASES[key]
    row = getattr(rows, case.change_page)
    meta = row._meta
    html = login(personas["committee"]).get(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[row.pk]))
    assert html.status_code == 200
    page = html.content.decode()
    assert f"/{settings.MEDIA_URL}" not in page
    urls = [reverse(url_name, args=args(rows)) for url_name, args, _allowed, _denied in case.doors]
    assert any(url in page for url in urls)


def test_a_file_put_there_by_another_door_is_only_downloaded_with_no_trusted_type(rows, login, personas):
    photo = rows.concern_photo
    Path(photo.image.path).write_bytes(HTML)  # say, copied in by hand under a .jpg name
    response = login(personas["staff_a"]).get(reverse("admin:liaison_concern_photo", args=[rows.concern.pk, photo.pk]))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Disposition"].endswith('.bin"')
    assert response["X-Content-Type-Options"] == "nosniff"


# --- checked by content and size at every upload field ------------------------------------------


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


# A Word file with macros, named .docx: a program, whatever its name says.
DOCM = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>", "word/vbaProject.bin": b"x"})

DISGUISES = [
    ("page.pdf", HTML),
    ("page.jpg", HTML),
    ("setup.pdf", WINDOWS_EXE),
    ("setup.jpg", WINDOWS_EXE),
    ("tool.docx", LINUX_EXE),
    ("run.png", SHELL),
    ("macro.docx", DOCM),
]


@pytest.mark.parametrize("key", sorted(CASES))
def test_each_upload_field_takes_its_kind_and_refuses_disguised_or_oversized_files(key, rows):
    case = CASES[key]
    good = SimpleUploadedFile("ok.pdf" if case.sample == PDF else "ok.jpg", case.sample)
    assert case.refusals(good, rows) == []
    for name, content in DISGUISES:
        assert case.refusals(SimpleUploadedFile(name, content), rows), f"{key} took {name}"
    oversized = SimpleUploadedFile("big.pdf", case.sample + b"\x00" * case.limit())
    assert case.refusals(oversized, rows), f"{key} took a file over {case.limit()} bytes"


# --- the document check in apps.core.uploads -----------------------------------------------------


def _ole(stream: str) -> bytes:
    return uploads.OLE_MAGIC + b"\x00" * 504 + stream.encode("utf-16-le") + b"\x00" * 64


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
ODT = _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office:document/>"})


@pytest.mark.parametrize(
    "content, kind",
    [
        (PDF, "pdf"),
        (DOCX, "docx"),
        (XLSX, "xlsx"),
        (ODT, "odt"),
        (_ole("WordDocument"), "doc"),
        (_ole("Workbook"), "xls"),
    ],
)
def test_documents_are_recognised_by_content_whatever_their_name(content, kind):
    assert uploads.check_upload(SimpleUploadedFile("upload.txt", content), max_bytes=LIMIT) == kind


@pytest.mark.parametrize(
    "content",
    [
        HTML,
        WINDOWS_EXE,
        LINUX_EXE,
        _zip({"index.html": HTML}),  # a zip is not yet an Office file
        DOCM,
        _ole("\x05SummaryInformation"),  # an OLE file with no Word or Excel stream: an .msi, say
        b"",
    ],
    ids=["html", "exe", "elf", "zip", "docm", "msi", "empty"],
)
def test_anything_else_is_refused_with_a_message_naming_the_file_and_the_kinds(content):
    with pytest.raises(ValidationError) as refused:
        uploads.check_upload(SimpleUploadedFile("报告.docx", content), max_bytes=LIMIT)
    assert "报告.docx" in refused.value.messages[0] and "PDF" in refused.value.messages[0]


def test_an_oversized_document_is_refused_before_its_content_is_read():
    with pytest.raises(ValidationError) as refused:
        uploads.check_upload(SimpleUploadedFile("a.pdf", PDF + b"0" * LIMIT), max_bytes=LIMIT)
    assert refused.value.error_list[0].code == "too_large"


def test_a_report_is_stored_under_the_extension_of_its_content(rows, personas):
    upload = SimpleUploadedFile("视察报告.html", PDF)
    staff = personas["staff_a"]
    inspection = group_services.inspection_update(inspection=rows.inspection, by=staff, report_file=upload)
    name = inspection.report_file.name
    assert name.endswith(".pdf") and "视察报告" in name
