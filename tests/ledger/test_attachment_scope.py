"""Issue 9, hole 3: an attachment is scoped by its item, not by the issue the item belongs to."""

from django.urls import reverse

from sanding.accounts.choices import Role
from sanding.ledger.models import Attachment, IssueCooperation
from sanding.ledger.services import attachment_add
from tests.factories import DepartmentFactory, UserFactory

from .conftest import pdf
from .factories import IssueFactory, RectificationFactory


def test_department_sharing_an_issue_cannot_download_another_items_file(login, clerk, other_clerk, department):
    # One issue, two items: the clerk's department owns the issue and item A; the other department has item B.
    issue = IssueFactory(department=department, seq=11)
    item_a = RectificationFactory(issue=issue, seq=1, department=department)
    item_b = RectificationFactory(issue=issue, seq=2, department=other_clerk.department)
    (file_a,) = attachment_add(actor=clerk, rectification=item_a, files=[pdf("甲科室材料.pdf")])
    (file_b,) = attachment_add(actor=other_clerk, rectification=item_b, files=[pdf("乙科室材料.pdf")])

    other = login(other_clerk)
    assert other.get(reverse("ledger:issue-detail", args=[issue.pk])).status_code == 200  # shares the issue
    assert other.get(file_a.get_absolute_url()).status_code == 404
    assert other.get(file_b.get_absolute_url()).status_code == 200
    assert list(Attachment.objects.visible_to(other_clerk)) == [file_b]
    # The issue's own department sees both items, so both files.
    assert sorted(a.pk for a in Attachment.objects.visible_to(clerk)) == sorted([file_a.pk, file_b.pk])


def test_cooperating_department_of_the_issue_sees_the_items_files(login, clerk, department, city):
    helper = DepartmentFactory(region=city, code="YZ099", name="云州市协办局", short_name="协办局")
    issue = IssueFactory(department=department, seq=12)
    IssueCooperation.objects.create(issue=issue, department=helper)
    item = RectificationFactory(issue=issue, seq=1, department=department)
    (file,) = attachment_add(actor=clerk, rectification=item, files=[pdf()])
    stranger = DepartmentFactory(region=city, code="YZ098", name="云州市无关局", short_name="无关局")

    assert list(Attachment.objects.visible_to(_clerk_of(helper))) == [file]
    assert list(Attachment.objects.visible_to(_clerk_of(stranger))) == []


def test_issue_level_file_is_seen_by_every_department_of_the_issue(clerk, other_clerk, department):
    issue = IssueFactory(department=department, seq=13)
    RectificationFactory(issue=issue, seq=1, department=other_clerk.department)
    file = Attachment.objects.create(issue=issue, file=pdf(), name="问题材料.pdf", size=10, content_type="x")
    assert list(Attachment.objects.visible_to(other_clerk)) == [file]
    assert list(Attachment.objects.visible_to(clerk)) == [file]


def _clerk_of(department):
    return UserFactory(
        username=f"d-{department.code}", role=Role.CLERK, region=department.region, department=department
    )
