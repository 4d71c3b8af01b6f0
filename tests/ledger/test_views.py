"""Views: scoping by URL, roles, and the happy paths writing rows and events."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from sanding.ledger.models import (
    Attachment,
    Issue,
    IssueCategory,
    IssueCooperation,
    Notification,
    ProgressReport,
    Rectification,
    RectificationEvent,
)
from sanding.ledger.services import attachment_add, issue_save, rectification_transition
from tests.factories import DepartmentFactory
from tests.posting import post_form

from .conftest import pdf
from .factories import IssueFactory, ProgressReportFactory, RectificationFactory, category

pytestmark = pytest.mark.django_db


def _errors(form):
    return {name: list(errors) for name, errors in form.errors.items()}


def _codes(response):
    return [str(r) for r in response.context["page"]]


def test_anonymous_is_sent_to_login(client, item):
    for url in [
        reverse("ledger:rectification-list"),
        reverse("ledger:board"),
        item.get_absolute_url(),
        reverse("ledger:issue-create"),
        reverse("ledger:export"),
    ]:
        response = client.get(url)
        assert (response.status_code, response.url.split("?")[0]) == (302, "/login/")


def test_clerk_sees_responsible_and_cooperating_items_only(
    login, clerk, department, other_department, item, foreign_item
):
    cooperating_issue = IssueFactory(department=other_department, seq=9)
    IssueCooperation.objects.create(issue=cooperating_issue, department=department)
    cooperating_item = RectificationFactory(issue=cooperating_issue, seq=1)
    response = login(clerk).get(reverse("ledger:rectification-list"))
    assert response.status_code == 200
    assert sorted(_codes(response)) == sorted([str(item), str(cooperating_item)])
    assert "他部门整改措施" not in response.content.decode()


def test_clerk_cannot_reach_another_departments_item_by_any_url(login, clerk, foreign_item, staff_user):
    attachment = Attachment.objects.create(
        issue=foreign_item.issue, rectification=foreign_item, file=pdf(), name="secret.pdf", size=10, content_type="x"
    )
    client = login(clerk)
    pk = foreign_item.pk
    gets = [
        reverse("ledger:rectification-detail", args=[pk]),
        reverse("ledger:progress-create", args=[pk]),
        reverse("ledger:issue-detail", args=[foreign_item.issue_id]),
        reverse("ledger:attachment-download", args=[attachment.pk]),
    ]
    for url in gets:
        assert client.get(url).status_code == 404, url
    posts = [
        (reverse("ledger:rectification-transition", args=[pk]), {"action": "start"}),
        (reverse("ledger:progress-create", args=[pk]), {"reported_on": "2026-11-01", "percent": "50", "text": "x"}),
        (reverse("ledger:attachment-upload", args=[pk]), {"files": pdf()}),
        (reverse("ledger:rectification-flag", args=[pk]), {"flagged": "1"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code in (403, 404), url
    foreign_item.refresh_from_db()
    assert (foreign_item.status, foreign_item.flagged, foreign_item.version) == ("not_started", False, 1)
    assert (ProgressReport.objects.count(), RectificationEvent.objects.count(), Attachment.objects.count()) == (0, 0, 1)
    export = client.get(reverse("ledger:export"))
    assert "他部门整改措施".encode() not in export.content


def test_clerk_cannot_close_or_write_office_pages(login, clerk, item):
    Rectification.objects.filter(pk=item.pk).update(status="applied")
    client = login(clerk)
    response = client.post(
        reverse("ledger:rectification-transition", args=[item.pk]),
        {"action": "close", "expected_version": item.version},
    )
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.status == "applied"
    for url in [
        reverse("ledger:issue-create"),
        reverse("ledger:rectification-edit", args=[item.pk]),
        reverse("ledger:category-list"),
    ]:
        assert client.get(url).status_code == 403
    assert client.post(reverse("ledger:bulk"), {"ids": [item.pk], "action": "flag"}).status_code == 403
    item.refresh_from_db()
    assert item.flagged is False


def test_leader_reads_but_gets_403_on_writes(login, leader, item):
    client = login(leader)
    assert client.get(reverse("ledger:rectification-list")).status_code == 200
    assert client.get(item.get_absolute_url()).status_code == 200
    assert client.get(reverse("ledger:board")).status_code == 200
    assert client.get(reverse("ledger:issue-create")).status_code == 403
    assert client.get(reverse("ledger:progress-create", args=[item.pk])).status_code == 403
    assert (
        client.post(
            reverse("ledger:rectification-transition", args=[item.pk]),
            {"action": "start", "expected_version": item.version},
        ).status_code
        == 403
    )
    assert client.post(reverse("ledger:rectification-flag", args=[item.pk]), {"flagged": "1"}).status_code == 403
    assert client.post(reverse("ledger:bulk"), {"ids": [item.pk], "action": "flag"}).status_code == 403
    item.refresh_from_db()
    assert (item.status, item.flagged, RectificationEvent.objects.count()) == ("not_started", False, 0)


def test_county_staff_cannot_see_city_items(login, county_staff, item):
    client = login(county_staff)
    assert client.get(item.get_absolute_url()).status_code == 404
    assert _codes(client.get(reverse("ledger:rectification-list"))) == []


def test_staff_records_issue_with_code_and_cooperating(login, staff_user, department, other_department):
    response = post_form(
        login(staff_user),
        reverse("ledger:issue-create"),
        {
            "description": "食品安全监管职责边界不清",
            "category": category("部门间职责边界不清").pk,
            "source": "12345热线",
            "department": department.pk,
            "cooperating": [other_department.pk],
            "found_on": "2026-11-20",
            "severity": "一般",
            "files": [pdf()],
        },
    )
    issue = Issue.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("ledger:rectification-create", args=[issue.pk])
    assert (issue.code, issue.region, issue.created_by, list(issue.cooperating.all())) == (
        "云州-2026-0001",
        department.region,
        staff_user,
        [other_department],
    )
    assert Attachment.objects.get().issue == issue


def test_issue_form_keeps_input_and_shows_chinese_errors(login, staff_user, department):
    response = post_form(
        login(staff_user),
        reverse("ledger:issue-create"),
        {
            "description": "保留我输入的内容",
            "department": department.pk,
            "cooperating": [department.pk],
            "found_on": "2099-01-01",
        },
    )
    form = response.context["form"]
    assert response.status_code == 200
    assert _errors(form) == {
        "category": ["此项为必填项。"],
        "source": ["此项为必填项。"],
        "found_on": ["发现日期不能晚于今天。"],
        "severity": ["此项为必填项。"],
        "cooperating": ["配合单位不能包含责任单位。"],
    }
    assert "保留我输入的内容" in response.content.decode()
    assert Issue.objects.count() == 0


def test_issue_codes_count_per_region_and_year(staff_user, department, county_department):
    def make(dept, found_on):
        return issue_save(
            actor=staff_user,
            issue=Issue(description="x", category=category(), source="自查", department=dept, found_on=found_on),
        ).code

    assert [
        make(department, datetime.date(2025, 12, 1)),
        make(department, datetime.date(2026, 1, 5)),
        make(department, datetime.date(2026, 2, 5)),
        make(county_department, datetime.date(2026, 2, 5)),
        make(department, datetime.date(2025, 6, 1)),
    ] == ["云州-2025-0001", "云州-2026-0001", "云州-2026-0002", "云城-2026-0001", "云州-2025-0002"]


def test_staff_adds_rectification_with_event(login, staff_user, issue, department):
    response = post_form(
        login(staff_user),
        reverse("ledger:rectification-create", args=[issue.pk]),
        {
            "measures": "建立联席会议制度",
            "department": department.pk,
            "responsible_person": "王芳",
            "kind": "期限",
            "deadline": "2026-12-31",
        },
    )
    item = Rectification.objects.get()
    assert response.url == item.get_absolute_url()
    assert (item.seq, item.region, item.status, item.deadline) == (
        1,
        issue.region,
        "not_started",
        datetime.date(2026, 12, 31),
    )
    assert list(item.events.values_list("action", "actor")) == [("create", staff_user.pk)]
    assert "建立联席会议制度" in item.search_text


def test_rectification_kind_rules(login, staff_user, issue, department):
    response = post_form(
        login(staff_user),
        reverse("ledger:rectification-create", args=[issue.pk]),
        {"measures": "x", "department": department.pk, "kind": "长期坚持"},
    )
    assert _errors(response.context["form"]) == {"review_interval_days": ["“长期坚持”类整改事项必须填写复查周期。"]}
    response = post_form(
        login(staff_user),
        reverse("ledger:rectification-create", args=[issue.pk]),
        {"measures": "x", "department": department.pk, "kind": "期限"},
    )
    assert _errors(response.context["form"]) == {"deadline": ["“期限”类整改事项必须填写整改时限。"]}
    assert Rectification.objects.count() == 0


def test_clerk_reports_progress_and_starts_item(login, clerk, item):
    response = post_form(
        login(clerk),
        reverse("ledger:progress-create", args=[item.pk]),
        {"reported_on": timezone.localdate().isoformat(), "percent": "40", "text": "已起草方案", "files": [pdf()]},
    )
    assert response.status_code == 302
    report = ProgressReport.objects.get()
    item.refresh_from_db()
    assert (report.percent, report.text, report.author, item.status) == (40, "已起草方案", clerk, "in_progress")
    assert Attachment.objects.get().progress == report
    assert list(item.events.values_list("action", flat=True)) == ["start", "progress"]


def test_progress_rejects_bad_percent_in_chinese(login, clerk, item):
    response = post_form(
        login(clerk),
        reverse("ledger:progress-create", args=[item.pk]),
        {"reported_on": "2026-11-01", "percent": "120", "text": "x"},
    )
    assert _errors(response.context["form"]) == {"percent": ["完成进度不能超过100。"]}
    assert ProgressReport.objects.count() == 0


def test_upload_checks_type_and_content(login, clerk, item):
    client = login(clerk)
    url = reverse("ledger:attachment-upload", args=[item.pk])
    page = item.get_absolute_url()
    post_form(client, url, {"files": SimpleUploadedFile("run.exe", b"MZ...")}, page=page)
    post_form(client, url, {"files": SimpleUploadedFile("fake.pdf", b"not a pdf")}, page=page)
    assert Attachment.objects.count() == 0
    post_form(client, url, {"files": pdf("ok.pdf")}, page=page)
    attachment = Attachment.objects.get()
    response = client.get(attachment.get_absolute_url())
    assert (response.status_code, b"".join(response.streaming_content)) == (200, b"%PDF-1.4\n% test evidence\n")
    assert "ok.pdf" in response["Content-Disposition"]


def test_upload_size_limit(settings, clerk, item):

    settings.LEDGER_MAX_UPLOAD_MB = 1
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (1024 * 1024))
    with pytest.raises(ValidationError) as error:
        attachment_add(actor=clerk, rectification=item, files=[big])
    assert error.value.messages == ["文件“big.pdf”超过 1 MB 的大小限制。"]


def test_item_page_shows_timeline_and_light(login, staff_user, clerk, item):
    rectification_transition(actor=clerk, rectification=item, action="start")
    response = login(staff_user).get(item.get_absolute_url())
    body = response.content.decode()
    assert response.status_code == 200
    assert [e.action for e in response.context["timeline"]] == ["start"]
    assert "开始整改" in body
    assert "light-green" in body


def test_bulk_actions_for_staff(login, staff_user, item, foreign_item):
    closed = RectificationFactory(issue=item.issue, seq=2, status="closed", deadline=datetime.date(2026, 1, 1))
    client = login(staff_user)
    ids = [item.pk, foreign_item.pk, closed.pk]
    client.post(reverse("ledger:bulk"), {"ids": ids, "action": "deadline", "deadline": "2027-01-31"})
    client.post(reverse("ledger:bulk"), {"ids": [item.pk], "action": "flag"})
    rows = dict(Rectification.objects.values_list("pk", "deadline"))
    assert rows == {
        item.pk: datetime.date(2027, 1, 31),
        foreign_item.pk: datetime.date(2027, 1, 31),
        closed.pk: datetime.date(2026, 1, 1),
    }
    assert list(Rectification.objects.filter(flagged=True).values_list("pk", flat=True)) == [item.pk]
    assert list(item.events.values_list("action", flat=True)) == ["edit", "flag"]


def test_bulk_deadline_requires_date(login, staff_user, item):
    response = login(staff_user).post(reverse("ledger:bulk"), {"ids": [item.pk], "action": "deadline"}, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["请填写要设置的整改时限。"]


def test_dossier_section_lists_open_items(login, staff_user, department, item):
    RectificationFactory(issue=item.issue, seq=2, status="closed", measures="已关闭的事项")
    response = login(staff_user).get(department.get_absolute_url())
    body = response.content.decode()
    assert response.status_code == 200
    assert str(item) in body
    assert "已关闭的事项" not in body
    assert "未销号 1 项" in body


def test_create_from_assessment_answer_id_without_assessment_model(login, staff_user):
    # The assessment app may not define Answer yet: the form simply opens without pre-fill.
    response = login(staff_user).get(reverse("ledger:issue-create") + "?assessment_answer=5")
    assert response.status_code in (200, 404)


def test_category_list_is_editable_by_staff(login, staff_user):
    client = login(staff_user)
    response = post_form(client, reverse("ledger:category-create"), {"name": "其他问题", "seq": "100", "active": "on"})
    assert response.status_code == 302

    assert list(IssueCategory.objects.values_list("name", flat=True))[-1] == "其他问题"
    assert IssueCategory.objects.count() == 10
    response = post_form(client, reverse("ledger:category-create"), {"name": "其他问题", "seq": "1"})
    assert _errors(response.context["form"]) == {"name": ["已有同名类别。"]}


def test_notifications_page_and_unread_count(login, clerk):
    Notification.objects.create(recipient=clerk, title="提醒一", body="内容")
    client = login(clerk)
    response = client.get(reverse("ledger:notification-list"))
    assert '<span class="badge rounded-pill text-bg-warning" title="未读通知">1</span>' in response.content.decode()
    client.post(reverse("ledger:notification-read"))
    response = client.get(reverse("ledger:notification-list"))
    assert "未读通知" not in response.content.decode()
    assert Notification.objects.filter(read_at__isnull=True).count() == 0


def test_progress_factory_latest_percent_in_list(login, staff_user, item):
    ProgressReportFactory(rectification=item, reported_on=datetime.date(2026, 10, 1), percent=20)
    ProgressReportFactory(rectification=item, reported_on=datetime.date(2026, 11, 1), percent=70)
    response = login(staff_user).get(reverse("ledger:rectification-list"))
    assert [r.latest_percent for r in response.context["page"]] == [70]


def test_other_region_department_is_not_a_choice(login, staff_user, issue):
    outsider = DepartmentFactory()
    response = post_form(
        login(staff_user),
        reverse("ledger:rectification-create", args=[issue.pk]),
        {"measures": "x", "department": outsider.pk, "kind": "立行立改"},
    )
    assert _errors(response.context["form"]) == {"department": ["选择一个有效的选项： 该选择不在可用的选项中。"]}
