"""The audit log: each security-relevant event is one `AuditEvent` row and one `renda.audit` line.

`audit_event` is the one way to record an event. It runs inside the caller's transaction, so an
action rolled back leaves no row, and a row that cannot be written fails the action rather than
letting it pass unrecorded. Phone and ID numbers never reach the row or the line in full: every
run of seven or more digits in `detail` is masked.

Signals (logins, admin writes, permission changes) carry no request: `AuditRequestMiddleware`
keeps the current one, so those rows still say who acted and from where.
"""

import contextvars
import json
import logging
import os
import re
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import validate_ipv46_address
from django.utils import timezone

from apps.core.models import AuditEvent, User
from apps.core.network import client_ip

Kind = AuditEvent.Kind
log = logging.getLogger("renda.audit")

MIN_RETENTION_DAYS = 180  # 等保 2.0 and the Cybersecurity Law (Art 21): at least six months
_DIGITS = re.compile(r"\d{7,}[Xx]?")
_request = contextvars.ContextVar("renda_audit_request", default=None)
_batch = contextvars.ContextVar("renda_audit_batch", default=None)


def audit_event(
    kind: str,
    *,
    request=None,
    user=None,
    target=None,
    target_ref: tuple | None = None,
    region_path: str | None = None,
    **detail,
) -> AuditEvent:
    """Record one event: who (`user`, else the request's user), from where, on what, and details.

    `target` is the object acted on; `target_ref` = (content type, id, text) names one that need
    not be loaded (an admin log entry's)."""
    request = request if request is not None else _request.get()
    actor = user if user is not None else getattr(request, "user", None)
    actor = actor if getattr(actor, "is_authenticated", False) else None
    detail = masked(detail)
    target_type, target_id, target_repr = target_ref or _reference(target)
    event = AuditEvent.objects.create(
        kind=kind,
        actor=actor,
        actor_username=(actor.get_username() if actor else str(detail.pop("username", "")))[:150],
        ip=_ip(request),
        target_type=target_type,
        target_id=str(target_id)[:64],
        target_repr=masked(str(target_repr))[:200],
        region_path=(region_path_of(target) or region_path_of(actor)) if region_path is None else region_path,
        detail=detail,
    )
    _log(event)
    return event


def _reference(target) -> tuple:
    if target is None:
        return None, "", ""
    return ContentType.objects.get_for_model(target, for_concrete_model=False), target.pk, target


def _log(event: AuditEvent) -> None:
    log.info(
        "%s target=%s:%s by=%s ip=%s %s",
        event.kind,
        event.target_type.model if event.target_type_id else "-",
        event.target_id or "-",
        event.actor_username or "-",
        event.ip or "-",
        json.dumps(event.detail, ensure_ascii=False, cls=DjangoJSONEncoder, sort_keys=True),
    )


def audit_detail_update(event: AuditEvent, **detail) -> AuditEvent:
    """Replace the details of a row written earlier in the same request (permission changes made
    in several steps are one event)."""
    event.detail = masked(detail)
    AuditEvent.objects.filter(pk=event.pk).update(detail=event.detail)
    _log(event)
    return event


# --- what a row may hold -----------------------------------------------------------------------


def mask_digits(text: str) -> str:
    """13812345678 -> 138****5678, an ID number -> 430***********1234, shorter runs -> ***45."""

    def hide(match):
        run = match.group()
        if len(run) >= 11:
            return run[:3] + "*" * (len(run) - 7) + run[-4:]
        return "*" * (len(run) - 2) + run[-2:]

    return _DIGITS.sub(hide, text)


def masked(value):
    """`value` with every string in it passed through `mask_digits`."""
    if isinstance(value, str):
        return mask_digits(value)
    if isinstance(value, dict):
        return {str(k): masked(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [masked(v) for v in value]
    return value


def looks_like_phone(query: str) -> bool:
    """A search for a phone number: four or more digits and little else."""
    digits = sum(ch.isdigit() for ch in query)
    return digits >= 4 and digits >= len(query.replace(" ", "").replace("-", "")) - 1


def _ip(request) -> str | None:
    if request is None:
        return None
    address = client_ip(request)
    try:
        validate_ipv46_address(address)
    except ValidationError:
        return None
    return address


def region_path_of(obj) -> str:
    """The region path that scopes `obj`: its model's `scope_path`, or an account's regions."""
    if obj is None:
        return ""
    if isinstance(obj, User):
        return _account_region_path(obj)
    value = obj
    for attr in (getattr(type(obj), "scope_path", None) or "").split("__"):
        value = getattr(value, attr, None) if attr else None
        if value is None:
            return ""
    return value if isinstance(value, str) and value != "/" else ""  # "/": everything, i.e. no one region


def _account_region_path(user: User) -> str:
    # A scope already computed for this request holds a staff member's regions: no query. Never
    # compute one here: it would be cached on an account whose regions are still being set.
    scope = getattr(user, "_renda_scope", None)
    paths = list(scope.region_paths) if scope is not None else []
    if not paths and user.pk:
        paths = list(user.regions.values_list("path", flat=True))
    if paths:
        common = os.path.commonpath(paths).rstrip("/")
        return f"{common}/" if common else ""
    if user.handling_unit_id:
        return user.handling_unit.region.path
    representative = getattr(user, "representative", None) if user.pk else None
    return representative.township.path if representative is not None and representative.township_id else ""


# --- keeping it --------------------------------------------------------------------------------


def retention_days() -> int:
    return getattr(settings, "RENDA_AUDIT_RETENTION_DAYS", MIN_RETENTION_DAYS)


def audit_purge(*, now=None) -> int:
    """Delete the rows older than the retention period; the number deleted."""
    limit = (now or timezone.now()) - timedelta(days=max(retention_days(), MIN_RETENTION_DAYS))
    deleted, _by_model = AuditEvent.objects.filter(at__lt=limit).delete()
    return deleted


# --- the request behind a signal ---------------------------------------------------------------


def current_batch() -> dict | None:
    """The permission changes of this request (or `audit_batch` block), by account; None outside."""
    return _batch.get()


@contextmanager
def audit_batch():
    """Permission changes made inside are one row per account: an admin save sets the role, then
    the regions, then the groups and staff flag that follow the role, and that is one change."""
    if _batch.get() is not None:
        yield
        return
    token = _batch.set({})
    try:
        yield
    finally:
        _batch.reset(token)


class AuditRequestMiddleware:
    """Keeps the request for the audit rows that signals write (they are given none)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            with audit_batch():
                return self.get_response(request)
        finally:
            _request.reset(token)
