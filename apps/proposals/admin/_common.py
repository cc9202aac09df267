"""What the proposals back office's pages share: the timeline's words for staff, user columns, local times."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# What each status-history row records, as staff say it (the services write the codes).
EVENT_LABELS = {
    "create": _("录入"),
    "edit": _("修改"),
    "submit": _("提交"),
    "cosign_confirm": _("确认附议"),
    "cosign_decline": _("拒绝附议"),
    "cosign_recorded": _("代为登记附议确认"),
    "cosign_removed": _("移除附议代表"),
    "accept": _("受理"),
    "return": _("退回"),
    "merge": _("并案"),
    "withdraw_agree": _("同意撤回"),
    "withdraw": _("撤回"),
    "assign": _("交办"),
    "return_request": _("申请退回调整"),
    "return_decided": _("退回申请已决定"),
    "reassign_needed": _("退回后待重新交办"),
    "plan": _("办理方案"),
    "contact": _("沟通"),
    "assist_opinion": _("协办意见"),
    "extension_request": _("申请延期"),
    "extension_decided": _("延期申请已决定"),
    "reply": _("答复"),
    "rehandle": _("重新办理"),
    "follow_up": _("跟踪办理"),
    "close": _("办结"),
    "carry_over": _("结转下年办理"),
    "supervise": _("督办"),
    "mark_key": _("列为重点督办"),
}


def person_column(attr: str, label):
    """A user column with a Chinese heading (the models' user keys have no verbose name)."""

    @admin.display(description=label, ordering=attr)
    def column(self, obj):
        return getattr(obj, attr)

    return column


def local_time(value, fmt="%Y-%m-%d %H:%M") -> str:
    return timezone.localtime(value).strftime(fmt) if value else "—"
