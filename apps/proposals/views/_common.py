"""What the proposal portals share: the timeline's words."""

from django.utils.translation import gettext_lazy

from apps.proposals import forms
from apps.proposals.models import Proposal

# ProposalEvent.action is a code written by the services; these are its words for people.
EVENT_LABELS = {
    "create": gettext_lazy("起草"),
    "edit": gettext_lazy("修改"),
    "submit": gettext_lazy("提交"),
    "cosign_confirm": gettext_lazy("确认附议"),
    "cosign_decline": gettext_lazy("不附议"),
    "cosign_recorded": gettext_lazy("工作人员登记附议确认"),
    "cosign_removed": gettext_lazy("移除附议代表"),
    "accept": gettext_lazy("受理"),
    "return": gettext_lazy("退回"),
    "merge": gettext_lazy("并案"),
    "withdraw_agree": gettext_lazy("同意撤回"),
    "withdraw": gettext_lazy("撤回"),
    "assign": gettext_lazy("交办"),
    "return_request": gettext_lazy("申请退回调整"),
    "return_decided": gettext_lazy("退回申请已决定"),
    "reassign_needed": gettext_lazy("退回后待重新交办"),
    "plan": gettext_lazy("制定办理方案"),
    "contact": gettext_lazy("与代表沟通"),
    "assist_opinion": gettext_lazy("协办意见"),
    "extension_request": gettext_lazy("申请延期"),
    "extension_decided": gettext_lazy("延期申请已决定"),
    "reply": gettext_lazy("答复"),
    "rehandle": gettext_lazy("不满意，重新办理"),
    "follow_up": gettext_lazy("跟踪办理"),
    "close": gettext_lazy("办结"),
    "carry_over": gettext_lazy("结转下年办理"),
    "supervise": gettext_lazy("督办"),
    "mark_key": gettext_lazy("列为重点督办"),
}


def timeline(proposal: Proposal) -> list:
    events = list(proposal.events.all())
    for event in events:
        event.label = EVENT_LABELS.get(event.action, event.action)
    return events


def label_outcomes(replies):
    for reply in replies:
        reply.outcome_label = forms.outcome_label(reply.outcome)
    return replies
