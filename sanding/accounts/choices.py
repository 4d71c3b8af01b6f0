from django.db import models


class Role(models.TextChoices):
    """A user's role is the auth Group they belong to; the group is named by the label."""

    ADMIN = "admin", "编办管理员"
    STAFF = "staff", "编办工作人员"
    CLERK = "clerk", "部门填报员"
    LEADER = "leader", "领导"


GROUP_ROLE = {role.label: role for role in Role}
# Roles that may edit the registry and run the office's workflows.
OFFICE_ROLES = frozenset({Role.ADMIN, Role.STAFF})
# A 部门填报员 in this group also confirms the department's 销号 applications (the ledger's head review).
HEAD_GROUP = "单位负责人"
