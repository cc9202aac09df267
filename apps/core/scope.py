"""The one scope mechanism: what a user may see, used by the admin and the portal alike.

A scoped model declares where its region path lives (`scope_path`, e.g. "township__path")
and, optionally, which field names its handling unit (`scope_unit_field`) and whether users
may also read rows of the regions above theirs (`scope_includes_ancestors`, for reference data
such as congress terms). `Model.objects.visible_to(user)` then returns what that user may see.
"""

from dataclasses import dataclass

from django.db import models
from django.db.models import Q


@dataclass(frozen=True)
class Scope:
    unrestricted: bool = False
    region_paths: tuple[str, ...] = ()
    unit_id: int | None = None

    def q_for(self, model, *, strict: bool = False) -> Q | None:
        """A filter for `model`'s rows in this scope; None when nothing is in scope."""
        path_field = getattr(model, "scope_path", None)
        unit_field = getattr(model, "scope_unit_field", None)
        q = Q()
        matched = False
        if path_field:
            for path in self.region_paths:
                q |= Q(**{f"{path_field}__startswith": path})
                matched = True
            if getattr(model, "scope_includes_ancestors", False) and not strict:
                ancestors = {a for p in self.region_paths for a in ancestor_paths(p) if a != p}
                if ancestors:
                    q |= Q(**{f"{path_field}__in": sorted(ancestors)})
        if unit_field and self.unit_id is not None:
            q |= Q(**{unit_field: self.unit_id})
            matched = True
        return q if matched else None

    def contains_path(self, path: str) -> bool:
        """Whether the region at `path` lies inside this scope itself (not merely above it)."""
        return self.unrestricted or any(path.startswith(p) for p in self.region_paths)

    def covers(self, obj) -> bool:
        """Whether `obj` lies inside this scope itself (not merely above it)."""
        if self.unrestricted:
            return True
        q = self.q_for(type(obj), strict=True)
        return q is not None and type(obj)._default_manager.filter(q, pk=obj.pk).exists()


def ancestor_paths(path: str) -> list[str]:
    """'/a/b/c/' -> ['/a/', '/a/b/', '/a/b/c/']."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


UNRESTRICTED = Scope(unrestricted=True)
EMPTY = Scope()


def scope_for(user) -> Scope:
    """The scope of a user, computed once per request object and cached on it."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return EMPTY
    cached = getattr(user, "_renda_scope", None)
    if cached is not None:
        return cached
    scope = _compute_scope(user)
    user._renda_scope = scope
    return scope


def _compute_scope(user) -> Scope:
    if user.is_superuser:
        return UNRESTRICTED
    paths = tuple(user.regions.values_list("path", flat=True)) if user.role in user.STAFF_ROLES else ()
    unit_id = user.handling_unit_id if user.role == user.Role.UNIT else None
    return Scope(region_paths=paths, unit_id=unit_id)


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.in_scope(scope_for(user))

    def in_scope(self, scope: Scope, *, strict: bool = False):
        if scope.unrestricted:
            return self
        q = scope.q_for(self.model, strict=strict)
        return self.filter(q) if q is not None else self.none()
