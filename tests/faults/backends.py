"""SMS adapters that hang, for killing a worker in the middle of a send. Worker subprocesses load
them through RENDA_SMS_BACKEND; each appends what it delivers to RENDA_SMS_FILE, the gateway's log."""

import time

from apps.notifications.channels import FileSMSBackend

# Long past any wait of the tests, which kill the worker first; bounded all the same.
HANG_SECONDS = 120


class HangBeforeDeliveryBackend(FileSMSBackend):
    """Killed here, the gateway never had the message: it must go out exactly once later."""

    def send(self, *, phone, text):
        time.sleep(HANG_SECONDS)
        super().send(phone=phone, text=text)


class HangAfterDeliveryBackend(FileSMSBackend):
    """Killed here, the gateway has the message but the outbox cannot know it: the one case where
    an external channel may deliver a second copy."""

    def send(self, *, phone, text):
        super().send(phone=phone, text=text)
        time.sleep(HANG_SECONDS)
