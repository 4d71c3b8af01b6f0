"""QA 2: reviewers must be 编办 staff whose region covers the department; admins covering it always
may review; assigned reviewers restrict other staff."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from sanding.accounts.choices import Role
from sanding.assessment import selectors, services
from sanding.assessment.choices import AssessmentState
from sanding.assessment.models import Assessment, AssessmentEvent
from tests.assessment.conftest import fill_and_submit
from tests.factories import UserFactory


@pytest.fixture
def county_form(open_round, staff_user, county_department):
    services.round_add_departments(actor=staff_user, round_=open_round, departments=[county_department])
    return Assessment.objects.select_related("round", "department").get(round=open_round, department=county_department)


def test_county_staff_cannot_be_assigned_to_a_city_department(assessment, staff_user, county_staff):
    with pytest.raises(ValidationError) as error:
        services.round_assign(
            actor=staff_user, round_=assessment.round, assessments=[assessment], reviewers=[county_staff]
        )
    assert error.value.messages == [
        "审核人“staff-yc”的管辖范围不包括“云州市市场监督管理局”（云州市），请选择本级或上级编办的工作人员。"
    ]
    assert list(assessment.reviewers.all()) == []


def test_only_office_users_can_be_reviewers(assessment, staff_user, leader, clerk):
    with pytest.raises(ValidationError) as error:
        services.round_assign(
            actor=staff_user, round_=assessment.round, assessments=[assessment], reviewers=[leader, clerk]
        )
    assert error.value.messages == ["审核人须为编办工作人员或编办管理员：leader、d-YZ030。"]
    assert list(assessment.reviewers.all()) == []


def test_county_staff_reviews_a_county_department_in_a_city_round(county_form, staff_user, county_staff):
    services.round_assign(
        actor=staff_user, round_=county_form.round, assessments=[county_form], reviewers=[county_staff]
    )
    assert list(county_form.reviewers.all()) == [county_staff]
    assert selectors.can_review(county_staff, county_form) is True
    assert selectors.can_review(staff_user, county_form) is False  # assigned reviewers only


def test_admin_covering_the_department_may_always_review(assessment, clerk, checklist, staff_user, admin_user, city):
    other = UserFactory(username="staff2", role=Role.STAFF, region=city)
    services.round_assign(actor=staff_user, round_=assessment.round, assessments=[assessment], reviewers=[other])
    fill_and_submit(assessment, clerk, checklist)
    with pytest.raises(PermissionDenied):
        services.assessment_approve(actor=staff_user, assessment=assessment)
    services.assessment_approve(actor=admin_user, assessment=assessment)
    assessment.refresh_from_db()
    assert assessment.state == AssessmentState.APPROVED
    assert AssessmentEvent.objects.filter(assessment=assessment, to_state="approved").get().actor == admin_user


def test_a_county_admin_cannot_review_a_city_department(assessment, clerk, checklist, county):
    county_admin = UserFactory(username="admin-yc", role=Role.ADMIN, region=county)
    fill_and_submit(assessment, clerk, checklist)
    assert selectors.can_review(county_admin, assessment) is False
    with pytest.raises(PermissionDenied):
        services.assessment_approve(actor=county_admin, assessment=assessment)
    assessment.refresh_from_db()
    assert assessment.state == AssessmentState.SUBMITTED


def test_unassigned_forms_are_reviewed_by_any_staff_covering_them(assessment, staff_user, county_staff):
    assert selectors.can_review(staff_user, assessment) is True
    assert selectors.can_review(county_staff, assessment) is False


def test_reviewer_choices_are_office_staff_of_the_rounds_regions(
    open_round, staff_user, county_staff, admin_user, leader, clerk
):
    names = [u.username for u in selectors.reviewer_choices(open_round)]
    assert sorted(names) == sorted(["admin", "builder-YZ", "staff", "staff-yc"])


def test_round_forms_page_lists_reviewers_with_their_region(login, staff_user, open_round, county_staff, leader):
    page = login(staff_user).get(reverse("assessment:round-forms", args=[open_round.pk])).content.decode()
    assert "staff-yc（云州市云城区 · 编办工作人员）" in page
    assert "leader（" not in page
