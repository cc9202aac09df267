from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One reminder or message to one recipient over one channel: the outbox row.

    The unique key (rule, object, recipient, channel, due date) makes a reminder exist once
    however often a scan runs; the sender claims the row before delivering it, so two workers
    never send it twice and a crash leaves it to be retried.
    """

    class Channel(models.TextChoices):
        INBOX = "inbox", _("站内信")
        EMAIL = "email", _("电子邮件")
        SMS = "sms", _("短信")

    class Status(models.TextChoices):
        QUEUED = "queued", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        RETRY = "retry", _("等待重试")
        FAILED = "failed", _("发送失败")

    rule = models.CharField(_("提醒规则"), max_length=80)
    content_type = models.ForeignKey(ContentType, verbose_name=_("对象类型"), on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField(_("对象编号"))
    target = GenericForeignKey("content_type", "object_id")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="notifications"
    )
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices, default=Channel.INBOX)
    due_on = models.DateField(_("所涉期限"))
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)

    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), default=timezone.now)
    claimed_at = models.DateTimeField(_("认领时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("提醒消息")
        verbose_name_plural = _("提醒消息")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "content_type", "object_id", "recipient", "channel", "due_on"],
                name="notification_once_per_key",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notification_pending"),
            models.Index(fields=["recipient", "channel", "-created_at"], name="notification_inbox"),
        ]

    def __str__(self):
        return self.subject
