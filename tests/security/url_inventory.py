"""Who may reach every URL of renda. A new view without an entry here fails test_url_inventory.

Keys are "namespace:name", or the full route for an unnamed pattern. Anonymous access is the
explicit allowlist below; everything under the admin is staff-only by one prefix rule, except the
few admin pages anonymous visitors need (its login page).
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

ANONYMOUS = "anonymous"  # anyone, logged in or not
LOGIN = "login"  # any logged-in account
REPRESENTATIVE = "representative"  # an account linked to a representative
UNIT = "unit"  # handling-unit staff with a unit
STAFF = "staff"  # back-office staff in the admin (committee, township, liaison roles)

ROLES = (REPRESENTATIVE, UNIT, STAFF)

PUBLIC = frozenset({ANONYMOUS})
LOGGED_IN = frozenset({LOGIN})
REP = frozenset({REPRESENTATIVE})
UNIT_ONLY = frozenset({UNIT})
ADMIN = frozenset({STAFF})

INVENTORY: dict[str, frozenset[str]] = {
    # core
    "home": PUBLIC,
    "favicon.ico": PUBLIC,
    "healthz": PUBLIC,  # for a load balancer: database and cache up or not, nothing personal
    "login": PUBLIC,
    "logout": PUBLIC,  # logging out needs no account; it only ends a session
    "set_language": PUBLIC,
    "display_mode": PUBLIC,
    "landing": LOGGED_IN,
    "account_invitation": PUBLIC,  # the link itself is the credential: a one-time token
    "invitation_done": PUBLIC,
    "unit_home": UNIT_ONLY,
    "checkin": REP,  # 活动码: a representative checks in; anyone else is told so (403)
    "workbench": ADMIN,  # staff workbenches (待办), behind the admin's own check
    # representatives
    "representatives:roster": PUBLIC,
    "representatives:mine": REP,
    "representatives:duty_record": REP,
    "representatives:activities": REP,
    "representatives:activity_new": REP,
    "representatives:activity_edit": REP,
    "representatives:activity_delete": REP,
    # notifications
    "notifications:inbox": LOGGED_IN,
    "notifications:mark_read": LOGGED_IN,
    # proposals
    "proposals:unit_list": UNIT_ONLY,
    "proposals:unit_detail": UNIT_ONLY,
    "proposals:unit_plan": UNIT_ONLY,
    "proposals:unit_contact": UNIT_ONLY,
    "proposals:unit_opinion": UNIT_ONLY,
    "proposals:unit_reply": UNIT_ONLY,
    "proposals:unit_extension": UNIT_ONLY,
    "proposals:unit_return": UNIT_ONLY,
    "proposals:unit_notices": UNIT_ONLY,
    "proposals:mine": REP,
    "proposals:new": REP,
    "proposals:mine_detail": REP,
    "proposals:mine_edit": REP,
    "proposals:mine_submit": REP,
    "proposals:mine_cosign": REP,
    "proposals:mine_withdraw": REP,
    "proposals:mine_feedback": REP,
    "proposals:reply_letter": frozenset({UNIT, REPRESENTATIVE, STAFF}),
    "proposals:public_list": PUBLIC,
    "proposals:public_detail": PUBLIC,
    # Public when the notice is; otherwise the units it names and staff (404 for the rest).
    "proposals:notice_detail": PUBLIC,
    "proposals:notice_pdf": PUBLIC,
    # liaison
    "liaison:concern_new": PUBLIC,
    "liaison:concern_submitted": PUBLIC,
    "liaison:track": PUBLIC,
    "liaison:track_rate": PUBLIC,
    "liaison:track_photo": PUBLIC,
    "liaison:reception_days": PUBLIC,
    "liaison:to_representative": PUBLIC,  # 代表码
    "liaison:representative_qr": PUBLIC,
    "liaison:to_office": PUBLIC,  # 联络站码
    "liaison:office_qr": PUBLIC,
    "liaison:offices": PUBLIC,
    "liaison:unit_concerns": UNIT_ONLY,
    "liaison:my_concerns": REP,
    "liaison:concern_detail": frozenset({UNIT, REPRESENTATIVE}),
    "liaison:concern_answer": frozenset({UNIT, REPRESENTATIVE}),
    "liaison:concern_return": UNIT_ONLY,
    "liaison:concern_photo": frozenset({UNIT, REPRESENTATIVE}),
    "liaison:my_shifts": REP,
    "liaison:shift_check_in": REP,
    "liaison:shift_check_out": REP,
    # training
    "training:my_lectures": REP,
    "training:lecture_material": frozenset({STAFF, REPRESENTATIVE}),
    # posts
    "posts:mine": REP,
    "posts:log_new": REP,
    "posts:log_edit": REP,
    "posts:log_delete": REP,
    "posts:log_photo": REP,
    # groups
    "groups:mine": REP,
    "groups:group_detail": REP,
    "groups:activity_new": REP,
    "groups:problem_new": REP,
    # livelihood
    "livelihood:public": PUBLIC,
    "livelihood:public_detail": PUBLIC,
    "livelihood:idea_new": PUBLIC,
    "livelihood:idea_thanks": PUBLIC,
    "livelihood:my": REP,
    "livelihood:idea_propose": REP,
    "livelihood:ballot_vote": REP,
    "livelihood:ballot_done": REP,
    "livelihood:unit_list": UNIT_ONLY,
    "livelihood:unit_project": UNIT_ONLY,
    # dashboard: committee and township staff, within their regions
    "dashboard:index": ADMIN,
    "dashboard:report": ADMIN,
    "dashboard:report_print": ADMIN,
    # Jobs are named by an unguessable token; their files go to the requester, or to staff whose
    # scope covers the job (exports: committee staff, with the register's export permission).
    "dashboard:report_status": ADMIN,
    "dashboard:report_download": ADMIN,
    "export_jobs": ADMIN,
    "export_download": ADMIN,
    # admin pages anonymous visitors need
    "admin:login": PUBLIC,
    "admin:logout": PUBLIC,  # sends non-staff to the admin's index, i.e. its login page
}

# Route prefixes whose every URL has one audience, unless INVENTORY names it.
PREFIX_RULES: tuple[tuple[str, frozenset[str]], ...] = (("admin/", ADMIN),)

# Routes that exist only with DEBUG on (the development media server): never in production.
DEBUG_ONLY: dict[str, frozenset[str]] = {"^media/(?P<path>.*)$": PUBLIC}


@dataclass(frozen=True)
class Url:
    key: str  # "namespace:name", else the route
    route: str  # the full route, e.g. "proposals/mine/<int:pk>/"
    pattern: URLPattern

    @property
    def params(self) -> list[str]:
        """Names of the route's parameters (named groups, else positional ones as "0", "1")."""
        regex = self.pattern.pattern.regex
        return list(regex.groupindex) or [str(i) for i in range(regex.groups)]


def walk(resolver: URLResolver | None = None, prefix: str = "", namespace: str = "") -> Iterator[Url]:
    """Every pattern of the URLconf, admin included, with its full route and namespaced name."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = ":".join(n for n in (namespace, entry.namespace) if n)
            yield from walk(entry, route, inner)
        elif entry.name:
            yield Url(":".join(n for n in (namespace, entry.name) if n), route, entry)
        else:
            yield Url(route, route, entry)


def audience(url: Url) -> frozenset[str] | None:
    """Who may reach `url` by this inventory; None when it is not declared."""
    if url.key in INVENTORY:
        return INVENTORY[url.key]
    if url.key in DEBUG_ONLY:
        return DEBUG_ONLY[url.key]
    for prefix, who in PREFIX_RULES:
        if url.route.startswith(prefix):
            return who
    return None


# --- sample arguments ---------------------------------------------------------------------------


def _rep_code(world) -> str:
    from apps.representatives.services import contact_code_issue

    return contact_code_issue(representative=world.rep).contact_code


def _office_code(world) -> str:
    from apps.liaison.services import office_contact_code_issue

    return office_contact_code_issue(office=world.office).contact_code


# Arguments of the parameterised portal routes, from the `world` of tests/security/conftest.py
# (objects of township A, owned by its representative and the county's unit).
SAMPLES = {
    "representatives:activity_edit": lambda w: {"pk": w.duty_activity.pk},
    "representatives:activity_delete": lambda w: {"pk": w.duty_activity.pk},
    **{
        f"proposals:unit_{action}": lambda w: {"pk": w.assignment.pk}
        for action in ("detail", "plan", "contact", "opinion", "reply", "extension", "return")
    },
    **{
        f"proposals:mine_{action}": lambda w: {"pk": w.proposal.pk}
        for action in ("detail", "submit", "cosign", "withdraw", "feedback")
    },
    "proposals:mine_edit": lambda w: {"pk": w.draft.pk},  # only drafts are edited
    "proposals:reply_letter": lambda w: {"reply_pk": w.reply.pk},
    "proposals:public_detail": lambda w: {"pk": w.proposal.pk},
    "proposals:notice_detail": lambda w: {"pk": 1},
    "proposals:notice_pdf": lambda w: {"pk": 1},
    "liaison:concern_submitted": lambda w: {"code": w.concern.tracking_code},
    "liaison:track_rate": lambda w: {"code": w.concern.tracking_code},
    "liaison:track_photo": lambda w: {"token": "not-a-token"},
    "liaison:to_representative": lambda w: {"code": _rep_code(w)},
    "liaison:representative_qr": lambda w: {"code": _rep_code(w), "fmt": "png"},
    "liaison:to_office": lambda w: {"code": _office_code(w)},
    "liaison:office_qr": lambda w: {"code": _office_code(w), "fmt": "svg"},
    "checkin": lambda w: {"kind": "lecture", "key": w.lecture.pk, "token": "not-a-token"},
    "liaison:concern_detail": lambda w: {"pk": w.concern.pk},
    "liaison:concern_answer": lambda w: {"pk": w.concern.pk},
    "liaison:concern_return": lambda w: {"pk": w.concern.pk},
    "liaison:concern_photo": lambda w: {"pk": w.concern.pk, "photo_pk": w.concern_photo.pk},
    "liaison:shift_check_in": lambda w: {"pk": w.shift.pk},
    "liaison:shift_check_out": lambda w: {"pk": w.shift.pk},
    "training:lecture_material": lambda w: {"pk": w.lecture.pk},
    "posts:log_new": lambda w: {"assignment_pk": w.post_assignment.pk},
    "posts:log_edit": lambda w: {"pk": w.post_log.pk},
    "posts:log_delete": lambda w: {"pk": w.post_log.pk},
    "posts:log_photo": lambda w: {"pk": w.post_log.pk, "photo_pk": w.post_log_photo.pk},
    "groups:group_detail": lambda w: {"pk": w.group.pk},
    "livelihood:public_detail": lambda w: {"pk": w.project.pk},
    "livelihood:idea_thanks": lambda w: {"token": "not-a-token"},
    "livelihood:ballot_vote": lambda w: {"pk": w.county_ballot.pk},
    "livelihood:ballot_done": lambda w: {"pk": w.county_ballot.pk},
    "livelihood:unit_project": lambda w: {"pk": w.project.pk},
    "dashboard:report_status": lambda w: {"token": w.report_job.token},
    "dashboard:report_download": lambda w: {"token": w.report_job.token, "kind": "pdf"},
    "export_download": lambda w: {"token": w.export_job.token},
    "account_invitation": lambda w: {"uidb64": "MQ", "token": "not-a-token"},
}

# Admin parameters by name: the admin refuses outsiders before it looks the object up.
ADMIN_PARAMS = {
    "object_id": "1",
    "id": "1",
    "pk": "1",
    "photo_id": "1",
    "content_type_id": "1",
    "app_label": "core",
    "url": "nowhere/",
    "0": "1",
    "1": "1",
}


def _generic_admin(url: Url) -> bool:
    return url.route.startswith("admin/") and set(url.params) <= set(ADMIN_PARAMS)


def has_arguments(url: Url) -> bool:
    return not url.params or url.key in SAMPLES or _generic_admin(url)


def arguments(url: Url, world) -> dict[str, str] | None:
    """Values for the route's parameters; None when no sample is declared."""
    if not url.params:
        return {}
    if url.key in SAMPLES:
        return {k: str(v) for k, v in SAMPLES[url.key](world).items()}
    if _generic_admin(url):
        return {p: ADMIN_PARAMS[p] for p in url.params}
    return None


def path_of(url: Url, values: dict[str, str]) -> str:
    """The URL path with `values` filled in (named or not, route or regex)."""
    route = url.route
    for name, value in values.items():
        if name.isdigit():  # positional regex groups: the first unnamed group left
            route = re.sub(r"\((?!\?P<)[^)]*\)", value, route, count=1)
        else:
            route = re.sub(rf"<(?:\w+:)?{name}>|\(\?P<{name}>[^)]*\)", value, route)
    return "/" + route.replace("^", "").replace("$", "")
