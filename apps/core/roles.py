"""Role groups: each role is a Django group whose permissions the apps declare in code.

Every app grants its permissions to roles in its AppConfig.ready(); after each migrate the
groups are brought in line with those declarations, so a deployment never drifts from code.
"""

from collections import defaultdict

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from apps.core.models import User

Role = User.Role

_GRANTS: dict[str, set[str]] = defaultdict(set)


def grant(role: str, permissions: str) -> None:
    """Declare that `role` holds these "app_label.codename" permissions (space separated)."""
    _GRANTS[role].update(permissions.split())


def crud(app_label: str, *models: str, verbs: tuple[str, ...] = ("view", "add", "change")) -> str:
    """The "app_label.verb_model" permissions of every model for every verb, space separated, for grant()."""
    return " ".join(f"{app_label}.{verb}_{model}" for model in models for verb in verbs)


def granted(role: str) -> frozenset[str]:
    return frozenset(_GRANTS.get(role, ()))


def group_name(role: str) -> str:
    return f"role:{role}"


@transaction.atomic
def sync_role_groups() -> None:
    for role in Role.values:
        group, _ = Group.objects.get_or_create(name=group_name(role))
        wanted = granted(role)
        perms = [
            p
            for p in Permission.objects.select_related("content_type")
            if f"{p.content_type.app_label}.{p.codename}" in wanted
        ]
        missing = wanted - {f"{p.content_type.app_label}.{p.codename}" for p in perms}
        if missing:
            raise LookupError(f"Permissions granted to {role} do not exist: {sorted(missing)}")
        group.permissions.set(perms)


def sync_role_groups_after_migrate(sender, app_config=None, **kwargs):
    # Run once, after the last app has created its permissions.
    with_models = [c.label for c in apps.get_app_configs() if c.models_module is not None]
    if app_config is not None and app_config.label == with_models[-1]:
        sync_role_groups()
