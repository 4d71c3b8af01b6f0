"""The one mechanism that decides what a user may see.

Every scoped model inherits `ScopedModel` and names the path to its region and to its department;
`Model.objects.visible_to(user)` filters by the user's scope, and `get_visible_or_404` does the same
for a single object. Views never filter by role, region or department themselves.

- superuser without a region: everything;
- 编办管理员 / 编办工作人员 / 领导: their region and every region below it;
- 部门填报员: their own department only;
- a user without a role: nothing.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404

from .choices import OFFICE_ROLES, Role


@dataclass(frozen=True)
class Scope:
    role: str | None
    region_ids: frozenset | None  # None means every region
    department_id: int | None = None

    @property
    def is_office(self):
        return self.role in OFFICE_ROLES

    @property
    def is_admin(self):
        return self.role == Role.ADMIN

    @property
    def is_clerk(self):
        return self.role == Role.CLERK

    @property
    def sees_nothing(self):
        return self.role is None or (self.is_clerk and self.department_id is None)


def scope_for(user):
    """The user's scope, computed once per request and cached on the user object."""
    cached = getattr(user, "_sanding_scope", None)
    if cached is not None:
        return cached
    if not user.is_authenticated:
        scope = Scope(role=None, region_ids=frozenset())
    else:
        role = user.role
        if role == Role.CLERK:
            scope = Scope(role=role, region_ids=frozenset(), department_id=user.department_id)
        elif user.region_id is None:
            region_ids = None if user.is_superuser else frozenset()
            scope = Scope(role=role, region_ids=region_ids)
        else:
            scope = Scope(role=role, region_ids=_region_subtree(user))
    user._sanding_scope = scope
    return scope


def _region_subtree(user):
    """Ids of the user's region and every region below it. The Region model is reached through the user's
    own foreign key, so this module imports nothing of the registry, whose models build on it."""
    regions = user._meta.get_field("region").related_model
    return regions.objects.subtree_ids(user.region_id)


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user):
        scope = scope_for(user)
        if scope.sees_nothing:
            return self.none()
        return self.filter(self.model.scope_q(scope))


class ScopedModel(models.Model):
    """Declare how a model hangs off a region and a department.

    `scope_region_path` / `scope_department_path` are lookups to the Region and Department foreign keys
    (`"pk"` on Department itself). A model whose department scope is not a single path overrides
    `scope_department_q`.
    """

    scope_region_path = "department__region"
    scope_department_path = "department"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def scope_department_q(cls, department_id):
        return models.Q(**{cls.scope_department_path: department_id})

    @classmethod
    def scope_q(cls, scope):
        if scope.is_clerk:
            return cls.scope_department_q(scope.department_id)
        if scope.region_ids is None:
            return models.Q()
        return models.Q(**{f"{cls.scope_region_path}__in": scope.region_ids})


def get_visible_or_404(queryset, user, **lookup):
    """Fetch one object through the user's scope; out of scope is indistinguishable from missing."""
    if isinstance(queryset, type):
        queryset = queryset.objects.all()
    try:
        return queryset.visible_to(user).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404("未找到该记录，或您无权查看。") from None


def require_office(user):
    """Writes reserved to 编办 staff and admins: everyone else gets 403."""
    if not scope_for(user).is_office:
        raise PermissionDenied("只有编办工作人员可以执行此操作。")


def require_admin(user):
    if not scope_for(user).is_admin:
        raise PermissionDenied("只有编办管理员可以执行此操作。")
