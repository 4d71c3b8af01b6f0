"""Issue 9, item 9 for the registry: a new record is created once per form, an edit needs its version."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from sanding.core.models import SubmissionToken
from sanding.core.submissions import REPEATED
from sanding.registry.models import Department, StaffingQuota
from tests.factories import StaffingQuotaFactory
from tests.posting import hidden_fields

pytestmark = pytest.mark.django_db


def _department(city):
    return {
        "code": "YZ099",
        "name": "云州市数据局",
        "region": city.pk,
        "category": "政府工作部门",
        "rank": "正处级",
        "status": "active",
    }


def test_new_department_posted_twice_creates_one(login, staff_user, city):
    client = login(staff_user)
    url = reverse("registry:department-create")
    data = {**hidden_fields(client, url), **_department(city)}
    first = client.post(url, data)
    second = client.post(url, data, follow=True)
    department = Department.objects.get(code="YZ099")
    assert first.url == department.get_absolute_url()
    assert second.redirect_chain == [(department.get_absolute_url(), 302)]
    assert REPEATED in [str(m) for m in second.context["messages"]]
    assert department.history.count() == 1


def test_new_quota_posted_twice_creates_one(login, staff_user, department):
    client = login(staff_user)
    url = reverse("registry:record-create", args=[department.pk, "quota"])
    data = {**hidden_fields(client, url), "type": "行政编制", "approved": 10, "actual": 8}
    assert [client.post(url, data).status_code for _ in range(2)] == [302, 302]
    assert StaffingQuota.objects.filter(department=department).count() == 1


def test_edit_without_version_is_refused(login, staff_user, department):
    quota = StaffingQuotaFactory(department=department, approved=10, actual=8)
    url = reverse("registry:record-edit", args=[department.pk, "quota", quota.pk])
    response = login(staff_user).post(url, {"type": "行政编制", "approved": 99, "actual": 8})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["缺少版本号，请刷新页面后重新提交。"]
    for bad in ("", "abc"):
        response = login(staff_user).post(
            url, {"type": "行政编制", "approved": 99, "actual": 8, "expected_version": bad}
        )
        assert response.context["form"].non_field_errors() == ["缺少版本号，请刷新页面后重新提交。"]
    quota.refresh_from_db()
    assert (quota.approved, quota.version) == (10, 1)


def test_tokens_older_than_a_day_are_removed(login, staff_user, city):
    old = SubmissionToken.objects.create(user=staff_user, token="o" * 32, result_url="/old/")
    SubmissionToken.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=2))
    client = login(staff_user)
    url = reverse("registry:department-create")
    client.post(url, {**hidden_fields(client, url), **_department(city)})
    assert list(SubmissionToken.objects.values_list("result_url", flat=True)) == [
        Department.objects.get(code="YZ099").get_absolute_url()
    ]
