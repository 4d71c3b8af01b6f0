"""List pages run a number of queries that does not grow with the number of departments."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sanding.assessment import services
from sanding.assessment.choices import RoundState
from sanding.assessment.models import Answer, Assessment, Round
from tests.assessment.conftest import deadlines, fill_and_submit, pdf
from tests.factories import DepartmentFactory, UserFactory


def _round_with(n, checklist, staff_user, city, approve=True):
    departments = [DepartmentFactory(region=city, category=["政府工作部门", "党委工作机关"][i % 2]) for i in range(n)]
    round_ = Round(region=city, name=f"R{n}", checklist=checklist, **deadlines())
    services.round_create(actor=staff_user, round_=round_, departments=departments)
    services.round_transition(actor=staff_user, round_=round_, to_state=RoundState.OPEN)
    for i, assessment in enumerate(Assessment.objects.filter(round=round_).select_related("round", "department")):
        clerk = UserFactory(role="clerk", region=city, department=assessment.department)
        if i % 3 == 2:
            continue
        fill_and_submit(assessment, clerk, checklist, **{"1_2": str(i % 10)})
        if approve:
            services.assessment_approve(actor=staff_user, assessment=assessment)
    services.round_assign(
        actor=staff_user, round_=round_, assessments=list(round_.assessments.all()), reviewers=[staff_user]
    )
    return round_


def count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_round_pages_are_flat_in_the_number_of_departments(login, staff_user, checklist, city):
    small = _round_with(3, checklist, staff_user, city)
    large = _round_with(6, checklist, staff_user, city)
    client = login(staff_user)
    for name in ("assessment:round-detail", "assessment:round-forms", "assessment:round-export"):
        assert count(client, reverse(name, args=[small.pk])) == count(client, reverse(name, args=[large.pk])), name


def test_list_pages_are_flat(login, staff_user, checklist, city):
    client = login(staff_user)
    _round_with(3, checklist, staff_user, city, approve=False)
    urls = [
        reverse("assessment:assessment-list"),
        reverse("assessment:round-list"),
        reverse("assessment:checklist-list"),
    ]
    before = [count(client, url) for url in urls]
    _round_with(6, checklist, staff_user, city, approve=False)
    services.checklist_copy(actor=staff_user, checklist=checklist)
    assert [count(client, url) for url in urls] == before


def test_form_page_is_flat_in_evidence(login, clerk, assessment, checklist):
    client = login(clerk)
    url = reverse("assessment:assessment-detail", args=[assessment.pk])
    answer = Answer.objects.select_related("assessment__round").get(assessment=assessment, item__code="1.1")
    services.evidence_upload(actor=clerk, answer=answer, uploaded=pdf("a.pdf"))
    first = count(client, url)
    for i in range(3):
        services.evidence_upload(actor=clerk, answer=answer, uploaded=pdf(f"b{i}.pdf", b"%PDF-1.4 " + bytes([65 + i])))
    assert count(client, url) == first
