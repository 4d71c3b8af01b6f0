import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import StaffingQuotaFactory


def test_403_page_is_chinese_and_gives_the_reason(login, leader):
    response = login(leader).get(reverse("registry:department-create"))
    content = response.content.decode()
    assert response.status_code == 403
    assert "无权执行此操作（403）" in content
    assert "只有编办工作人员可以执行此操作。" in content


def test_404_page_is_chinese(login, clerk, other_department):
    response = login(clerk).get(reverse("registry:department-detail", args=[other_department.pk]))
    content = response.content.decode()
    assert response.status_code == 404
    assert "未找到该页面或记录（404）" in content
    assert "未找到该记录，或您无权查看。" in content


@pytest.mark.parametrize("language", ["en-US,en;q=0.9", "de"])
def test_validation_messages_stay_chinese_whatever_the_browser_language(login, staff_user, department, language):
    quota = StaffingQuotaFactory(department=department)
    url = reverse("registry:record-edit", args=[department.pk, "quota", quota.pk])
    response = login(staff_user).post(
        url, {"type": "行政编制", "approved": -1, "actual": 1, "expected_version": 1}, HTTP_ACCEPT_LANGUAGE=language
    )
    assert "确保该值大于或等于0" in response.content.decode()


def test_csrf_failure_is_explained_in_chinese(db, client, staff_user):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(staff_user)
    response = strict.post(reverse("registry:department-create"), {})
    assert response.status_code == 403
    assert "页面已过期，请刷新后重试" in response.content.decode()
