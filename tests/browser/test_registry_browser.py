import pytest

from tests.factories import StaffingQuotaFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_filters_departments_and_edits_a_quota(
    browser_login, live_server, staff_user, department, other_department
):
    StaffingQuotaFactory(department=department, type="行政编制", approved=10, actual=12)
    StaffingQuotaFactory(department=other_department, type="行政编制", approved=10, actual=8)
    page = browser_login("staff")
    page.goto(f"{live_server.url}/registry/departments/")
    page.select_option("#id_overrun", "1")
    page.wait_for_selector("text=没有符合条件的部门。", state="detached")
    page.wait_for_function("() => !document.querySelector('#results').innerText.includes('市统计局')")
    rows = page.locator("#results tbody tr")
    assert rows.count() == 1
    assert "云州市市场监督管理局" in rows.first.inner_text()

    with page.expect_navigation():
        rows.first.locator("a").first.click()
    with page.expect_navigation():
        page.locator("#quotas a", has_text="编辑").first.click()
    page.fill("#id_actual", "9")
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    assert "已保存" in page.locator(".alert-success").inner_text()
    assert "空编 1" in page.locator(".figure-card").nth(1).inner_text()
