"""What core needs from the apps above it comes through settings naming them, not imports
(issue 20 item 4): the invitation's SMS adapter and the portal decorator's representative lookup."""

import json

from django.http import HttpResponse

from apps.core import services
from apps.core.access import representative_required
from tests.factories import UserFactory

FOUND = object()


def lookup_for_tests(user):
    return FOUND if user.username == "found" else None


@representative_required
def page(request, representative):
    return HttpResponse("found" if representative is FOUND else "other")


def test_an_invitation_goes_by_email_and_through_the_sms_adapter_the_setting_names(db, settings, tmp_path, mailoutbox):
    settings.RENDA_SMS_BACKEND = "apps.notifications.channels.FileSMSBackend"
    settings.RENDA_SMS_FILE = str(tmp_path / "sms.jsonl")
    user = UserFactory(username="newrep", email="newrep@example.invalid", phone="13912345678")

    assert services.user_invite(user=user) is True

    [sms] = [json.loads(line) for line in (tmp_path / "sms.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sms["phone"] == "13912345678" and "/accounts/invitation/" in sms["text"]
    assert [mail.to for mail in mailoutbox] == [["newrep@example.invalid"]]


def test_the_portal_decorator_finds_the_representative_through_the_setting(db, settings, rf):
    settings.RENDA_REPRESENTATIVE_LOOKUP = "tests.core.test_inverted_dependencies.lookup_for_tests"
    request = rf.get("/")

    request.user = UserFactory(username="found")
    assert page(request).content == b"found"
    request.user = UserFactory(username="someone")
    assert page(request).status_code == 403
