"""Issue 9, hole 1: no privilege escalation through 管理后台 → 用户 and 组."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from sanding.accounts.choices import HEAD_GROUP, Role
from sanding.accounts.models import User
from tests.admin_helpers import admin_form_data
from tests.factories import DepartmentFactory, UserFactory


@pytest.fixture
def county_admin(county):
    return UserFactory(username="admin-yc", role=Role.ADMIN, region=county, is_staff=True)


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def _county_clerk(department):
    return UserFactory(username="d-YC012", role=Role.CLERK, region=department.region, department=department)


def _change_url(user):
    return reverse("admin:accounts_user_change", args=[user.pk])


def test_county_admin_cannot_make_themselves_superuser_or_leave_their_region(login, county_admin, county, city):
    client = login(county_admin)
    page = client.get(_change_url(county_admin))
    assert page.status_code == 200
    every_group = [str(pk) for pk in Group.objects.values_list("pk", flat=True)]
    perm = str(Permission.objects.get(codename="change_user").pk)
    data = admin_form_data(
        page,
        is_superuser="on",
        is_staff="on",
        user_permissions=[perm],
        groups=every_group,
        region="",
        first_name="改过名",
    )
    response = client.post(_change_url(county_admin), data)
    assert response.status_code == 302
    county_admin.refresh_from_db()
    assert (county_admin.first_name, county_admin.is_superuser, county_admin.region_id) == ("改过名", False, county.pk)
    assert list(county_admin.groups.values_list("name", flat=True)) == [Role.ADMIN.label]
    assert list(county_admin.user_permissions.all()) == []
    # And a region other than their own (the city above them) is not accepted either.
    response = client.post(_change_url(county_admin), {**data, "region": str(city.pk)})
    county_admin.refresh_from_db()
    assert county_admin.region_id == county.pk


def test_county_admin_cannot_grant_superuser_staff_or_permissions_to_a_clerk(login, county_admin, county_department):
    clerk = _county_clerk(county_department)
    client = login(county_admin)
    page = client.get(_change_url(clerk))
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert {"is_superuser", "is_staff", "user_permissions"}.isdisjoint(form.fields)
    perm = str(Permission.objects.get(codename="change_user").pk)
    client.post(_change_url(clerk), admin_form_data(page, is_superuser="on", is_staff="on", user_permissions=[perm]))
    clerk.refresh_from_db()
    assert (clerk.is_superuser, clerk.is_staff, list(clerk.user_permissions.all())) == (False, False, [])


def test_county_admin_is_offered_only_groups_without_permissions(login, county_admin, county_department):
    powerful = Group.objects.create(name="超级分组")
    powerful.permissions.add(Permission.objects.get(codename="change_user"))
    clerk = _county_clerk(county_department)
    client = login(county_admin)
    page = client.get(_change_url(clerk))
    offered = set(page.context["adminform"].form.fields["groups"].queryset.values_list("name", flat=True))
    assert powerful.name not in offered
    assert {role.label for role in Role} <= offered
    response = client.post(_change_url(clerk), admin_form_data(page, groups=[str(powerful.pk)]))
    assert response.status_code == 200  # the form refuses the choice
    assert list(clerk.groups.values_list("name", flat=True)) == [Role.CLERK.label]


def test_county_admin_manages_only_plain_users_of_their_region(login, county_admin, county, city, superuser):
    city_clerk = UserFactory(username="d-city", role=Role.CLERK, region=city, department=DepartmentFactory(region=city))
    peer_admin = UserFactory(username="admin-yc2", role=Role.ADMIN, region=county, is_staff=True)
    county_superuser = UserFactory(username="root-yc", region=county, is_superuser=True, is_staff=True)
    county_leader = UserFactory(username="leader-yc", role=Role.LEADER, region=county)
    client = login(county_admin)
    listed = {u.username for u in client.get(reverse("admin:accounts_user_changelist")).context["cl"].result_list}
    assert listed == {"admin-yc", "leader-yc"}
    for user in (city_clerk, peer_admin, county_superuser, superuser):
        response = client.get(_change_url(user))
        assert response.status_code == 302 and response["Location"] == reverse("admin:index"), user.username
        password_url = reverse("admin:auth_user_password_change", args=[user.pk]).replace("auth", "accounts")
        assert client.get(password_url).status_code == 404, user.username
    assert client.get(_change_url(county_leader)).status_code == 200


def test_county_admin_cannot_create_a_user_outside_their_region(login, county_admin, county, city):
    client = login(county_admin)
    add = reverse("admin:accounts_user_add")
    page = client.get(add)
    assert set(page.context["adminform"].form.fields["region"].queryset) == {county}
    base = {"username": "new-user", "password1": "Yunzhou-2026-safe", "password2": "Yunzhou-2026-safe"}
    base["usable_password"] = "true"
    for region in (str(city.pk), ""):
        response = client.post(add, {**base, "region": region})
        assert response.status_code == 200, region
        assert "region" in response.context["adminform"].form.errors
    assert not User.objects.filter(username="new-user").exists()
    staff_group = str(Group.objects.get(name=Role.STAFF.label).pk)
    response = client.post(add, {**base, "region": str(county.pk), "groups": [staff_group]})
    assert response.status_code == 302
    created = User.objects.get(username="new-user")
    assert (created.region_id, created.role, created.is_staff, created.is_superuser) == (
        county.pk,
        Role.STAFF,
        False,
        False,
    )


def test_superuser_may_still_grant_staff_and_superuser(login, superuser, county):
    target = UserFactory(username="staff-yc", role=Role.STAFF, region=county)
    client = login(superuser)
    page = client.get(_change_url(target))
    client.post(_change_url(target), admin_form_data(page, is_staff="on"))
    target.refresh_from_db()
    assert target.is_staff is True


def test_role_groups_cannot_be_deleted_or_renamed(login, superuser):
    client = login(superuser)
    clerks = Group.objects.get(name=Role.CLERK.label)
    assert client.get(reverse("admin:auth_group_delete", args=[clerks.pk])).status_code == 403
    assert client.post(reverse("admin:auth_group_delete", args=[clerks.pk]), {"post": "yes"}).status_code == 403
    page = client.get(reverse("admin:auth_group_change", args=[clerks.pk]))
    client.post(reverse("admin:auth_group_change", args=[clerks.pk]), admin_form_data(page, name="改名"))
    changelist = reverse("admin:auth_group_changelist")
    ids = [str(g.pk) for g in Group.objects.all()]
    client.post(changelist, {"action": "delete_selected", "_selected_action": ids, "post": "yes"})
    assert set(Group.objects.values_list("name", flat=True)) >= {role.label for role in Role}
    other = Group.objects.create(name="临时分组")
    assert client.get(reverse("admin:auth_group_delete", args=[other.pk])).status_code == 200


def test_region_admin_cannot_open_groups(login, county_admin):
    response = login(county_admin).get(reverse("admin:auth_group_changelist"))
    assert response.status_code == 403


def test_a_user_has_one_role_and_only_a_clerk_has_a_department(login, county_admin, county, county_department):
    """Found by the walk-through: a county admin gave a clerk the 编办管理员 group as well."""
    clerk = _county_clerk(county_department)
    client = login(county_admin)
    page = client.get(_change_url(clerk))
    both = [str(Group.objects.get(name=name).pk) for name in (Role.CLERK.label, Role.ADMIN.label)]
    response = client.post(_change_url(clerk), admin_form_data(page, groups=both))
    assert response.status_code == 200
    assert "一个用户只能有一个角色" in response.content.decode()
    staff_group = str(Group.objects.get(name=Role.STAFF.label).pk)
    response = client.post(_change_url(clerk), admin_form_data(page, groups=[staff_group]))
    assert "只有部门填报员设置所属部门" in response.content.decode()
    response = client.post(_change_url(clerk), admin_form_data(page, department=""))
    assert "部门填报员必须设置所属部门" in response.content.decode()
    clerk.refresh_from_db()
    assert (clerk.role, clerk.department_id) == (Role.CLERK, county_department.pk)


def test_the_head_group_cannot_be_deleted_or_renamed_either(login, superuser):
    """Found by the attack review: the ledger's head review looks the 单位负责人 group up by name."""
    head = Group.objects.get_or_create(name=HEAD_GROUP)[0]
    client = login(superuser)
    assert client.post(reverse("admin:auth_group_delete", args=[head.pk]), {"post": "yes"}).status_code == 403
    page = client.get(reverse("admin:auth_group_change", args=[head.pk]))
    client.post(reverse("admin:auth_group_change", args=[head.pk]), admin_form_data(page, name="改名"))
    assert Group.objects.filter(name=HEAD_GROUP).exists()
