from django.core.management import call_command

from sanding.accounts.models import User
from sanding.registry import models as registry


def counts():
    models = [
        registry.Region,
        registry.Department,
        registry.Regulation,
        registry.InternalUnit,
        registry.Duty,
        registry.DutyAssignment,
        registry.StaffingQuota,
        registry.LeaderPost,
        registry.Plaque,
        User,
    ]
    rows = {m.__name__: m.objects.count() for m in models}
    rows["history"] = registry.Department.history.count() + registry.InternalUnit.history.count()
    return rows


def test_load_demo_twice_gives_the_same_counts(db):
    call_command("load_demo")
    first = counts()
    call_command("load_demo")
    assert counts() == first
    assert (first["Region"], first["Department"], first["InternalUnit"], first["StaffingQuota"]) == (3, 64, 351, 96)


def test_demo_accounts_have_their_roles_and_scope(db, client):
    call_command("load_demo")
    clerk = User.objects.get(username="d-YZ030")
    assert (clerk.role, clerk.department.name) == ("clerk", "云州市市场监督管理局")
    # Through the login form: django-axes needs the request that client.login() does not pass.
    response = client.post("/login/", {"username": "staff", "password": "sanding-demo"})
    assert response.status_code == 302 and response.url == "/"
    assert User.objects.get(username="admin").is_superuser is True
    assert registry.Department.objects.visible_to(User.objects.get(username="staff")).count() == 64
    assert registry.Department.objects.visible_to(User.objects.get(username="staff-yc")).count() == 12
    assert registry.Department.objects.visible_to(clerk).count() == 1
