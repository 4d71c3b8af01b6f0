"""Demo accounts (password `sanding-demo`). For the demo only: never load them into a real office."""

from sanding.core.demo import DEMO_PASSWORD, upsert

from .choices import Role
from .models import User
from .services import ensure_role_groups

DEMO_USERS = [
    # username, name, role, region code
    ("admin", "系统管理员", Role.ADMIN, "YZ"),
    ("staff", "市编办 王科长", Role.STAFF, "YZ"),
    ("staff-yc", "云城区编办 李干事", Role.STAFF, "YC"),
    ("staff-dj", "东江县编办 赵干事", Role.STAFF, "DJ"),
    ("leader", "市编办 陈主任", Role.LEADER, "YZ"),
]


def load(*, stdout=None):
    # The registry's models, reached through the user's foreign keys: accounts imports nothing of the registry.
    Region = User._meta.get_field("region").related_model
    Department = User._meta.get_field("department").related_model
    groups = ensure_role_groups()
    regions = {r.code: r for r in Region.objects.all()}
    created = 0

    def account(username, role, values):
        nonlocal created
        user, _ = upsert(User, {"username": username}, values)
        if not user.password:  # new account
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            created += 1
        if not user.groups.filter(pk=groups[role].pk).exists():
            user.groups.add(groups[role])

    for username, name, role, region in DEMO_USERS:
        account(
            username,
            role,
            {
                "last_name": name,
                "email": f"{username}@example.gov.cn",
                "region": regions[region],
                "is_staff": role == Role.ADMIN,
                "is_superuser": username == "admin",
            },
        )
    for department in Department.objects.select_related("region"):
        account(
            f"d-{department.code}",
            Role.CLERK,
            {
                "last_name": f"{department.short_name or department.name}填报员",
                "email": f"d-{department.code.lower()}@example.gov.cn",
                "region": department.region,
                "department": department,
            },
        )
    if stdout:
        stdout.write(f"演示账号：新建 {created} 个（密码 {DEMO_PASSWORD}，仅供演示）。")
