"""QA 3: a region's published checklist is usable (read-only) by the regions below; drafts stay private;
county staff follow their county's forms in a city-run round but do not manage it."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from sanding.assessment import selectors, services
from sanding.assessment.choices import RoundState
from sanding.assessment.models import Assessment, Checklist, Round
from tests.assessment.conftest import build_checklist, deadlines
from tests.factories import RegionFactory, UserFactory


def test_county_staff_see_the_citys_published_checklists_not_its_drafts(checklist, county_staff, city):
    draft = build_checklist(city, name="城市草稿", publish=False)
    visible = set(Checklist.objects.visible_to(county_staff).values_list("pk", flat=True))
    assert visible == {checklist.pk}
    assert draft.pk not in visible
    assert [c.pk for c in selectors.published_checklists(user=county_staff)] == [checklist.pk]


def test_the_city_does_not_see_a_county_draft_but_sees_nothing_of_a_sibling(checklist, county, county_staff, city):
    county_draft = build_checklist(county, name="区草稿", publish=False)

    sibling = RegionFactory(code="YS", name="云州市云山县", short_name="云山", level="county", parent=city)
    sibling_staff = UserFactory(username="staff-ys", role="staff", region=sibling)
    assert set(Checklist.objects.visible_to(sibling_staff).values_list("pk", flat=True)) == {checklist.pk}
    assert county_draft.pk not in set(Checklist.objects.visible_to(sibling_staff).values_list("pk", flat=True))


def test_county_runs_a_round_with_the_citys_checklist(checklist, county, county_staff, county_department, login):
    round_ = Round(region=county, name="云城区自查", checklist=checklist, **deadlines())
    services.round_create(actor=county_staff, round_=round_, departments=[county_department])
    assert list(round_.assessments.values_list("department__code", flat=True)) == ["YC012"]
    page = login(county_staff).get(reverse("assessment:checklist-detail", args=[checklist.pk]))
    assert page.status_code == 200
    assert f'href="/assessment/checklists/{checklist.pk}/edit/"' not in page.content.decode()


def test_a_city_round_cannot_use_a_county_checklist(city, county, staff_user, department):
    county_checklist = build_checklist(county, name="区评分表")
    with pytest.raises(ValidationError) as error:
        services.round_create(
            actor=staff_user,
            round_=Round(region=city, name="R", checklist=county_checklist, **deadlines()),
            departments=[department],
        )
    assert error.value.messages == ["只能使用本区划或上级区划发布的评分表。"]
    assert Round.objects.count() == 0


def test_county_copy_of_the_citys_checklist_lands_in_the_county(checklist, county_staff, county):
    copy = services.checklist_copy(actor=county_staff, checklist=checklist)
    assert (copy.region_id, copy.edition, copy.status, copy.copied_from_id) == (county.pk, 1, "draft", checklist.pk)
    assert checklist.region_id != county.pk


def test_round_departments_must_lie_in_the_rounds_region(checklist, county, county_staff, department):
    round_ = Round(region=county, name="云城区自查", checklist=checklist, **deadlines())
    with pytest.raises(ValidationError) as error:
        services.round_create(actor=county_staff, round_=round_, departments=[department])
    assert error.value.messages == ["以下部门不在本轮的组织区划内：云州市市场监督管理局。"]
    assert Round.objects.filter(region=county).count() == 0


@pytest.fixture
def city_round_with_county(open_round, staff_user, county_department):
    services.round_add_departments(actor=staff_user, round_=open_round, departments=[county_department])
    return open_round


def test_county_staff_follow_their_departments_in_a_city_round(
    login, county_staff, city_round_with_county, county_department, assessment
):
    client = login(county_staff)
    assert client.get(reverse("assessment:round-detail", args=[city_round_with_county.pk])).status_code == 200
    mine = Assessment.objects.get(round=city_round_with_county, department=county_department)
    assert client.get(reverse("assessment:assessment-detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("assessment:assessment-detail", args=[assessment.pk])).status_code == 404
    forms_page = client.get(reverse("assessment:round-forms", args=[city_round_with_county.pk])).content.decode()
    assert "云城区市场监督管理局" in forms_page
    assert "云州市市场监督管理局" not in forms_page


def test_county_staff_cannot_manage_a_city_round(login, county_staff, city_round_with_county):
    client = login(county_staff)
    url = reverse("assessment:round-action", args=[city_round_with_county.pk, "review"])
    assert client.post(url).status_code == 403
    assert client.get(reverse("assessment:round-edit", args=[city_round_with_county.pk])).status_code == 403
    city_round_with_county.refresh_from_db()
    assert city_round_with_county.state == RoundState.OPEN
