from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "apps.notifications"
    verbose_name = _("提醒与消息")

    def ready(self):
        from apps.core import roles

        roles.grant(roles.Role.COMMITTEE, "notifications.view_notification")
