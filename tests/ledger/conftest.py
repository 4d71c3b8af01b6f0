import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from sanding.accounts.choices import Role
from sanding.ledger.choices import HEAD_GROUP
from tests.factories import UserFactory

from .factories import IssueFactory, RectificationFactory

PDF = b"%PDF-1.4\n% test evidence\n"


def pdf(name="佐证材料.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def other_clerk(other_department):
    return UserFactory(username="d-YZ031", role=Role.CLERK, region=other_department.region, department=other_department)


@pytest.fixture
def head(department):
    user = UserFactory(username="head-YZ030", role=Role.CLERK, region=department.region, department=department)
    user.groups.add(Group.objects.get(name=HEAD_GROUP))
    return user


@pytest.fixture
def issue(department):
    return IssueFactory(department=department, seq=7, year=2026)


@pytest.fixture
def item(issue):
    """A rectification item of the clerk's department."""
    return RectificationFactory(issue=issue, seq=1)


@pytest.fixture
def foreign_item(other_department):
    """An item of another department in the same region: must never leak to the clerk."""
    issue = IssueFactory(department=other_department, seq=8, description="统计调查职责交叉（他部门）")
    return RectificationFactory(issue=issue, seq=1, measures="他部门整改措施")
