"""QA 11–14: published checklists redirect at once; the clerk's round page shows their department only;
one score format; ranking categories in the registry's order; the grouped department picker."""

from decimal import Decimal

import pytest
from django.urls import reverse

from sanding.accounts.choices import Role
from sanding.assessment import services
from sanding.assessment.choices import RoundState
from sanding.assessment.models import Assessment, Item, Round
from sanding.assessment.templatetags.assessment_tags import score
from tests.assessment.conftest import deadlines, fill_and_submit
from tests.factories import DepartmentFactory, UserFactory
from tests.posting import post_form

D = Decimal


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("assessment:checklist-edit", []),
        ("assessment:checklist-publish", []),
        ("assessment:checklist-bands", []),
        ("assessment:section-create", []),
        ("assessment:item-create", []),
    ],
)
def test_published_checklist_pages_redirect_on_get(login, staff_user, checklist, name, args):
    response = login(staff_user).get(reverse(name, args=[checklist.pk, *args]), follow=True)
    assert response.redirect_chain == [(checklist.get_absolute_url(), 302)]
    page = response.content.decode()
    assert "已发布的评分表不能修改" in page or "已经发布，不能再次发布" in page


def test_published_item_remove_page_redirects_on_get(login, staff_user, checklist):
    item = Item.objects.filter(checklist=checklist).first()
    url = reverse("assessment:part-archive", args=[checklist.pk, "item", item.pk])
    response = login(staff_user).get(url)
    assert (response.status_code, response.url) == (302, checklist.get_absolute_url())
    item.refresh_from_db()
    assert item.archived is False


def test_clerk_round_page_shows_only_their_department(
    login, clerk, staff_user, assessment, checklist, other_assessment
):
    fill_and_submit(assessment, clerk, checklist)
    services.assessment_approve(actor=staff_user, assessment=assessment)
    round_ = assessment.round
    client = login(clerk)
    url = reverse("assessment:round-detail", args=[round_.pk])
    page = client.get(url).content.decode()
    assert "progress-cards" not in page
    assert "参评部门" not in page
    assert "本轮结果尚未发布" in page
    services.round_transition(actor=staff_user, round_=round_, to_state=RoundState.REVIEWING)
    services.round_transition(actor=staff_user, round_=round_, to_state=RoundState.CLOSED)
    services.round_publish(actor=staff_user, round_=round_)
    page = client.get(url).content.decode()
    assert 'id="my-result"' in page
    assert '<div class="figure-value">40</div>' in page
    assert "排名（按部门类别）" not in page
    assert "得分率分布" not in page
    assert "市统计局" not in page


def test_clerk_list_has_no_staff_filters(login, clerk, staff_user, assessment):
    clerk_page = login(clerk).get(reverse("assessment:assessment-list")).content.decode()
    assert 'name="mine"' not in clerk_page
    assert 'name="category"' not in clerk_page
    staff_page = login(staff_user).get(reverse("assessment:assessment-list")).content.decode()
    assert 'name="mine"' in staff_page


@pytest.mark.parametrize(
    ("value", "text"),
    [(D("89.50"), "89.5"), (D("85.00"), "85"), (D("0.50"), "0.5"), (D("0"), "0"), (D("100"), "100"), (None, "")],
)
def test_one_score_format(value, text):
    assert score(value) == text


def test_ranking_categories_follow_the_registry_order(login, staff_user, checklist, city, clerk):
    party = DepartmentFactory(region=city, code="YZ001", name="中共云州市委办公室", category="党委工作机关")
    government = DepartmentFactory(region=city, code="YZ002", name="云州市教育局", category="政府工作部门")
    round_ = Round(region=city, name="R", checklist=checklist, **deadlines())
    services.round_create(actor=staff_user, round_=round_, departments=[government, party])
    services.round_transition(actor=staff_user, round_=round_, to_state=RoundState.OPEN)
    for department in (government, party):
        user = UserFactory(username=f"d-{department.code}", role=Role.CLERK, region=city, department=department)
        form = Assessment.objects.select_related("round").get(round=round_, department=department)
        fill_and_submit(form, user, checklist)
        services.assessment_approve(actor=staff_user, assessment=form)
    page = login(staff_user).get(reverse("assessment:round-detail", args=[round_.pk])).content.decode()
    assert page.index('data-category="党委工作机关"') < page.index('data-category="政府工作部门"')


def test_round_form_groups_departments_with_select_all_and_search(login, staff_user, department, county_department):
    page = login(staff_user).get(reverse("assessment:round-create")).content.decode()
    assert "<select" not in page.split("data-dept-picker")[1].split("</fieldset>")[0]
    assert "data-dept-search" in page
    assert 'aria-label="全选云州市"' in page
    assert 'aria-label="全选云州市云城区"' in page
    assert f'name="scope_departments" value="{department.pk}"' in page
    assert "js/assessment-round-form.js" in page


def test_round_form_picks_departments_by_checkbox(login, staff_user, checklist, department, other_department):
    data = {
        "name": "2026年第一季度",
        "region": checklist.region_id,
        "checklist": checklist.pk,
        "scope_departments": [department.pk],
    }
    response = post_form(login(staff_user), reverse("assessment:round-create"), data)
    assert response.status_code == 302
    round_ = Round.objects.get(name="2026年第一季度")
    assert list(round_.assessments.values_list("department__code", flat=True)) == ["YZ030"]
