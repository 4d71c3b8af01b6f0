"""Ledger factories: rows written directly (boring defaults); tests of the workflow go through services."""

import datetime

import factory
from django.utils import timezone

from sanding.ledger import models
from sanding.ledger.choices import Kind, Status
from tests.factories import DepartmentFactory


def category(name="部门职能不理顺"):
    # get_or_create: a transactional test elsewhere in the run may have flushed the seeded categories.
    return models.IssueCategory.objects.get_or_create(name=name)[0]


class IssueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Issue

    department = factory.SubFactory(DepartmentFactory)
    region = factory.LazyAttribute(lambda o: o.department.region)
    year = 2026
    seq = factory.Sequence(lambda n: n + 1)
    code = factory.LazyAttribute(lambda o: f"{o.region.short_name}-{o.year}-{o.seq:04d}")
    description = "职责边界不清，工单多次退单。"
    category = factory.LazyFunction(category)
    source = "自查"
    found_on = datetime.date(2026, 3, 1)


class RectificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Rectification

    issue = factory.SubFactory(IssueFactory)
    seq = factory.Sequence(lambda n: n + 1)
    region = factory.LazyAttribute(lambda o: o.issue.region)
    category = factory.LazyAttribute(lambda o: o.issue.category)
    department = factory.LazyAttribute(lambda o: o.issue.department)
    measures = "梳理职责清单，明确牵头科室。"
    responsible_person = "张伟"
    kind = Kind.DEADLINE
    deadline = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
    status = Status.NOT_STARTED
    closed_at = factory.LazyAttribute(lambda o: timezone.now() if o.status == Status.CLOSED else None)
    search_text = factory.LazyAttribute(
        lambda o: "\n".join([o.issue.code, o.issue.description, o.measures, o.responsible_person]).lower()
    )


class ProgressReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ProgressReport

    rectification = factory.SubFactory(RectificationFactory)
    reported_on = factory.LazyFunction(timezone.localdate)
    text = "已完成职责梳理。"
    percent = 50
