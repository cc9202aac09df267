"""Audit rows written by signals: logins, admin writes and changes to what an account may do.

Connected in CoreConfig.ready().
"""

import threading

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_save, pre_save

from apps.core.audit import audit_detail_update, audit_event, current_batch, masked
from apps.core.models import AuditEvent, User

Kind = AuditEvent.Kind
ADMIN_KINDS = {ADDITION: Kind.ADMIN_ADD, CHANGE: Kind.ADMIN_CHANGE, DELETION: Kind.ADMIN_DELETE}
# What an account may do, besides its m2m regions, groups and permissions.
PERMISSION_FIELDS = ("role", "handling_unit_id", "is_staff", "is_superuser", "is_active")
SAVED_FIELDS = {f.removesuffix("_id") for f in PERMISSION_FIELDS}
NEW_ACCOUNT = {"role": "", "handling_unit_id": None, "is_staff": False, "is_superuser": False, "is_active": True}


class _M2MBefore(threading.local):
    """An account's regions, groups or permissions as they were just before a change (pre_ to post_)."""

    def __init__(self):
        self.values: dict[tuple, list[str]] = {}


_m2m_before = _M2MBefore()


def connect() -> None:
    user_logged_in.connect(logged_in, dispatch_uid="renda_audit_login")
    user_logged_out.connect(logged_out, dispatch_uid="renda_audit_logout")
    user_login_failed.connect(login_failed, dispatch_uid="renda_audit_login_failed")
    post_save.connect(admin_logged, sender=LogEntry, dispatch_uid="renda_audit_admin_write")
    pre_save.connect(account_before_save, sender=User, dispatch_uid="renda_audit_account_before")
    post_save.connect(account_saved, sender=User, dispatch_uid="renda_audit_account_saved")
    for field in ("regions", "groups", "user_permissions"):
        through = getattr(User, field).through
        m2m_changed.connect(account_m2m_changed, sender=through, dispatch_uid=f"renda_audit_account_{field}")


# --- logins --------------------------------------------------------------------------------------


def logged_in(sender, request, user, **kwargs):
    audit_event(Kind.LOGIN, request=request, user=user, target=user)


def logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_event(Kind.LOGOUT, request=request, user=user, target=user)


def login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username") or "")[:150]
    account = User.objects.filter(username=username).first() if username else None
    # No actor: nobody proved who they are. The name tried is kept for the auditor's search.
    audit_event(Kind.LOGIN_FAILED, request=request, user=None, target=account, username=username)


# --- admin writes --------------------------------------------------------------------------------


def admin_logged(sender, instance: LogEntry, created, raw=False, **kwargs):
    if created and not raw:
        audit_log_entry(instance)


def audit_log_entry(entry: LogEntry) -> AuditEvent:
    """One admin add, change or delete (Django's LogEntry) as an audit row."""
    try:
        target = entry.get_edited_object()  # still there: deletions are logged before they happen
    except Exception:  # the model is gone, or the row
        target = None
    return audit_event(
        ADMIN_KINDS.get(entry.action_flag, Kind.ADMIN_CHANGE),
        user=entry.user,
        target=target,
        target_ref=(entry.content_type, entry.object_id or "", entry.object_repr),
        change=entry.get_change_message(),
    )


# --- what an account may do ----------------------------------------------------------------------


def account_before_save(sender, instance: User, raw=False, update_fields=None, **kwargs):
    if raw or (update_fields is not None and not set(update_fields) & SAVED_FIELDS):
        instance._audit_before = None
        return
    if instance.pk is None:
        instance._audit_before = dict(NEW_ACCOUNT)
        return
    instance._audit_before = User.objects.filter(pk=instance.pk).values(*PERMISSION_FIELDS).first()


def account_saved(sender, instance: User, raw=False, **kwargs):
    before = getattr(instance, "_audit_before", None)
    instance._audit_before = None
    if before is None:
        return
    after = {field: getattr(instance, field) for field in PERMISSION_FIELDS}
    _record(instance, before, after)


def account_m2m_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action not in ("pre_add", "pre_remove", "pre_clear", "post_add", "post_remove", "post_clear"):
        return
    field = _m2m_field(sender)
    # Reversed (group.user_set.add(user)), the accounts are in pk_set.
    accounts = list(User.objects.filter(pk__in=pk_set or ())) if reverse else [instance]
    for account in accounts:
        labels = _m2m_labels(account, field)
        if action.startswith("pre_"):
            _m2m_before.values[account.pk, field] = labels
        else:
            before = _m2m_before.values.pop((account.pk, field), None)
            if before is not None:
                _record(account, {field: before}, {field: labels})


def _m2m_field(through) -> str:
    return next(f for f in ("regions", "groups", "user_permissions") if getattr(User, f).through is through)


def _m2m_labels(account: User, field: str) -> list[str]:
    if field == "user_permissions":
        rows = account.user_permissions.values_list("content_type__app_label", "codename")
        return sorted(f"{app}.{codename}" for app, codename in rows)
    return sorted(str(name) for name in getattr(account, field).values_list("name", flat=True))


def _record(account: User, before: dict, after: dict) -> None:
    """Write the change, or fold it into this request's row for the same account."""
    batch = current_batch()
    pending = batch.get(account.pk) if batch is not None else None
    if pending is None:
        pending = {"before": {}, "after": {}, "event": None}
    for field, value in before.items():
        pending["before"].setdefault(field, value)
    pending["after"].update(after)
    changes = {
        field: [_shown(old), _shown(pending["after"][field])]
        for field, old in pending["before"].items()
        if old != pending["after"][field]
    }
    if pending["event"] is not None and not changes:  # undone within the request: nothing happened
        pending["event"].delete()
        pending["event"] = None
    elif pending["event"] is not None:
        if pending["event"].detail.get("changes") != masked(changes):
            audit_detail_update(pending["event"], changes=changes)
    elif changes:
        pending["event"] = audit_event(Kind.PERMISSION_CHANGE, target=account, changes=changes)
    if batch is not None:
        batch[account.pk] = pending


def _shown(value):
    return value if value is None or isinstance(value, (bool, int, str, list)) else str(value)
