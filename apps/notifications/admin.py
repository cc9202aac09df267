from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from apps.core.admin_mixins import InvalidFilterMixin
from apps.core.models import User
from apps.core.selectors import users_visible_to
from apps.notifications import services
from apps.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(InvalidFilterMixin, admin.ModelAdmin):
    """The outbox: what was sent, what waits for a retry, what failed and why."""

    list_display = ["subject", "recipient", "channel", "rule", "due_on", "status", "attempts", "sent_at"]
    list_filter = ["status", "channel", "rule"]
    search_fields = ["subject", "recipient__username", "recipient__full_name"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Notification._meta.fields]
    actions = ["retry"]
    show_full_result_count = False

    def get_queryset(self, request):
        # Committee staff see the outbox of their own region's accounts only.
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(recipient__in=users_visible_to(request.user, User.objects.all()))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("重新发送所选失败消息"), permissions=["view"])
    def retry(self, request, queryset):
        failed = list(queryset.filter(status=Notification.Status.FAILED))
        for notification in failed:
            services.notification_retry(notification=notification)
        self.message_user(
            request,
            ngettext("%(n)d 条消息将重新发送。", "%(n)d 条消息将重新发送。", len(failed)) % {"n": len(failed)},
            messages.SUCCESS,
        )
