from sanding.accounts.scoping import scope_for
from sanding.registry.models import Department, InternalUnit, StaffingQuota
from tests.factories import DepartmentFactory, InternalUnitFactory, StaffingQuotaFactory, UserFactory


def names(qs):
    return sorted(d.name for d in qs)


def test_city_staff_see_city_and_counties(staff_user, department, county_department):
    assert names(Department.objects.visible_to(staff_user)) == sorted([department.name, county_department.name])


def test_county_staff_do_not_see_the_city(county_staff, department, county_department):
    assert names(Department.objects.visible_to(county_staff)) == [county_department.name]


def test_clerk_sees_own_department_only(clerk, department, other_department, county_department):
    InternalUnitFactory(department=department, name="综合科")
    InternalUnitFactory(department=other_department, name="统计科")
    StaffingQuotaFactory(department=other_department)
    assert names(Department.objects.visible_to(clerk)) == [department.name]
    assert [u.name for u in InternalUnit.objects.visible_to(clerk)] == ["综合科"]
    assert StaffingQuota.objects.visible_to(clerk).count() == 0


def test_user_without_role_sees_nothing(city, department):
    nobody = UserFactory(username="nobody", region=city)
    assert Department.objects.visible_to(nobody).count() == 0


def test_clerk_without_department_sees_nothing(city, department):
    clerk = UserFactory(username="lost-clerk", role="clerk", region=city)
    assert Department.objects.visible_to(clerk).count() == 0


def test_superuser_without_region_sees_everything(department, county_department):
    root = UserFactory(username="root", is_superuser=True)
    assert Department.objects.visible_to(root).count() == 2


def test_scope_is_computed_once_per_user_object(staff_user, django_assert_num_queries, department):
    with django_assert_num_queries(2):  # the role (groups) and the region subtree
        scope_for(staff_user)
    with django_assert_num_queries(0):
        scope_for(staff_user)


def test_leader_has_read_scope_but_is_not_office(leader, department):
    scope = scope_for(leader)
    assert (scope.is_office, scope.is_clerk) == (False, False)
    assert names(Department.objects.visible_to(leader)) == [department.name]


def test_other_region_department_invisible_even_to_admin(admin_user, department):
    elsewhere = DepartmentFactory(name="外市某局")
    assert Department.objects.visible_to(admin_user).filter(pk=elsewhere.pk).exists() is False
