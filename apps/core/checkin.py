"""活动码: the QR code staff show at a lecture, a duty shift or a group activity, with which a
representative who is logged in checks in.

A code is a signed token (Django's signing, salted per kind of event) naming one event and the
end of its window: a code of one event does not open another, nor another kind's, nor anything
after its window. Each app registers its kinds of event here (a lower app keeps the registry,
the apps above register in their `ready()`), and each kind checks in through its app's own
service, the same rules staff marking goes through.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.admin_pages import page
from apps.core.config import config
from apps.core.qr import Poster, pdf_response, posters_pdf, public_url, qr_svg


class CheckInRefused(Exception):
    """A check-in the code or the clock does not allow, with a message for the representative."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class EventKind:
    """How one kind of event takes check-ins.

    find(key) -> the event or None; key(event) -> its key in URLs and codes; window(event) ->
    (opens, closes); title(event) -> what the pages call it; concerns(event, representative) ->
    whether the event lies in the representative's region (outside it, the event is 404 to them as
    any object of another scope); check_in(event=, representative=, by=) -> True when newly
    checked in, False when they already were (raises ValidationError)."""

    name: str
    label: str
    find: Callable[[str], object | None]
    key: Callable[[object], str]
    window: Callable[[object], tuple[datetime, datetime]]
    title: Callable[[object], str]
    concerns: Callable[[object, object], bool]
    check_in: Callable[..., bool]


KINDS: dict[str, EventKind] = {}


def register(kind: EventKind) -> None:
    KINDS[kind.name] = kind


def _salt(kind: str) -> str:
    return f"renda.checkin.{kind}"


# --- windows ------------------------------------------------------------------------------------


def at(day: date, moment: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, moment))


def whole_day(day: date) -> tuple[datetime, datetime]:
    return at(day, time.min), at(day + timedelta(days=1), time.min)


def early(moment: datetime) -> datetime:
    return moment - timedelta(minutes=config("CHECKIN", "EARLY_MINUTES"))


# --- codes --------------------------------------------------------------------------------------


def code_path(kind: EventKind, event) -> str:
    """The path the event's QR code opens; it stops working when the event's window closes."""
    closes = kind.window(event)[1]
    token = signing.dumps({"e": kind.key(event), "u": int(closes.timestamp())}, salt=_salt(kind.name))
    return reverse("checkin", args=[kind.name, kind.key(event), token])


def code_url(kind: EventKind, event) -> str:
    return public_url(code_path(kind, event))


def check_code(kind: EventKind, key: str, token: str, now: datetime) -> None:
    try:
        data = signing.loads(token, salt=_salt(kind.name))
    except signing.BadSignature:
        raise CheckInRefused(_("活动码无效，请扫描工作人员现场出示的签到码。")) from None
    if not isinstance(data, dict) or data.get("e") != key:
        raise CheckInRefused(_("这个活动码不是本次活动的，请扫描本次活动现场出示的签到码。"))
    if now.timestamp() > data.get("u", 0):
        raise CheckInRefused(_("活动码已过期，请联系工作人员。"))


def check_window(window: tuple[datetime, datetime], now: datetime) -> None:
    opens, closes = (timezone.localtime(moment) for moment in window)
    if now < opens:
        raise CheckInRefused(_("签到还没有开始，%(time)s起可以签到。") % {"time": f"{opens:%Y-%m-%d %H:%M}"})
    if now >= closes:
        raise CheckInRefused(
            _("签到已于%(time)s结束，如确实到场，请联系工作人员补登。") % {"time": f"{closes:%Y-%m-%d %H:%M}"}
        )


# --- the staff's page of a code -----------------------------------------------------------------


def code_page(model_admin, request, object_id, kind_name: str, *, event_of=None):
    """The back office's page of an event's 活动码, on screen or as an A4 PDF (?pdf=1).

    Showing the code lets representatives record attendance, so it takes the change permission
    and write scope of the record; outside the scope the record is 404 as everywhere."""
    obj = model_admin.get_object(request, object_id)  # 404 outside the scope
    # Records written only by services answer "may act on it" apart from "may edit its page".
    may_act = getattr(model_admin, "may_act", model_admin.has_change_permission)
    if not may_act(request, obj):
        raise PermissionDenied
    kind = KINDS[kind_name]
    event = event_of(obj) if event_of else obj
    url = code_url(kind, event)
    opens, closes = (timezone.localtime(moment) for moment in kind.window(event))
    when = _("签到时间：%(opens)s 至 %(closes)s") % {
        "opens": f"{opens:%Y-%m-%d %H:%M}",
        "closes": f"{closes:%Y-%m-%d %H:%M}",
    }
    title = _("活动码：%(title)s") % {"title": kind.title(event)}
    if request.GET.get("pdf"):
        poster = Poster(
            heading=kind.title(event), lines=(str(kind.label), when), url=url, call_to_action=_("代表扫码签到")
        )
        return pdf_response(posters_pdf([poster], title=title), f"checkin-{kind.name}-{kind.key(event)}.pdf")
    return page(
        model_admin,
        request,
        "admin/renda/checkin_code.html",
        title,
        original=obj,
        svg=qr_svg(url, scale=8),
        url=url,
        when=when,
    )
