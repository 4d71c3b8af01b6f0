"""Fixes from the QA walk-through: bulk deadlines, closure evidence, department page, board links,
filters, ordering, refused steps, admin, labels and the change record."""

import datetime

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from sanding.core.services import save_versioned
from sanding.ledger import models
from sanding.ledger.models import Attachment, Rectification, RectificationEvent
from sanding.ledger.services import progress_report, rectification_transition
from tests.posting import post_form

from .conftest import pdf
from .factories import IssueFactory, RectificationFactory

pytestmark = pytest.mark.django_db
D = datetime.timedelta
LIST = reverse("ledger:rectification-list")


def _messages(response):
    return [str(m) for m in response.context["messages"]]


def _pks(client, **params):
    return [r.pk for r in client.get(LIST, params).context["page"]]


# --- 3. bulk deadline never changes an item's kind ----------------------------------------------------


def test_bulk_deadline_skips_ongoing_and_closed_items_and_says_why(login, staff_user, issue):
    today = timezone.localdate()
    dated = RectificationFactory(issue=issue, seq=1, kind="期限", deadline=today + D(days=5))
    immediate = RectificationFactory(issue=issue, seq=2, kind="立行立改", deadline=None)
    ongoing = RectificationFactory(issue=issue, seq=3, kind="长期坚持", deadline=None, review_interval_days=30)
    closed = RectificationFactory(issue=issue, seq=4, status="closed", deadline=today - D(days=3))
    same = RectificationFactory(issue=issue, seq=5, deadline=datetime.date(2027, 1, 31))
    ids = [dated.pk, immediate.pk, ongoing.pk, closed.pk, same.pk]
    response = login(staff_user).post(
        reverse("ledger:bulk"), {"ids": ids, "action": "deadline", "deadline": "2027-01-31"}, follow=True
    )
    assert _messages(response) == [
        f"设置整改时限：已更改 2 项：{dated}、{immediate}。",
        f"跳过 1 项（长期坚持类不设整改时限）：{ongoing}。",
        f"跳过 1 项（已销号）：{closed}。",
        f"跳过 1 项（整改时限未变）：{same}。",
    ]
    rows = {r.pk: (r.kind, r.deadline) for r in Rectification.objects.all()}
    assert rows == {
        dated.pk: ("期限", datetime.date(2027, 1, 31)),
        immediate.pk: ("立行立改", datetime.date(2027, 1, 31)),
        ongoing.pk: ("长期坚持", None),
        closed.pk: ("期限", today - D(days=3)),
        same.pk: ("期限", datetime.date(2027, 1, 31)),
    }
    assert sorted(RectificationEvent.objects.values_list("rectification", flat=True)) == [dated.pk, immediate.pk]


# --- 4. evidence belongs to the application ----------------------------------------------------------


def test_application_may_cite_earlier_files_and_the_item_page_shows_them(login, clerk, staff_user, item):
    report = progress_report(
        actor=clerk,
        rectification=item,
        reported_on=timezone.localdate(),
        text="制度印发",
        percent=100,
        files=[pdf("制度.pdf")],
    )
    earlier = Attachment.objects.get(progress=report)
    response = post_form(
        login(clerk),
        reverse("ledger:rectification-transition", args=[item.pk]),
        {"action": "apply", "comment": "整改完成", "evidence": [earlier.pk]},
        page=item.get_absolute_url(),
        form_id="action-apply",
    )
    assert (response.status_code, response.url) == (302, item.get_absolute_url())
    event = item.events.get(action="apply")
    assert (list(event.evidence.all()), list(event.attachments.all())) == ([earlier], [])
    body = login(staff_user).get(item.get_absolute_url()).content.decode()
    card = body.split('id="application-evidence"')[1].split("</div>\n      </div>")[0]
    assert f'href="{earlier.get_absolute_url()}"' in card
    assert "制度.pdf" in card


def test_application_cannot_cite_another_items_file(clerk, item, foreign_item):
    Rectification.objects.filter(pk=item.pk).update(status="in_progress")
    other = Attachment.objects.create(
        issue=foreign_item.issue, rectification=foreign_item, file=pdf(), name="他人.pdf", size=1, content_type="x"
    )
    with pytest.raises(ValidationError) as error:
        rectification_transition(actor=clerk, rectification=item, action="apply", comment="x", evidence=[other.pk])
    assert error.value.messages == ["所选佐证材料不属于该整改事项。"]
    item.refresh_from_db()
    assert (item.status, RectificationEvent.objects.count()) == ("in_progress", 0)


def test_reapplying_after_reopen_needs_evidence_again(clerk, staff_user, item):
    rectification_transition(actor=clerk, rectification=item, action="start")
    rectification_transition(actor=clerk, rectification=item, action="apply", comment="一", files=[pdf("a.pdf")])
    rectification_transition(actor=staff_user, rectification=item, action="close")
    rectification_transition(actor=staff_user, rectification=item, action="reopen", comment="反弹")
    with pytest.raises(ValidationError) as error:
        rectification_transition(actor=clerk, rectification=item, action="apply", comment="二")
    assert error.value.messages == ["申请销号须上传佐证材料，或从已有材料中选择。"]
    item.refresh_from_db()
    assert item.status == "in_progress"
    first = Attachment.objects.get(name="a.pdf")
    rectification_transition(actor=clerk, rectification=item, action="apply", comment="二", evidence=[first])
    item.refresh_from_db()
    assert (item.status, list(item.events.filter(action="apply").last().evidence.all())) == ("applied", [first])


def test_apply_form_always_marks_evidence_required(login, clerk, item):
    Rectification.objects.filter(pk=item.pk).update(status="in_progress")
    Attachment.objects.create(
        issue=item.issue, rectification=item, file=pdf(), name="旧材料.pdf", size=1, content_type="x"
    )
    body = login(clerk).get(item.get_absolute_url()).content.decode()
    assert '本次申请的佐证材料 <span class="text-danger">*</span>' in body
    assert 'name="evidence"' in body and "旧材料.pdf" in body


# --- 5. the department page and its link show the same items -----------------------------------------


def test_dossier_section_is_the_items_the_department_is_responsible_for(
    login, staff_user, department, other_department
):
    own = RectificationFactory(issue=IssueFactory(department=department), department=department, measures="本单位负责")
    # The issue names the department but this item is another unit's: not on the department's page.
    elsewhere = RectificationFactory(
        issue=IssueFactory(department=department), department=other_department, measures="他单位负责"
    )
    closed = RectificationFactory(
        issue=IssueFactory(department=other_department), department=department, status="closed"
    )
    client = login(staff_user)
    body = client.get(department.get_absolute_url()).content.decode()
    assert ("本单位负责" in body, "他单位负责" in body) == (True, False)
    assert "未销号 1 项" in body and "共 2 项" in body
    link = f"{LIST}?region={department.region_id}&department={department.pk}"
    assert f'{link}&status=open"' in body and f'{link}"' in body
    assert _pks(client, region=department.region_id, department=department.pk, status="open") == [own.pk]
    assert sorted(_pks(client, region=department.region_id, department=department.pk)) == sorted([own.pk, closed.pk])
    assert elsewhere.pk not in _pks(client, department=department.pk)


# --- 6. the board's 挂牌督办 card links to the same set -------------------------------------------------


def test_board_flagged_card_links_to_flagged_open_items(login, staff_user, city, issue):
    flagged = RectificationFactory(issue=issue, seq=1, flagged=True)
    RectificationFactory(issue=issue, seq=2, flagged=True, status="closed")
    client = login(staff_user)
    response = client.get(reverse("ledger:board"), {"region": city.pk})
    assert response.context["f"]["totals"]["flagged"] == 1
    assert f'href="{LIST}?region={city.pk}&flagged=1&status=open"' in response.content.decode()
    assert _pks(client, region=city.pk, flagged="1", status="open") == [flagged.pk]


# --- 7. 责任单位 options follow 区划 -------------------------------------------------------------------


def test_htmx_response_swaps_unit_options_for_the_chosen_region(
    login, staff_user, county, department, county_department
):
    city_item = RectificationFactory(issue=IssueFactory(department=department))
    county_item = RectificationFactory(issue=IssueFactory(department=county_department))
    client = login(staff_user)
    response = client.get(LIST, {"region": county.pk, "department": department.pk}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    oob = body.split('<div id="filter-department" hx-swap-oob="true">')[1]
    assert f'<option value="{county_department.pk}">' in oob
    assert f'value="{department.pk}"' not in oob
    # the city unit is not a unit of the chosen region, so it is dropped rather than emptying the list
    assert [r.pk for r in response.context["page"]] == [county_item.pk]
    assert _pks(client, department=department.pk) == [city_item.pk]


# --- 8. undated items last --------------------------------------------------------------------------


def test_deadline_sort_puts_undated_items_last_both_ways(login, staff_user, issue):
    today = timezone.localdate()
    ongoing = RectificationFactory(issue=issue, seq=1, kind="长期坚持", deadline=None, review_interval_days=30)
    late = RectificationFactory(issue=issue, seq=2, deadline=today + D(days=30))
    immediate = RectificationFactory(issue=issue, seq=3, kind="立行立改", deadline=None)
    soon = RectificationFactory(issue=issue, seq=4, deadline=today + D(days=2))
    client = login(staff_user)
    assert _pks(client) == [soon.pk, late.pk, ongoing.pk, immediate.pk]
    assert _pks(client, ordering="deadline") == [soon.pk, late.pk, ongoing.pk, immediate.pk]
    assert _pks(client, ordering="-deadline") == [late.pk, soon.pk, immediate.pk, ongoing.pk]


def test_descending_deadline_index_exists_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite cannot declare NULLS LAST in an index")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'rect_deadline_desc_idx'")
        (definition,) = cursor.fetchone()
    assert definition.endswith("(deadline DESC NULLS LAST, id DESC)")


# --- 11. refused steps: confirmation, and back to the item page with the typed text ----------------------


def test_reject_asks_for_confirmation(login, staff_user, item):
    Rectification.objects.filter(pk=item.pk).update(status="applied")
    body = login(staff_user).get(item.get_absolute_url()).content.decode()
    form = body.split('data-action="reject"')[1].split("</form>")[0]
    assert 'data-confirm="确定退回该销号申请吗？事项将回到“整改中”。"' in form


def test_refused_step_redirects_to_the_item_page_keeping_the_reason(login, staff_user, item):
    Rectification.objects.filter(pk=item.pk).update(status="applied")
    client = login(staff_user)
    url = reverse("ledger:rectification-transition", args=[item.pk])
    response = client.post(url, {"action": "reject", "comment": "   ", "expected_version": item.version})
    assert (response.status_code, response.url) == (302, f"{item.get_absolute_url()}#action-reject")
    page = client.get(response.url)
    body = page.content.decode()
    assert "未能编办退回：退回须填写理由。" in body
    item.refresh_from_db()
    assert (item.status, RectificationEvent.objects.count()) == ("applied", 0)
    assert "未能编办退回" not in client.get(item.get_absolute_url()).content.decode()  # shown once


def test_refused_application_keeps_the_typed_summary(login, clerk, item):
    Rectification.objects.filter(pk=item.pk).update(status="in_progress")
    client = login(clerk)
    response = post_form(
        client,
        reverse("ledger:rectification-transition", args=[item.pk]),
        {"action": "apply", "comment": "我写的说明"},
        page=item.get_absolute_url(),
        form_id="action-apply",
        follow=True,
    )
    body = response.content.decode()
    assert response.redirect_chain == [(f"{item.get_absolute_url()}#action-apply", 302)]
    assert "未能申请销号：申请销号须上传佐证材料，或从已有材料中选择。" in body
    assert ">我写的说明</textarea>" in body
    item.refresh_from_db()
    assert (item.status, item.summary) == ("in_progress", "")


# --- 13. nothing of the ledger is deleted in the admin -------------------------------------------------


def test_admin_never_deletes_ledger_rows(admin_user):
    request = RequestFactory().get("/")
    request.user = admin_user
    ledger_admins = [a for m, a in admin.site._registry.items() if m._meta.app_label == "ledger"]
    assert sorted(type(a).__name__ for a in ledger_admins) == [
        "AttachmentAdmin",
        "IssueAdmin",
        "IssueCategoryAdmin",
        "LedgerRegionSettingAdmin",
        "NotificationAdmin",
        "ProgressReportAdmin",
        "RectificationAdmin",
        "RectificationEventAdmin",
    ]
    assert [a.has_delete_permission(request) for a in ledger_admins] == [False] * 8


def test_admin_category_delete_page_is_refused(client, admin_user):
    admin_user.is_superuser = True
    admin_user.save()
    category = models.IssueCategory.objects.create(name="临时类别")
    client.force_login(admin_user)
    response = client.post(reverse("admin:ledger_issuecategory_delete", args=[category.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert models.IssueCategory.objects.filter(pk=category.pk).exists()


# --- 14. labels, legend, source link, change record, icons ---------------------------------------------


def test_ordering_labels_are_chinese(login, staff_user):
    form = login(staff_user).get(LIST).context["filter"].form
    assert list(form.fields["ordering"].choices) == [
        ("", "默认（按时限，无时限在后）"),
        ("deadline", "整改时限（由近到远）"),
        ("-deadline", "整改时限（由远到近）"),
        ("-updated", "最近更新在前"),
        ("updated", "最早更新在前"),
        ("-created", "最新登记在前"),
        ("created", "最早登记在前"),
    ]


def test_legend_uses_the_warning_setting(settings, login, staff_user):
    settings.LEDGER_WARNING_DAYS = 5
    body = login(staff_user).get(LIST).content.decode()
    assert '<span class="light light-yellow"></span>5 天内到期' in body


def test_change_record_lists_workflow_fields(login, clerk, staff_user, item):
    save_versioned(actor=staff_user, instance=item)  # a history row before the workflow starts
    rectification_transition(actor=clerk, rectification=item, action="start")
    rectification_transition(actor=clerk, rectification=item, action="apply", comment="已整改", files=[pdf()])
    rectification_transition(actor=staff_user, rectification=item, action="close")
    history = login(staff_user).get(item.get_absolute_url()).context["history"]
    changes = [[(str(label), old, new) for label, old, new in c] for _, c in history[:3]]
    closed_at = Rectification.objects.get(pk=item.pk).closed_at
    assert changes[0] == [
        ("整改状态", "申请销号", "已销号"),
        ("销号时间", None, f"{timezone.localtime(closed_at):%Y-%m-%d %H:%M}"),
    ]
    assert changes[1] == [("整改状态", "整改中", "申请销号"), ("整改情况说明", "", "已整改")]
    assert changes[2] == [("整改状态", "未开始", "整改中")]


def test_item_page_without_history_rows(login, staff_user, item):
    item.history.all().delete()  # rows loaded in bulk (COPY, bulk_create) may have no history
    response = login(staff_user).get(item.get_absolute_url())
    assert (response.status_code, response.context["history"]) == (200, [])


def test_attachments_are_shown_with_an_icon_not_an_emoji(login, clerk, item):
    progress_report(
        actor=clerk, rectification=item, reported_on=timezone.localdate(), text="x", percent=10, files=[pdf("p.pdf")]
    )
    body = login(clerk).get(item.get_absolute_url()).content.decode()
    assert "📎" not in body
    assert '<svg class="icon-attachment"' in body and '<span class="visually-hidden">附件：</span>p.pdf</a>' in body


def test_tablet_hides_secondary_columns(login, staff_user, item):
    body = login(staff_user).get(LIST).content.decode()
    assert '<th class="d-none d-lg-table-cell">问题类别</th>' in body
    assert '<th class="d-none d-lg-table-cell">责任人</th>' in body
    assert "<th>整改时限</th>" in body and "<th>状态</th>" in body
