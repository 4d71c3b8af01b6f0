from django.urls import reverse

from tests.factories import DepartmentFactory, UserFactory


def test_admin_changelist_is_scoped_to_the_admins_region(login, county, department, county_department):
    county_admin = UserFactory(username="county-admin", role="admin", region=county, is_staff=True)
    response = login(county_admin).get(reverse("admin:registry_department_changelist"))
    assert response.status_code == 200
    assert [d.pk for d in response.context["cl"].result_list] == [county_department.pk]


def test_admin_cannot_open_a_department_outside_their_region(login, county, department):
    county_admin = UserFactory(username="county-admin", role="admin", region=county, is_staff=True)
    response = login(county_admin).get(reverse("admin:registry_department_change", args=[department.pk]))
    assert response.status_code == 302  # Django admin redirects a missing object to the index with a message
    assert response["Location"] == reverse("admin:index")


def test_city_admin_sees_every_department_of_the_city(login, admin_user, department, county_department):
    DepartmentFactory(name="外市某局")
    response = login(admin_user).get(reverse("admin:registry_department_changelist"))
    assert sorted(d.pk for d in response.context["cl"].result_list) == sorted([department.pk, county_department.pk])


def test_clerk_and_staff_are_kept_out_of_the_admin(login, clerk, staff_user):
    for user in (clerk, staff_user):
        response = login(user).get(reverse("admin:registry_department_changelist"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_admin_has_no_delete(login, admin_user, department):
    response = login(admin_user).get(reverse("admin:registry_department_delete", args=[department.pk]))
    assert response.status_code == 403


def test_every_registry_model_is_in_the_admin(login, admin_user):
    response = login(admin_user).get(reverse("admin:index"))
    models = {m["object_name"] for app in response.context["app_list"] for m in app["models"]}
    assert {
        "Region",
        "Department",
        "Regulation",
        "Duty",
        "DutyAssignment",
        "InternalUnit",
        "StaffingQuota",
        "LeaderPost",
        "Plaque",
        "User",
    } <= models
