"""Words for people of the codes the services write (the portals and the admin read the same)."""

from django.utils.translation import gettext_lazy

# ConcernEvent.action is a code written by the services; these are its words for people.
# ConcernEvent.action is a code written by the services; these are its words for people.
EVENT_LABELS = {
    "submit": gettext_lazy("提交"),
    "accept": gettext_lazy("受理"),
    "refer_out": gettext_lazy("引导至其他渠道"),
    "route": gettext_lazy("转办"),
    "resolve": gettext_lazy("办理答复"),
    "answer_on_spot": gettext_lazy("当场答复"),
    "rate": gettext_lazy("群众评价"),
    "revisit": gettext_lazy("回访"),
    "close": gettext_lazy("办结"),
    "to_proposal": gettext_lazy("转为代表建议"),
    "recount_due": gettext_lazy("重新计算期限"),
    "deadline_change": gettext_lazy("调整办理期限"),
    "return_request": gettext_lazy("申请退回"),
    "return_approved": gettext_lazy("退回重新转办"),
    "return_decided": gettext_lazy("退回申请已决定"),
}
