"""d-YZ030 fills, uploads, saves, reloads, submits; staff returns once, approves; the ranking shows it."""

import pytest

from sanding.assessment.models import Assessment
from tests.assessment.conftest import PDF, items

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_fills_and_staff_reviews_in_a_real_browser(
    browser_login, page, live_server, tmp_path, assessment, checklist, clerk, staff_user
):
    by_code = items(checklist)
    pdf_path = tmp_path / "职责清单.pdf"
    pdf_path.write_bytes(PDF)

    browser_login("d-YZ030")
    page.goto(f"{live_server.url}/assessment/")
    with page.expect_navigation():
        page.get_by_role("link", name="填报").click()
    page.select_option(f"#v-{by_code['1.1'].pk}", "1")
    page.fill(f"#v-{by_code['1.2'].pk}", "7.5")
    page.fill(f"#v-{by_code['1.3'].pk}", "1")
    page.fill(f"#ex-{by_code['1.2'].pk}", "已公布职责清单")
    # subtotals and the running total update as the clerk types (10 + 7.5 + 4)
    assert page.locator(f'.card-header [data-subtotal="{by_code["1.1"].section_id}"]').inner_text() == "21.5"
    assert page.locator(".sheet-summary [data-total]").inner_text() == "21.5"
    page.set_input_files(f'input[name="f-{by_code["1.1"].pk}"]', str(pdf_path))
    with page.expect_navigation():
        page.get_by_role("button", name="保存草稿").click()
    assert "草稿已保存" in page.locator(".alert-success").inner_text()

    page.reload()
    assert page.input_value(f"#v-{by_code['1.2'].pk}") == "7.5"
    assert page.input_value(f"#v-{by_code['1.3'].pk}") == "1"
    assert page.input_value(f"#ex-{by_code['1.2'].pk}") == "已公布职责清单"
    assert "职责清单.pdf" in page.locator(f"#row-{by_code['1.1'].pk}").inner_text()

    page.select_option(f"#v-{by_code['2.1'].pk}", "1")
    page.fill(f"#v-{by_code['2.2'].pk}", "9")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.get_by_role("button", name="提交", exact=True).click()
    assert "已提交审核" in page.locator(".alert-success").inner_text()
    assert page.locator(f"#v-{by_code['1.2'].pk}").count() == 0

    page.context.clear_cookies()
    browser_login("staff")
    page.goto(f"{live_server.url}/assessment/{assessment.pk}/")
    with page.expect_navigation():
        page.get_by_role("link", name="退回修改").click()
    page.fill("#id_reason", "请补充边界事项的说明")
    with page.expect_navigation():
        page.get_by_role("button", name="确定退回").click()
    assert Assessment.objects.get(pk=assessment.pk).state == "returned"

    page.context.clear_cookies()
    browser_login("d-YZ030")
    page.goto(f"{live_server.url}/assessment/{assessment.pk}/")
    assert "请补充边界事项的说明" in page.locator(".alert-warning").inner_text()
    assert page.input_value(f"#v-{by_code['1.2'].pk}") == "7.5"
    page.fill(f"#ex-{by_code['1.3'].pk}", "已补充说明")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.get_by_role("button", name="提交", exact=True).click()

    page.context.clear_cookies()
    browser_login("staff")
    page.goto(f"{live_server.url}/assessment/{assessment.pk}/")
    page.fill(f"#rv-{by_code['1.2'].pk}", "8")
    page.fill(f"#rc-{by_code['1.2'].pk}", "核实后加分")
    with page.expect_navigation():
        page.get_by_role("button", name="保存审核意见").click()
    page.get_by_role("link", name="审定", exact=True).click()
    with page.expect_navigation():
        page.get_by_role("button", name="确定审定").click()
    assert "已审定" in page.locator(".alert-success").inner_text()

    page.goto(f"{live_server.url}/assessment/rounds/{assessment.round_id}/")
    ranking = page.locator("section.ranking", has_text="政府工作部门")
    row = ranking.locator("tbody tr", has_text="市市场监管局")
    # 10 + 8 + 4 + 4 + 9 = 35 of 40 = 87.5% → ★★★★
    assert "87.5%" in row.inner_text()
    assert row.locator(".grade").inner_text() == "★★★★"
    assert row.locator("td").first.inner_text() == "1"


def test_live_totals_apply_the_server_rules(browser_login, page, live_server, assessment, checklist, clerk):
    """A scale score off the step and a fractional finding count get the server's message inline and stay
    out of the running total."""
    by_code = items(checklist)
    browser_login("d-YZ030")
    page.goto(f"{live_server.url}/assessment/{assessment.pk}/")
    page.select_option(f"#v-{by_code['1.1'].pk}", "1")
    page.fill(f"#v-{by_code['1.2'].pk}", "7.3")
    row = page.locator(f"#row-{by_code['1.2'].pk}")
    assert row.locator(".score-hint").inner_text() == "得分须为 0.5 分的整数倍。"
    assert page.locator(".sheet-summary [data-total]").inner_text() == "10"
    page.fill(f"#v-{by_code['1.2'].pk}", "11")
    assert row.locator(".score-hint").inner_text() == "得分须在 0 至 10 分之间。"
    page.fill(f"#v-{by_code['1.2'].pk}", "7.5")
    assert row.locator(".score-hint").is_hidden()
    page.fill(f"#v-{by_code['1.3'].pk}", "1.5")
    assert page.locator(f"#row-{by_code['1.3'].pk} .score-hint").inner_text() == "问题处数须为整数。"
    assert page.locator(".sheet-summary [data-total]").inner_text() == "17.5"
    page.fill(f"#v-{by_code['1.3'].pk}", "1")
    assert page.locator(".sheet-summary [data-total]").inner_text() == "21.5"


def test_round_form_department_picker_select_all_and_search(
    browser_login, page, live_server, staff_user, checklist, department, other_department, county_department
):
    browser_login("staff")
    page.goto(f"{live_server.url}/assessment/rounds/new/")
    page.get_by_label("全选云州市", exact=True).check()
    assert page.locator("[data-dept-count]").inner_text() == "2"
    page.fill("[data-dept-search]", "统计")
    assert page.locator(".dept-option:visible").count() == 1
    page.get_by_label("全选云州市", exact=True).uncheck()  # only the department shown
    page.fill("[data-dept-search]", "")
    assert page.locator("[data-dept-count]").inner_text() == "1"
    assert page.locator(f'input[name="scope_departments"][value="{department.pk}"]').is_checked()
