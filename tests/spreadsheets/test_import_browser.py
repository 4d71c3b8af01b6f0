"""An admin imports a 台账 in a real browser: upload, the errors shown cell by cell, fix, confirm, result."""

import pytest
from django.core.management import call_command

from sanding.ledger.models import IssueCategory, Rectification
from sanding.spreadsheets.models import ImportJob, JobStatus

from .test_ledger_import import HEADER, TITLE, row

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _run_worker():
    """What `make run`'s worker does, once: take the queued tasks and run them."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def _upload(page, live_server, path):
    page.goto(f"{live_server.url}/spreadsheets/")
    page.select_option("#id_kind", "ledger")
    page.set_input_files("#id_file", str(path))
    with page.expect_navigation():
        page.get_by_role("button", name="上传并校验").click()
    assert "排队等待校验" in page.locator("#job-status").inner_text()


def _finish(page):
    """Run the worker; the page polls the job's status and reloads itself when it has finished."""
    with page.expect_navigation():
        _run_worker()
    page.wait_for_load_state()


def test_admin_fixes_a_sheet_and_imports_it_in_the_browser(
    browser_login, live_server, page, admin_user, department, other_department, make_xlsx
):
    IssueCategory.objects.get_or_create(name="部门间职责边界不清")  # a transactional test may have flushed it
    good = row(1, "食品安全监管职责交叉", "市市场监管局", "2025年6月30日", coop="市统计局", progress="已起草清单")
    bad = row(2, "统计数据共享不畅", "市统汁局", "2025年13月1日")
    browser_login("admin")

    _upload(page, live_server, make_xlsx([[TITLE], HEADER, good, bad]))
    _finish(page)
    assert "发现 2 个问题，未写入任何数据" in page.locator(".alert-danger").inner_text()
    problems = page.locator(".sheet-problems li").all_inner_texts()
    assert any(p.startswith("第4行 [责任单位] 未找到单位“市统汁局”") and "云州市统计局" in p for p in problems)
    assert any(p.startswith("第4行 [整改时限]") for p in problems)
    bad_cells = page.locator(".sheet-preview td.cell-bad")
    assert bad_cells.count() == 2
    assert "市统汁局" in bad_cells.first.inner_text()
    assert page.get_by_role("button", name="确认导入").count() == 0
    assert Rectification.objects.count() == 0

    fixed = row(2, "统计数据共享不畅", "市统计局", "2025年12月1日")
    _upload(page, live_server, make_xlsx([[TITLE], HEADER, good, fixed]))
    _finish(page)
    assert "全部行校验通过" in page.locator(".alert-warning").inner_text()
    assert page.locator(".sheet-preview tbody tr").count() == 2
    assert Rectification.objects.count() == 0  # the preview writes nothing

    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.get_by_role("button", name="确认导入").click()
    _finish(page)
    assert "导入完成" in page.locator(".alert-success").inner_text()
    assert page.get_by_role("link", name="查看问题整改台账").get_attribute("href") == "/ledger/"
    counts = page.locator("table.w-auto tbody").inner_text()
    assert "问题" in counts and "整改事项" in counts
    job = ImportJob.objects.latest("pk")
    assert job.status == JobStatus.DONE
    assert sorted(Rectification.objects.values_list("department__short_name", flat=True)) == [
        "市市场监管局",
        "市统计局",
    ]
