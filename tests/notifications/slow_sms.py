"""SMS adapters for the worker-crash tests, loaded by worker subprocesses through RENDA_SMS_BACKEND."""

import time

from apps.notifications.channels import FileSMSBackend


class SlowFileSMSBackend(FileSMSBackend):
    """Hangs before sending, so a test can kill the worker in the middle of a send."""

    def send(self, *, phone, text):
        time.sleep(120)
        super().send(phone=phone, text=text)
