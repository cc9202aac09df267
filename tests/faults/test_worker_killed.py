"""A Celery worker is SIGKILLed in the middle of sending an SMS; another worker takes over.

Every in-app reminder ends up delivered exactly once; an SMS at most once more (only when the
gateway had it before the worker died), never lost.
"""

import json
from collections import Counter

import pytest

from apps.notifications.models import Notification
from tests.factories import RepresentativeFactory
from tests.servers import celery_worker, kill_hard, run_django, wait_for, worker_log

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

Status = Notification.Status
Channel = Notification.Channel

# Queued in a process of its own, as a web request would: the rows are committed, then handed to
# the private broker.
QUEUE = """
from django.db import transaction
from apps.core.models import User
from apps.notifications.services import notification_queue
from apps.representatives.models import Representative
recipient = User.objects.get(pk={recipient})
with transaction.atomic():
    for rep in Representative.objects.filter(pk__in={targets}).order_by("pk"):
        notification_queue(rule="test.crash", target=rep, recipients=[recipient], due_on="2022-04-05",
            subject=f"到期提醒{{rep.pk}}", channels=["inbox", "sms"])
"""


@pytest.fixture
def targets(rep_a, township_a, county_term):
    return [rep_a, *RepresentativeFactory.create_batch(3, township=township_a, term=county_term)]


def _sms_sent(path) -> Counter:
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return Counter(json.loads(line)["text"] for line in lines)


@pytest.mark.parametrize(
    ("backend", "copies_of_the_interrupted_sms"),
    [("HangBeforeDeliveryBackend", 1), ("HangAfterDeliveryBackend", 2)],
)
def test_a_worker_killed_mid_send_leaves_each_reminder_sent_once_and_an_sms_at_most_twice(
    tmp_path, redis, recipient, targets, backend, copies_of_the_interrupted_sms
):
    sms_file = tmp_path / "sms.jsonl"
    env = {"REDIS_URL": redis.url, "RENDA_SMS_FILE": str(sms_file)}
    run_django(QUEUE.format(recipient=recipient.pk, targets=[t.pk for t in targets]), env=env)
    assert Notification.objects.count() == 2 * len(targets)

    hanging = {**env, "RENDA_SMS_BACKEND": f"tests.faults.backends.{backend}"}
    with celery_worker(tmp_path, env=hanging) as doomed:
        stuck = Notification.objects.filter(channel=Channel.SMS, status=Status.SENDING)
        delivered = copies_of_the_interrupted_sms == 2
        in_the_middle = wait_for(lambda: stuck.exists() and bool(_sms_sent(sms_file)) == delivered, 60)
        output = kill_hard(doomed)  # SIGKILL to the worker and its children: no cleanup runs
        assert in_the_middle, output
    interrupted = stuck.get()

    # A new worker with beat: its sweep takes over the abandoned claim once it is stale.
    taking_over = {
        **env,
        "RENDA_SMS_BACKEND": "apps.notifications.channels.FileSMSBackend",
        "RENDA_NOTIFICATION_SENDING_TIMEOUT": "2",
        "OUTBOX_SWEEP_SECONDS": "1",
    }
    with celery_worker(tmp_path, beat=True, env=taking_over) as worker:
        done = wait_for(lambda: not Notification.objects.exclude(status=Status.SENT).exists(), 60)
        assert done, worker_log(worker)

    inbox = Notification.objects.filter(channel=Channel.INBOX)
    assert inbox.count() == len(targets)  # one per reminder
    assert set(inbox.values_list("attempts", flat=True)) == {1}  # each delivered once
    sent = _sms_sent(sms_file)
    assert set(sent) == {f"到期提醒{t.pk}" for t in targets}  # none lost
    assert sent.pop(interrupted.subject) == copies_of_the_interrupted_sms
    assert set(sent.values()) == {1}
    assert Notification.objects.get(pk=interrupted.pk).attempts == 2
