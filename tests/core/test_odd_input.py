"""Odd query parameters and posted values: a form error, an empty result, a 404 or the Chinese 400 page,
never a 500 (issue 9, item 8). The property-based search over every page is test_odd_input_fuzz.py; these are
the cases it found, pinned down."""

import logging

import pytest
from django.db import DataError
from django.test import RequestFactory
from django.urls import reverse

from sanding.assessment.models import Answer, ItemCategoryRule, RoundEvent
from sanding.core.cleaning import clean_text, no_nul, parse_id, parse_ids
from sanding.core.errors import BadInputMiddleware
from sanding.ledger.models import IssueCooperation, Notification, RectificationEvent
from sanding.registry.models import DutyAssignment
from tests.assessment.conftest import items

pytestmark = pytest.mark.django_db

HUGE = "9" * 30  # above 2**63 - 1: SQLite cannot bind it (OverflowError)
SUPERSCRIPT = "²"  # str.isdigit() is True, int() refuses it


def test_parse_id_accepts_ascii_digits_in_range_only():
    assert [parse_id(v) for v in ["12", " 7 ", 5, "9223372036854775807"]] == [12, 7, 5, 2**63 - 1]
    for value in ["", None, "0", "-1", "+1", "1.0", "1e3", SUPERSCRIPT, "１２", "٣", HUGE, "9223372036854775808"]:
        assert parse_id(value) is None, value
    assert parse_id(True) is None
    assert parse_ids(["3", SUPERSCRIPT, "3", HUGE, "1"]) == [3, 1]
    assert (no_nul("a\x00b "), clean_text(" a\x00b "), no_nul(None)) == ("ab ", "ab", "")


@pytest.mark.parametrize("name", ["ledger:rectification-list", "ledger:issue-list", "ledger:export"])
@pytest.mark.parametrize("params", [{"region": HUGE}, {"region": SUPERSCRIPT}, {"department": HUGE, "region": ""}])
def test_an_overlong_or_unicode_id_in_a_ledger_filter_is_no_500(world, client, name, params):
    """Was an OverflowError (SQLite) or a ValueError: the 责任单位 options read 区划 from the query string."""
    client.force_login(world.users["staff"])
    response = client.get(reverse(name), params)
    assert response.status_code == 200
    if name != "ledger:export":
        assert "filter" in response.context


@pytest.mark.parametrize(
    "name",
    [
        "ledger:notification-list",
        "ledger:rectification-list",
        "ledger:issue-list",
        "registry:department-list",
        "assessment:assessment-list",
        "assessment:round-list",
        "assessment:checklist-list",
    ],
)
def test_nul_in_a_search_box_is_no_500(world, client, name):
    """Was a 500 on PostgreSQL (“A string literal cannot contain NUL”) for the notification search."""
    client.force_login(world.users["staff"])
    response = client.get(reverse(name), {"q": "整改\x00提醒"})
    assert response.status_code == 200


def test_the_notification_search_ignores_nul(world, client):
    client.force_login(world.users["staff"])
    response = client.get(reverse("ledger:notification-list"), {"q": "到期\x00提醒"})
    assert [n.title for n in response.context["page"]] == ["整改事项到期提醒"]


@pytest.mark.parametrize("bad", [HUGE, SUPERSCRIPT])
def test_ids_the_views_read_themselves_are_cleaned(world, client, bad):
    """Lists of ids posted by checkboxes, and ids in query strings, that the views read without a form."""
    staff, admin = world.users["staff"], world.users["admin"]
    item, open_round = world.items["dept"], world.objects["open_round"]
    client.force_login(staff)
    response = client.post(reverse("ledger:bulk"), {"ids": [bad], "action": "flag"})
    assert response.status_code == 302  # “请先勾选要操作的整改事项。”
    response = client.post(reverse("ledger:notification-read"), {"ids": [bad]})
    assert response.status_code == 302
    assert Notification.objects.filter(recipient=staff, read_at__isnull=True).exists()
    response = client.post(reverse("assessment:round-forms", args=[open_round.pk]), {"assessment": [bad]})
    assert response.status_code == 200  # “请先勾选部门。”
    response = client.post(
        reverse("ledger:rectification-transition", args=[item.pk]), {"action": "start", "evidence": [bad]}
    )
    assert response.status_code == 302
    response = client.get(reverse("ledger:issue-create"), {"assessment_answer": bad})
    assert response.status_code == 404
    client.force_login(admin)
    response = client.get(reverse("spreadsheets:export-download", args=["departments"]), {"region": bad})
    assert response.status_code == 404


def test_an_overlong_id_in_a_multiple_choice_field_is_a_form_error(world, client):
    """Was an OverflowError: Django checks a multiple choice with `pk__in`, which SQLite cannot bind."""
    department = world.departments["dept"]
    duty, unit = world.records["dept"]["duty"], world.records["dept"]["unit"]
    issue = world.issues["dept"]
    client.force_login(world.users["staff"])
    assignments, cooperations = DutyAssignment.objects.count(), IssueCooperation.objects.count()

    url = reverse("registry:record-edit", args=[department.pk, "duty", duty.pk])
    data = {"seq": duty.seq, "text": duty.text, "change_type": duty.change_type, "expected_version": duty.version}
    response = client.post(url, {**data, "lead_unit": unit.pk, "assist_units": [HUGE]})
    assert response.status_code == 200
    assert response.context["form"].errors["assist_units"]

    url = reverse("ledger:issue-edit", args=[issue.pk])
    data = {
        "description": issue.description,
        "category": issue.category_id,
        "source": issue.source,
        "department": issue.department_id,
        "found_on": issue.found_on.isoformat(),
        "severity": issue.severity,
        "expected_version": issue.version,
    }
    response = client.post(url, {**data, "cooperating": [str(world.departments["other"].pk), SUPERSCRIPT, HUGE]})
    assert response.status_code == 200
    assert response.context["form"].errors["cooperating"]
    assert (DutyAssignment.objects.count(), IssueCooperation.objects.count()) == (assignments, cooperations)


def test_nul_in_text_the_views_read_themselves_is_dropped(world, client):
    """Was a 500 on PostgreSQL: comments and answers read from request.POST went to the database with NUL."""
    staff, clerk = world.users["staff"], world.users["clerk"]
    item, draft_round = world.items["dept"], world.objects["draft_round"]
    item.refresh_from_db()  # the current version (files were added to it)
    client.force_login(staff)
    response = client.post(
        reverse("ledger:rectification-flag", args=[item.pk]),
        {"flagged": "1", "comment": "请\x00加快", "expected_version": item.version},
    )
    assert response.status_code == 302
    assert RectificationEvent.objects.filter(rectification=item, comment="请加快").exists()
    response = client.post(reverse("assessment:round-action", args=[draft_round.pk, "open"]), {"comment": "开\x00始"})
    assert response.status_code == 302
    assert RoundEvent.objects.filter(round=draft_round, comment="开始").exists()

    assessment = world.objects["own_assessment"]
    by_code = items(world.objects["published"])
    data = {"action": "save", "expected_version": assessment.version}
    for code, value in {"1.1": "1", "1.2": "10", "1.3": "0", "2.1": "1", "2.2": "10"}.items():
        data[f"v-{by_code[code].pk}"] = value
        data[f"ex-{by_code[code].pk}"] = f"说明\x00{code}"
    client.force_login(clerk)
    response = client.post(reverse("assessment:assessment-detail", args=[assessment.pk]), data)
    assert response.status_code == 302
    assert Answer.objects.get(assessment=assessment, item=by_code["1.2"]).explanation == "说明1.2"


@pytest.mark.parametrize(
    "error",
    [
        OverflowError("Python int too large to convert to SQLite INTEGER"),
        ValueError("A string literal cannot contain NUL (0x00) characters."),
        ValueError("Field 'id' expected a number but got '²'."),
        DataError("value out of range for type bigint"),
    ],
)
def test_what_the_cleaning_misses_answers_the_chinese_400_page(world, error, caplog):
    request = RequestFactory().get("/ledger/", {"region": HUGE})
    request.user = world.users["staff"]
    middleware = BadInputMiddleware(lambda request: None)
    with caplog.at_level(logging.WARNING, logger="sanding.bad_input"):
        response = middleware.process_exception(request, error)
    assert response.status_code == 400
    assert "请求有误（400）" in response.content.decode()
    assert [r.name for r in caplog.records] == ["sanding.bad_input"]


def test_other_errors_stay_500s(world):
    """Only the database refusing a value is the request's fault; anything else is a bug to see."""
    request = RequestFactory().get("/")
    request.user = world.users["staff"]
    middleware = BadInputMiddleware(lambda request: None)
    assert middleware.process_exception(request, ValueError("too many values to unpack")) is None
    assert middleware.process_exception(request, KeyError("x")) is None


@pytest.mark.parametrize("bad", ["NaN", "sNaN", "Infinity", "-0.5", "1e100", "12345678.9", "0.001"])
def test_an_odd_number_as_a_categorys_points_is_a_form_error(world, client, bad):
    """Was a 500 (decimal.InvalidOperation comparing NaN, or a value the database column cannot hold): the
    per-category 分值 of a checklist item is free text (a number or “不适用”)."""
    item, checklist = world.objects["item"], world.objects["draft"]
    client.force_login(world.users["staff"])
    url = reverse("assessment:item-edit", args=[checklist.pk, item.pk])
    form = client.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None and name in form.fields}
    data = {**data, "section": item.section_id, "cat_0": bad}
    rules = ItemCategoryRule.objects.count()
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors["cat_0"]
    assert ItemCategoryRule.objects.count() == rules
