"""Issue 9, item 9: double submits create one record, a POST without its version is refused, and the
loser of two simultaneous workflow steps is told who did what, keeping what they typed."""

import threading
import time

import pytest
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sanding.accounts.choices import Role
from sanding.core.models import SubmissionToken
from sanding.core.submissions import REPEATED, TOKEN_FIELD
from sanding.ledger import services
from sanding.ledger.models import (
    Attachment,
    Issue,
    IssueCategory,
    ProgressReport,
    Rectification,
    RectificationEvent,
)
from tests.factories import UserFactory
from tests.posting import hidden_fields, post_form

from .conftest import pdf
from .factories import category

pytestmark = pytest.mark.django_db
MISSING_VERSION = "缺少版本号，请刷新页面后重新提交。"


def _messages(response):
    return [str(m) for m in response.context["messages"]]


def _issue_data(department, **extra):
    return {
        "description": "食品安全监管职责边界不清",
        "category": category().pk,
        "source": "12345热线",
        "department": department.pk,
        "found_on": timezone.localdate().isoformat(),
        "severity": "一般",
        **extra,
    }


# --- one-time tokens on create forms -----------------------------------------------------------------


def test_new_issue_posted_twice_with_one_token_creates_one_issue(login, staff_user, department):
    client = login(staff_user)
    url = reverse("ledger:issue-create")
    data = {**hidden_fields(client, url), **_issue_data(department)}
    assert data[TOKEN_FIELD]
    first = client.post(url, data)
    second = client.post(url, data)
    issue = Issue.objects.get()
    assert (first.status_code, first.url) == (302, reverse("ledger:rectification-create", args=[issue.pk]))
    assert (second.status_code, second.url) == (302, first.url)  # the repeat leads to the first issue
    assert REPEATED in _messages(client.get(second.url))
    assert issue.history.count() == 1


def test_progress_report_posted_twice_creates_one_report(login, clerk, item):
    client = login(clerk)
    url = reverse("ledger:progress-create", args=[item.pk])
    data = {
        **hidden_fields(client, url),
        "reported_on": timezone.localdate().isoformat(),
        "percent": "40",
        "text": "已起草方案",
    }
    first = client.post(url, data)
    second = client.post(url, {**data, "files": [pdf()]})
    assert (first.status_code, second.status_code, second.url) == (302, 302, item.get_absolute_url())
    assert second.url == first.url
    assert ProgressReport.objects.count() == 1
    assert Attachment.objects.count() == 0  # the repeat stored nothing either
    assert list(item.events.values_list("action", flat=True)) == ["start", "progress"]
    assert REPEATED in _messages(client.get(second.url))


def test_refused_post_keeps_its_token_for_the_corrected_one(login, staff_user, department):
    client = login(staff_user)
    url = reverse("ledger:issue-create")
    token = hidden_fields(client, url)
    refused = client.post(url, {**token, **_issue_data(department, severity="")})
    assert (refused.status_code, Issue.objects.count()) == (200, 0)
    assert refused.context["form"][TOKEN_FIELD].value() == token[TOKEN_FIELD]
    saved = client.post(url, {**token, **_issue_data(department)})
    assert (saved.status_code, Issue.objects.count()) == (302, 1)


def test_create_post_without_token_creates_nothing_and_can_be_sent_again(login, staff_user, department):
    client = login(staff_user)
    url = reverse("ledger:issue-create")
    refused = client.post(url, _issue_data(department))
    assert refused.status_code == 200
    assert refused.context["form"].non_field_errors() == ["表单已过期或不完整，请核对内容后重新提交。"]
    assert "食品安全监管职责边界不清" in refused.content.decode()  # the input is kept
    assert Issue.objects.count() == 0
    fresh = refused.context["form"][TOKEN_FIELD].value()
    assert client.post(url, {**_issue_data(department), TOKEN_FIELD: fresh}).status_code == 302
    assert Issue.objects.count() == 1


def test_attachment_upload_posted_twice_stores_the_files_once(login, clerk, item):
    client = login(clerk)
    url = reverse("ledger:attachment-upload", args=[item.pk])
    token = hidden_fields(client, item.get_absolute_url(), action=url)
    client.post(url, {**token, "files": [pdf("a.pdf")]})
    client.post(url, {**token, "files": [pdf("a.pdf")]})
    assert list(Attachment.objects.values_list("name", flat=True)) == ["a.pdf"]
    client.post(url, {"files": [pdf("b.pdf")]})  # no token: refused
    assert Attachment.objects.count() == 1


def test_new_rectification_and_category_posted_twice_create_one(login, staff_user, issue, department):
    client = login(staff_user)
    url = reverse("ledger:rectification-create", args=[issue.pk])
    data = {
        **hidden_fields(client, url),
        "measures": "建立联席会议制度",
        "department": department.pk,
        "kind": "立行立改",
    }
    client.post(url, data)
    client.post(url, data)
    assert Rectification.objects.count() == 1
    url = reverse("ledger:category-create")
    data = {**hidden_fields(client, url), "name": "新类别", "seq": "100", "active": "on"}
    client.post(url, data)
    second = client.post(url, data)
    assert (second.status_code, second.url) == (302, reverse("ledger:category-list"))
    assert IssueCategory.objects.filter(name="新类别").count() == 1


def test_a_token_is_recorded_once_per_user(staff_user, clerk):
    """The unique constraint is what makes two simultaneous first posts of one token run only once."""

    SubmissionToken.objects.create(user=staff_user, token="t" * 32, result_url="/a/")
    with pytest.raises(IntegrityError), transaction.atomic():
        SubmissionToken.objects.create(user=staff_user, token="t" * 32, result_url="/b/")
    SubmissionToken.objects.create(user=clerk, token="t" * 32, result_url="/c/")  # another user's is separate
    assert SubmissionToken.objects.count() == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections at once need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_simultaneous_first_posts_of_one_token_create_one_issue(staff_user, department, monkeypatch):
    """The second POST waits on the first one's uncommitted token, then finds its result."""
    inside = threading.Event()
    save = services.issue_save

    def slow_save(**kwargs):
        inside.set()
        time.sleep(0.5)  # the other POST arrives while this one holds the token
        return save(**kwargs)

    monkeypatch.setattr(services, "issue_save", slow_save)
    url = reverse("ledger:issue-create")
    clients = [Client(), Client()]
    for c in clients:
        c.force_login(staff_user)
    data = {**hidden_fields(clients[0], url), **_issue_data(department)}
    responses = [None, None]

    def post(i):
        try:
            responses[i] = clients[i].post(url, data)
        finally:
            close_old_connections()
            connection.close()

    first = threading.Thread(target=post, args=(0,))
    first.start()
    assert inside.wait(5)
    second = threading.Thread(target=post, args=(1,))
    second.start()
    first.join(10)
    second.join(10)
    issue = Issue.objects.get()
    assert [r.status_code for r in responses] == [302, 302]
    assert responses[0].url == responses[1].url == reverse("ledger:rectification-create", args=[issue.pk])


# --- a POST without its version is refused -----------------------------------------------------------


def test_issue_edit_without_version_is_refused(login, staff_user, issue):
    Issue.objects.filter(pk=issue.pk).update(created_by=staff_user)
    url = reverse("ledger:issue-edit", args=[issue.pk])
    data = _issue_data(issue.department, description="没有版本号的修改")
    response = login(staff_user).post(url, data)
    assert response.status_code == 200
    assert MISSING_VERSION in response.context["form"].non_field_errors()
    assert "没有版本号的修改" in response.content.decode()
    issue.refresh_from_db()
    assert (issue.description, issue.version) == ("职责边界不清，工单多次退单。", 1)
    assert post_form(login(staff_user), url, data).status_code == 302  # with the page's version it saves


def test_transition_without_version_is_refused(login, staff_user, item):
    Rectification.objects.filter(pk=item.pk).update(status="applied")
    client = login(staff_user)
    url = reverse("ledger:rectification-transition", args=[item.pk])
    response = client.post(url, {"action": "reject", "comment": "材料不全"}, follow=True)
    body = response.content.decode()
    assert f"未能编办退回：{MISSING_VERSION}" in body
    assert ">材料不全</textarea>" in body
    item.refresh_from_db()
    assert (item.status, RectificationEvent.objects.count()) == ("applied", 0)


def test_flag_without_version_is_refused(login, staff_user, item):
    client = login(staff_user)
    response = client.post(reverse("ledger:rectification-flag", args=[item.pk]), {"flagged": "1"}, follow=True)
    assert f"未能挂牌督办：{MISSING_VERSION}" in _messages(response)
    item.refresh_from_db()
    assert (item.flagged, RectificationEvent.objects.count()) == (False, 0)
    page = item.get_absolute_url()
    post_form(client, reverse("ledger:rectification-flag", args=[item.pk]), {"flagged": "1"}, page=page)
    item.refresh_from_db()
    assert item.flagged is True


# --- the loser of two simultaneous steps -------------------------------------------------------------


@pytest.fixture
def two_staff(city):
    return (
        UserFactory(username="zhangsan", first_name="张三", role=Role.STAFF, region=city),
        UserFactory(username="lisi", first_name="李四", role=Role.STAFF, region=city),
    )


def test_loser_of_close_and_reject_is_told_who_closed_it_and_keeps_the_reason(login, two_staff, item):
    winner, loser = two_staff
    Rectification.objects.filter(pk=item.pk).update(status="applied")
    page = item.get_absolute_url()
    url = reverse("ledger:rectification-transition", args=[item.pk])
    winner_client, loser_client = Client(), Client()
    winner_client.force_login(winner)
    loser_client.force_login(loser)
    loser_fields = hidden_fields(loser_client, page, form_id="action-reject")  # both pages open at once
    assert post_form(winner_client, url, {"action": "close"}, page=page, form_id="action-close").status_code == 302
    response = loser_client.post(url, {**loser_fields, "action": "reject", "comment": "佐证材料不全，请补充"})
    assert response.url == f"{page}#action-reject"
    body = loser_client.get(response.url).content.decode()
    event = RectificationEvent.objects.get()
    when = timezone.localtime(event.at)
    assert f"未能编办退回：该事项已由 张三 于 {when:%m-%d %H:%M} 处理为“已销号”，您的操作未执行。" in body
    assert ">佐证材料不全，请补充</textarea>" in body
    item.refresh_from_db()
    assert item.status == "closed"
    assert list(RectificationEvent.objects.values_list("actor", "action")) == [(winner.pk, "close")]


def test_loser_whose_step_is_still_possible_gets_it_back_with_the_text(login, two_staff, item):
    """Somebody flagged the item meanwhile: the reject form re-opens with the reason and the new version."""
    winner, loser = two_staff
    Rectification.objects.filter(pk=item.pk).update(status="applied")
    page = item.get_absolute_url()
    url = reverse("ledger:rectification-transition", args=[item.pk])
    client = login(loser)
    loaded = hidden_fields(client, page, form_id="action-reject")
    services.rectification_set_flag(actor=winner, rectification=item, flagged=True)
    response = client.post(url, {**loaded, "action": "reject", "comment": "请补充会议纪要"}, follow=True)
    body = response.content.decode()
    event = RectificationEvent.objects.get()
    when = timezone.localtime(event.at)
    assert f"该事项已由 张三 于 {when:%m-%d %H:%M} 挂牌督办（当前状态“申请销号”），您的操作未执行。" in body
    assert ">请补充会议纪要</textarea>" in body
    item.refresh_from_db()
    assert (item.status, RectificationEvent.objects.count()) == ("applied", 1)
    again = hidden_fields(client, page, form_id="action-reject")
    assert int(again["expected_version"]) == item.version
    client.post(url, {**again, "action": "reject", "comment": "请补充会议纪要"})
    item.refresh_from_db()
    assert item.status == "in_progress"
