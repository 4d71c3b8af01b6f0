"""Issue 9, hole 2: the admin's history pages are scoped, and reverting an old version never bypasses the
domain (state machines, events, versions)."""

import pytest
from django.contrib import admin
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from sanding.accounts.admin import ScopedHistoryAdmin, SuperuserOnlyAdmin
from sanding.accounts.choices import Role
from sanding.ledger.choices import Status
from sanding.ledger.services import rectification_transition
from tests.admin_helpers import admin_form_data
from tests.factories import DepartmentFactory, RegionFactory, UserFactory
from tests.ledger.factories import RectificationFactory


@pytest.fixture
def county_admin(county):
    return UserFactory(username="admin-yc", role=Role.ADMIN, region=county, is_staff=True)


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def _history(obj, version=None):
    name = f"admin:{obj._meta.app_label}_{obj._meta.model_name}"
    if version is None:
        return reverse(f"{name}_history", args=[obj.pk])
    return reverse(f"{name}_simple_history", args=[obj.pk, version])


def test_county_admin_cannot_read_or_revert_history_of_another_region(login, county_admin, city, department, county):
    department.name = "云州市市场监督管理局（改）"
    department._history_user = None
    department.save()
    old = department.history.earliest()
    client = login(county_admin)
    for obj, version in ((department, old.history_id), (city, city.history.earliest().history_id)):
        assert client.get(_history(obj)).status_code == 404
        assert client.get(_history(obj, version)).status_code == 404
        response = client.post(_history(obj, version), {"name": "被改名", "region": str(county.pk)})
        assert response.status_code == 404
    department.refresh_from_db()
    city.refresh_from_db()
    assert (department.name, department.region_id, city.name) == ("云州市市场监督管理局（改）", city.pk, "云州市")


def test_county_admin_cannot_rename_their_own_region_through_history(login, county_admin, county):
    client = login(county_admin)
    version = county.history.earliest().history_id
    page = client.get(_history(county, version))
    assert page.status_code == 200
    assert page.context["revert_disabled"] is True
    response = client.post(_history(county, version), admin_form_data(page, name="改名区"))
    assert response.status_code == 403
    county.refresh_from_db()
    assert county.name == "云州市云城区"


def test_nobody_reverts_a_closed_item(login, superuser, staff_user, department):
    item = RectificationFactory(issue__department=department, status=Status.APPLIED)
    first = item.history.earliest().history_id
    rectification_transition(actor=staff_user, rectification=item, action="close", expected_version=item.version)
    item.refresh_from_db()
    assert item.status == Status.CLOSED
    version_before, events_before = item.version, item.events.count()
    old = first
    client = login(superuser)
    page = client.get(_history(item, old))
    assert page.status_code == 200 and page.context["revert_disabled"] is True
    response = client.post(_history(item, old), {"status": Status.IN_PROGRESS, "version": "1"})
    assert response.status_code == 403
    item.refresh_from_db()
    assert (item.status, item.version, item.events.count()) == (Status.CLOSED, version_before, events_before)


def test_registry_revert_counts_the_version_forward(login, admin_user, department):
    department.name = "云州市市场监督管理局（改）"
    department.version = 2
    department.save()
    first = department.history.earliest()
    client = login(admin_user)
    page = client.get(_history(department, first.history_id))
    assert page.context["revert_disabled"] is False
    response = client.post(_history(department, first.history_id), admin_form_data(page))
    assert response.status_code == 302
    department.refresh_from_db()
    assert (department.name, department.version) == ("云州市市场监督管理局", 3)
    latest = department.history.latest()
    assert (latest.history_change_reason, latest.history_user) == (f"从历史版本 {first.history_id} 恢复", admin_user)


def test_every_history_admin_is_scoped_and_only_the_registry_reverts():
    reverting = set()
    for model, model_admin in admin.site._registry.items():
        if isinstance(model_admin, SimpleHistoryAdmin):
            assert isinstance(model_admin, (ScopedHistoryAdmin, SuperuserOnlyAdmin)), model._meta.label
            if getattr(model_admin, "history_revert", False):
                reverting.add(model._meta.app_label)
    assert reverting == {"registry"}


def test_county_admin_list_filters_offer_only_their_regions(login, county_admin, county, city):
    town = RegionFactory(code="YC01", name="云城区某镇", level="county", parent=county)
    for region in (county, town, city):
        DepartmentFactory(region=region)
    response = login(county_admin).get(reverse("admin:registry_department_changelist"))
    region_filter = next(f for f in response.context["cl"].filter_specs if f.field_path == "region")
    assert sorted(pk for pk, _ in region_filter.lookup_choices) == sorted([county.pk, town.pk])
