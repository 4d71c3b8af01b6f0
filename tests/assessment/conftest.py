"""Fixtures for the assessment tests: a small published checklist and an open round."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from sanding.accounts.choices import Role
from sanding.assessment import services
from sanding.assessment.choices import ChecklistStatus, RoundState, ScoringRule
from sanding.assessment.models import Assessment, Checklist, Item, Round, Section
from tests.factories import UserFactory

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def pdf(name="佐证.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def build_checklist(region, *, name="测试评分表", publish=True):
    """Two sections, 40 points: yes/no 10 (evidence), scale 10 step 0.5, deduction 6 (2 per finding);
    veto yes/no 4, scale 10 (不适用 allowed)."""
    checklist = Checklist(region=region, name=name)
    actor = _office_actor(region)
    services.checklist_create(actor=actor, checklist=checklist)
    a = Section.objects.create(checklist=checklist, seq=1, title="职能配置")
    b = Section.objects.create(checklist=checklist, seq=2, title="机构编制")
    Item.objects.create(
        section=a,
        seq=1,
        code="1.1",
        text="职责全面履行",
        rule=ScoringRule.YES_NO,
        max_points=Decimal("10"),
        evidence_required=True,
    )
    Item.objects.create(
        section=a,
        seq=2,
        code="1.2",
        text="职责清单",
        rule=ScoringRule.SCALE,
        max_points=Decimal("10"),
        step=Decimal("0.5"),
    )
    Item.objects.create(
        section=a,
        seq=3,
        code="1.3",
        text="边界事项",
        rule=ScoringRule.DEDUCTION,
        max_points=Decimal("6"),
        deduction=Decimal("2"),
    )
    Item.objects.create(
        section=b,
        seq=1,
        code="2.1",
        text="未擅自增设机构",
        rule=ScoringRule.YES_NO,
        max_points=Decimal("4"),
        is_veto=True,
    )
    Item.objects.create(
        section=b,
        seq=2,
        code="2.2",
        text="议事协调机构",
        rule=ScoringRule.SCALE,
        max_points=Decimal("10"),
        step=Decimal("1"),
        na_allowed=True,
    )
    if publish:
        services.checklist_publish(actor=actor, checklist=checklist)
        checklist.refresh_from_db()
        assert checklist.status == ChecklistStatus.PUBLISHED
    return checklist


def _office_actor(region):
    return UserFactory(username=f"builder-{region.code}", role=Role.STAFF, region=region)


def items(checklist):
    return {i.code: i for i in Item.objects.filter(section__checklist=checklist)}


def full_inputs(checklist, **overrides):
    """Answers giving full marks, keyed by item id; overrides by code (with '.' as '_')."""
    by_code = items(checklist)
    values = {"1.1": "1", "1.2": "10", "1.3": "0", "2.1": "1", "2.2": "10"}
    for key, value in overrides.items():
        values[key.replace("_", ".")] = value
    return {by_code[c].pk: services.AnswerInput(value=v, explanation=f"说明{c}") for c, v in values.items()}


@pytest.fixture
def checklist(city):
    return build_checklist(city)


def deadlines(fill_days=14, review_days=28):
    """Deadlines relative to today, as an open round needs them."""
    today = timezone.localdate()
    return {
        "fill_deadline": today + datetime.timedelta(days=fill_days),
        "review_deadline": today + datetime.timedelta(days=review_days),
    }


@pytest.fixture
def open_round(checklist, staff_user, department, other_department):
    round_ = Round(region=checklist.region, name="2025年第二季度自查评估", checklist=checklist, **deadlines())
    services.round_create(actor=staff_user, round_=round_, departments=[department, other_department])
    services.round_transition(actor=staff_user, round_=round_, to_state=RoundState.OPEN)
    return round_


@pytest.fixture
def assessment(open_round, department):
    return Assessment.objects.select_related("round").get(round=open_round, department=department)


@pytest.fixture
def other_assessment(open_round, other_department):
    return Assessment.objects.select_related("round").get(round=open_round, department=other_department)


@pytest.fixture
def other_clerk(other_department):
    return UserFactory(username="d-YZ031", role=Role.CLERK, region=other_department.region, department=other_department)


def fill_and_submit(assessment, clerk, checklist, **overrides):
    by_code = items(checklist)
    services.assessment_save_draft(
        actor=clerk,
        assessment=assessment,
        inputs=full_inputs(checklist, **overrides),
        files={by_code["1.1"].pk: pdf()},
    )
    services.assessment_submit(actor=clerk, assessment=assessment)
    assessment.refresh_from_db()
    return assessment
