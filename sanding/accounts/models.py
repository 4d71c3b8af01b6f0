from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.db import models

from .choices import GROUP_ROLE, Role


class User(AbstractUser):
    region = models.ForeignKey(
        "registry.Region",
        verbose_name="所属区划",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text="编办人员和领导看到本区划及下级区划的数据。",
    )
    department = models.ForeignKey(
        "registry.Department",
        verbose_name="所属部门",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text="部门填报员只能看到本部门的数据。",
    )
    phone = models.CharField("联系电话", max_length=30, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(department__isnull=True) | models.Q(region__isnull=False),
                name="user_department_needs_region",
                violation_error_message="部门填报员必须同时设置所属区划。",
            )
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    @cached_property
    def role(self):
        """The user's role, from group membership (one query, cached for the request)."""
        if self.is_superuser:
            return Role.ADMIN
        names = list(self.groups.values_list("name", flat=True))
        for role in (Role.ADMIN, Role.STAFF, Role.LEADER, Role.CLERK):
            if role.label in names:
                return role
        return None

    @property
    def role_label(self):
        return Role(self.role).label if self.role else "未分配角色"


__all__ = ["GROUP_ROLE", "User"]
