from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "apps.notifications"
    verbose_name = _("提醒与消息")

    def ready(self):
        from apps.core import roles
        from apps.core.operations import register_status_panel
        from apps.notifications.selectors import outbox_panel

        register_status_panel(outbox_panel)

        roles.grant(roles.Role.COMMITTEE, "notifications.view_notification")
