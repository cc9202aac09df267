"""County settings: one accessor, `county_setting(region, key)`, for what a county may set in the admin
(CountySettings) over the deployment's defaults (renda/settings.py, from the environment).

Every county's values are read in one query and cached together (ForgivingRedisCache: with Redis
down each call reads the database). A county's or its settings' save refreshes the entry at once
and again after commit, so pages never pay a query for it in the usual case; a save rolled back
leaves the entry stale for at most CACHE_SECONDS."""

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _

from apps.core.config import config
from apps.core.models import Region
from apps.core.scope import scope_for

CACHE_KEY = "renda:county-settings:v1"
CACHE_SECONDS = 300
FIELDS = [
    "site_name",
    "committee_name",
    "public_contact",
    "reply_months",
    "reply_months_complex",
    "due_soon_days",
    "concern_accept_workdays",
    "concern_resolve_workdays",
    "concern_due_soon_days",
    "outcome_labels",
    "satisfaction_labels",
    "duty_points",
    "grade_excellent_min",
    "grade_competent_min",
]


def _plain(value, row):
    return value if value not in (None, "", {}) else None


def _due_soon(value, row):
    return sorted((int(p) for p in value.split(",") if p.strip()), reverse=True) if value else None


def _merged_with(defaults: Callable[[], dict]):
    return lambda value, row: {**defaults(), **value} if value else None


def _grades(value, row):
    excellent, competent = row.get("grade_excellent_min"), row.get("grade_competent_min")
    if excellent is None and competent is None:
        return None
    default = dict(config("DUTY", "GRADES"))
    return [
        ("excellent", default["excellent"] if excellent is None else excellent),
        ("competent", default["competent"] if competent is None else competent),
        ("incompetent", 0),
    ]


def _committee_default(row):
    return _("县人民代表大会常务委员会")


@dataclass(frozen=True)
class Setting:
    field: str
    default: Callable[[dict], Any]  # of the county's row ({} when unknown)
    read: Callable[[Any, dict], Any] = _plain  # the stored value as callers use it, None for "default"


SETTINGS = {
    "SITE_NAME": Setting("site_name", lambda row: config("", "SITE_NAME")),
    "COMMITTEE_NAME": Setting("committee_name", _committee_default),
    "PUBLIC_CONTACT": Setting("public_contact", lambda row: ""),
    "REPLY_MONTHS": Setting("reply_months", lambda row: config("PROPOSALS", "REPLY_MONTHS")),
    "REPLY_MONTHS_COMPLEX": Setting("reply_months_complex", lambda row: config("PROPOSALS", "REPLY_MONTHS_COMPLEX")),
    "DUE_SOON_DAYS": Setting("due_soon_days", lambda row: config("PROPOSALS", "DUE_SOON_DAYS"), _due_soon),
    "CONCERN_ACCEPT_WORKDAYS": Setting("concern_accept_workdays", lambda row: config("LIAISON", "ACCEPT_WORKDAYS")),
    "CONCERN_RESOLVE_WORKDAYS": Setting("concern_resolve_workdays", lambda row: config("LIAISON", "RESOLVE_WORKDAYS")),
    "CONCERN_DUE_SOON_DAYS": Setting("concern_due_soon_days", lambda row: config("LIAISON", "DUE_SOON_DAYS")),
    "OUTCOME_LABELS": Setting(
        "outcome_labels",
        lambda row: settings.RENDA_PROPOSALS.get("OUTCOME_LABELS") or {},
        _merged_with(lambda: settings.RENDA_PROPOSALS.get("OUTCOME_LABELS") or {}),
    ),
    "SATISFACTION_LABELS": Setting("satisfaction_labels", lambda row: {}),
    "DUTY_POINTS": Setting(
        "duty_points", lambda row: config("DUTY", "POINTS"), _merged_with(lambda: config("DUTY", "POINTS"))
    ),
    "DUTY_GRADES": Setting("grade_excellent_min", lambda row: config("DUTY", "GRADES"), _grades),
}


def county_code_of(region: Region | str | None) -> str | None:
    """The county's code from any region below it, or from its path: the first code of the path."""
    path = region if isinstance(region, str) else getattr(region, "path", None)
    return path.strip("/").split("/")[0] if path and path.strip("/") else None


def _load() -> dict[str, dict]:
    rows = Region.objects.filter(level=Region.Level.COUNTY).values(
        "code", "name", "is_active", *(f"county_settings__{f}" for f in FIELDS)
    )
    prefix = "county_settings__"
    return {r["code"]: {k.removeprefix(prefix): v for k, v in r.items()} for r in rows}


def counties() -> dict[str, dict]:
    """{county code: its name, is_active and stored settings}, from the cache when it can."""
    # Every page reads this (the site's name): a cache that fails, whatever its backend, costs a
    # query, never the page (a citizen's concern form must work with Redis down).
    try:
        found = cache.get(CACHE_KEY)
    except Exception:
        return _load()
    if found is None:
        found = _load()
        _store(found)
    return found


def _store(found: dict) -> None:
    # A failed write leaves the old value to expire.
    with contextlib.suppress(Exception):
        cache.set(CACHE_KEY, found, CACHE_SECONDS)


def refresh() -> None:
    _store(_load())


def county_setting(region: Region | str | None, key: str):
    """The value of `key` for the county that `region` (or a region path) lies in, else the default."""
    setting = SETTINGS[key]
    code = county_code_of(region)
    row = counties().get(code, {}) if code else {}
    value = setting.read(row.get(setting.field), row) if row else None
    return setting.default(row) if value is None else value


def only_county_code() -> str | None:
    """The deployment's county when it holds exactly one active county."""
    active = [code for code, row in counties().items() if row["is_active"]]
    return active[0] if len(active) == 1 else None


def county_code_for_user(user) -> str | None:
    """The county of the deployment when it has one; else the one a signed-in user works in."""
    if only := only_county_code():
        return only
    if not getattr(user, "is_authenticated", False):
        return None
    paths = scope_for(user).region_paths
    if paths:
        return county_code_of(paths[0])
    if user.handling_unit_id:
        return county_code_of(user.handling_unit.region)
    representative = getattr(user, "representative", None) if user.role == user.Role.REPRESENTATIVE else None
    return county_code_of(representative.township) if representative else None


def county_path(code: str | None) -> str | None:
    return f"/{code}/" if code else None


def county_settings_changed(sender, instance, **kwargs) -> None:
    """Signal receiver (connected in CoreConfig.ready()): a county's settings or the county
    region saved or deleted refreshes the cached settings, now and once committed."""
    if sender is Region and instance.level != Region.Level.COUNTY:
        return
    refresh()
    transaction.on_commit(refresh)
