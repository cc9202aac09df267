"""A field masked anywhere is masked everywhere: lists, change pages, history diffs, old versions,
search and exports, for staff without the permission to read it.

The admin of a representative once showed liaison staff the old and new mobile numbers in its
history although every other page masked them.
"""

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import RequestFactory
from django.urls import reverse

from apps.core.models import User
from apps.liaison.models import Concern
from apps.livelihood.models import Idea
from apps.proposals.models import Proposal, Status
from apps.representatives.models import Representative
from tests.security.conftest import _user

pytestmark = pytest.mark.django_db

# Every personal field some staff may not read: (model, field).
MASKED = {
    ("representatives.Representative", "phone"),
    ("liaison.Concern", "name"),
    ("liaison.Concern", "phone"),
    ("liaison.ReceptionRecord", "visitor_name"),
    ("liaison.ReceptionRecord", "visitor_phone"),
    ("livelihood.Idea", "proposer_name"),
    ("livelihood.Idea", "proposer_phone"),
}
# Phones that are no one's personal data: published contact numbers of offices and units, and a
# staff account's own work number (seen only by who manages accounts).
PUBLIC_PHONES = {("liaison.LiaisonOffice", "phone"), ("core.HandlingUnit", "contact_phone"), ("core.User", "phone")}


def _declared() -> set[tuple[str, str]]:
    return {
        (model._meta.label, field)
        for model, model_admin in admin.site._registry.items()
        for field in getattr(model_admin, "personal_data", {})
    }


def test_every_masked_field_is_declared_once_for_every_surface():
    assert _declared() == MASKED


def test_every_phone_field_is_either_masked_or_public():
    phones = {
        (model._meta.label, f.name)
        for model in apps.get_models()
        if not model._meta.label.split(".")[1].startswith("Historical")
        for f in model._meta.concrete_fields
        if "phone" in f.name
    }
    assert phones - MASKED - PUBLIC_PHONES == set()


@pytest.fixture
def restricted(township_a):
    """Staff who may view these records but not the personal data in them."""
    user = _user("restricted_viewer", User.Role.LIAISON, regions=[township_a])
    user.groups.clear()
    codenames = ["view_representative", "view_concern", "view_receptionrecord", "view_idea"]
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return User.objects.get(pk=user.pk)


def _cases(world):
    rep = world.rep
    rep.phone = "13900001111"
    rep.save()
    concern = world.concern  # 王大妈 13812345678
    record = world.reception_record
    record.visitor_name, record.visitor_phone = "赵老汉", "13711112222"
    record.save()
    idea = Idea.objects.create(
        region=world.township,
        title="修一座便民桥",
        description="河上缺一座桥。",
        source=Idea.Source.CITIZEN,
        proposer_name="钱小花",
        proposer_phone="13633334444",
    )
    return [
        (rep, "phone", "13955556666"),
        (concern, "name", "孙大爷"),
        (concern, "phone", "13877778888"),
        (record, "visitor_name", "周阿婆"),
        (record, "visitor_phone", "13799990000"),
        (idea, "proposer_name", "吴大姐"),
        (idea, "proposer_phone", "13612121212"),
    ]


def _admin_path(obj, page, *args):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{page}", args=args)


def test_staff_without_the_permission_never_see_a_masked_value(client, world, restricted):
    shown = []
    for obj, field, new_value in _cases(world):
        old_value = getattr(obj, field)
        setattr(obj, field, new_value)
        obj.save()  # a change the history diff shows
        version = obj.history.earliest("history_id")
        client.force_login(restricted)
        pages = {
            "list": client.get(_admin_path(obj, "changelist")),
            "change": client.get(_admin_path(obj, "change", obj.pk)),
            "history": client.get(_admin_path(obj, "history", obj.pk)),
            "version": client.get(_admin_path(obj, "simple_history", obj.pk, version.pk)),
            "search": client.get(_admin_path(obj, "changelist"), {"q": new_value}),
        }
        for surface, response in pages.items():
            assert response.status_code == 200, (obj._meta.label, surface)
            if surface == "search":
                continue  # the search box repeats what was typed; the results are checked below
            for value in (old_value, new_value):
                if value in response.content.decode():
                    shown.append(f"{obj._meta.label}.{field} {value} on {surface}")
        assert _admin_path(obj, "change", obj.pk) not in pages["search"].content.decode()
    assert not shown, "\n  ".join(shown)


def test_the_history_diff_still_shows_that_a_masked_field_changed(client, world, restricted):
    rep = world.rep
    rep.phone = "13900001111"
    rep.save()
    rep.phone = "13955556666"
    rep.save()
    client.force_login(restricted)
    content = client.get(_admin_path(rep, "history", rep.pk)).content.decode()
    assert "139****1111" in content and "139****6666" in content


def test_staff_with_the_permission_see_the_values(client, world):
    """The control: the same surfaces show the values to who may read them."""
    client.force_login(world.users.committee)
    for obj, field, _new in _cases(world):
        content = client.get(_admin_path(obj, "change", obj.pk)).content.decode()
        assert getattr(obj, field) in content, f"{obj._meta.label}.{field}"


@pytest.mark.parametrize("model", [Representative, Concern])
def test_exports_mask_for_staff_without_the_permission(world, restricted, model):
    values = {world.rep.phone, world.concern.name, world.concern.phone} - {""}
    request = RequestFactory().get("/")
    request.user = restricted
    model_admin = admin.site._registry[model]
    if hasattr(model_admin, "import_resource_class"):  # the import framework's export (apps/core/import_admin.py)
        dataset = model_admin.get_import_resource(request).safe_export(model_admin.get_queryset(request))
    else:
        resource_class = model_admin.get_export_resource_classes(request)[0]
        dataset = resource_class(**model_admin.get_export_resource_kwargs(request)).export(
            model_admin.get_queryset(request)
        )
    cells = {str(cell) for row in dataset for cell in row}
    assert len(dataset) >= 1
    assert not values & cells


def test_liaison_staff_see_an_idea_proposer_masked(client, world):
    idea = Idea.objects.create(
        region=world.township, title="修路", description="修路。", source=Idea.Source.CITIZEN, proposer_name="钱小花"
    )
    client.force_login(world.users.liaison)
    for page in ("changelist", "change"):
        args = [idea.pk] if page == "change" else []
        content = client.get(_admin_path(idea, page, *args)).content.decode()
        assert "钱小花" not in content and "钱**" in content


def test_no_staff_reads_a_representatives_unsubmitted_draft(client, world):
    draft = Proposal.objects.create(
        session=world.session,
        lead=world.rep,
        township=world.township,
        title="尚未提交的草稿",
        content="草稿内容。",
        status=Status.DRAFT,
        created_by=world.users.representative,
    )
    for user in (world.users.committee, world.users.staff_a):
        client.force_login(user)
        assert "尚未提交的草稿" not in client.get(reverse("admin:proposals_proposal_changelist")).content.decode()
        assert client.get(_admin_path(draft, "change", draft.pk)).status_code == 404
