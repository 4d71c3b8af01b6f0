import datetime
import tempfile
from pathlib import Path

import pytest
from django.utils import timezone

from sanding.ledger.models import Rectification

from .factories import IssueFactory, RectificationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_applies_and_staff_closes(browser_login, live_server, page, clerk, staff_user, department):
    item = RectificationFactory(
        issue=IssueFactory(department=department, description="食品安全监管职责交叉"),
        deadline=timezone.localdate() + datetime.timedelta(days=20),
    )
    evidence = Path(tempfile.mkdtemp()) / "整改佐证.pdf"
    evidence.write_bytes(b"%PDF-1.4\n%evidence\n")

    browser_login("d-YZ030")
    page.goto(f"{live_server.url}/ledger/items/{item.pk}/")
    with page.expect_navigation():
        page.get_by_role("link", name="报送整改进展").click()
    page.fill("#id_percent", "100")
    page.fill("#id_text", "职责清单已印发")
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    assert "已报送整改进展" in page.locator(".alert-success").inner_text()

    page.fill("#comment-apply", "整改完成，制度已印发")
    page.set_input_files("#files-apply", str(evidence))
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.locator("form[data-action=apply] button").click()
    assert "申请销号" in page.locator("h1 .badge").inner_text()
    assert page.locator("form[data-action=close]").count() == 0  # a clerk has no close button

    with page.expect_navigation():
        page.get_by_role("button", name="退出").click()
    browser_login("staff")
    page.goto(f"{live_server.url}/ledger/items/{item.pk}/")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.locator("form[data-action=close] button").click()
    assert page.locator("h1 .badge").first.inner_text() == "已销号"

    page.goto(f"{live_server.url}/ledger/?status=closed")
    rows = page.locator("#results tbody tr")
    assert rows.count() == 1
    assert "已销号" in rows.first.inner_text()
    item.refresh_from_db()
    assert item.status == "closed"
    assert list(Rectification.objects.get(pk=item.pk).events.values_list("action", flat=True)) == [
        "start",
        "progress",
        "apply",
        "close",
    ]
